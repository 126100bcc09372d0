package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/internal/weekly"
	"github.com/ruralrelief/fangpin/measures"
)

// weekly writes the county weekly dispatch table (周调度表).
func (e *env) weekly(_ context.Context, args []string) error {
	fs := e.flags("weekly")
	county := fs.String("county", "", "the county's name, such as 唐河县 (required)")
	on := fs.String("date", "", "a day of the week reported on, YYYY-MM-DD (default: today)")
	progressFile := fs.String("progress", "", "the county's progress by measure number (.yaml or .csv)")
	out := fs.String("o", "", "the table to write: .xlsx, .csv or .md (required)")
	pos, err := parse(fs, args)
	if err != nil {
		return helped(err)
	}
	switch {
	case len(pos) > 0:
		return usageError("weekly takes no arguments, got %q", pos)
	case *county == "":
		return usageError("weekly: --county is required")
	case *out == "":
		return usageError("weekly: -o FILE.xlsx (or .csv, .md) is required")
	}
	format, err := weekly.FormatOf(*out)
	if err != nil {
		return usageError("%v", err)
	}
	day, err := e.parseOn(*on)
	if err != nil {
		return err
	}
	reg, err := measures.Load()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if known := reg.Table.Counties; len(known) > 0 && !knownCounty(known, *county) {
		return usageError("weekly: unknown county %q; the table is sent to %s", *county, strings.Join(known, ", "))
	}
	progress := measures.Progress{}
	if *progressFile != "" {
		data, err := os.ReadFile(*progressFile)
		if err != nil {
			return usageError("cannot read progress: %v", err)
		}
		if progress, err = weekly.ParseProgress(*progressFile, data, reg); err != nil {
			return usageError("%v", err)
		}
	}
	t := weekly.Build(reg, *county, day, progress)
	w, err := table.CreateFile(*out)
	if err != nil {
		return usageError("cannot write %s: %v", *out, err)
	}
	if err := weekly.Write(w, format, t); err != nil {
		w.Abort()
		return &exitError{code: 2, err: fmt.Errorf("writing %s: %v", *out, err)}
	}
	if err := w.Commit(); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("writing %s: %v", *out, err)}
	}
	late := 0
	for _, r := range t.Rows {
		if len(r.Overdue) > 0 {
			late++
		}
	}
	fmt.Fprintf(e.stderr, "%s: %d 项措施，%d 项已超过时限且未填报进度；报送时限 %s\n", *out, len(t.Rows), late, t.Deadline.Format("2006-01-02 15:04 MST"))
	return nil
}

// knownCounty reports whether name is one of the counties, written in
// full (唐河县) or without its 县 (唐河), as TitleFor accepts it.
func knownCounty(known []string, name string) bool {
	for _, k := range known {
		if name == k || name+"县" == k {
			return true
		}
	}
	return false
}
