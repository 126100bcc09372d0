// Package weekly renders the county weekly dispatch table (周调度表) of
// package measures as a print-ready XLSX, as CSV and as Markdown, and reads
// a county's progress file.
package weekly

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ruralrelief/fangpin/measures"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/xuri/excelize/v2"
	"go.yaml.in/yaml/v3"
)

// Table is one county's table for one week.
type Table struct {
	Title    string
	County   string
	Week     rules.Date // a day of the week reported on
	Deadline time.Time  // when the table is due
	Columns  []string
	Rows     []Row
	Contacts []string // the county's contact lines, to fill in
	Notes    []string // what the notice says about sending it
}

// Row is one measure's row.
type Row struct {
	Number      int
	Measure     string
	Lead        string
	Responsible string
	Progress    string
	Remarks     string
	// Overdue lists the deadlines already passed with no progress reported.
	Overdue []measures.Deadline
}

// Build fills the table for county on day from the registry and progress.
func Build(reg *measures.Registry, county string, day rules.Date, p measures.Progress) Table {
	t := Table{Title: reg.Table.TitleFor(county), County: county, Week: day,
		Deadline: reg.Table.ReportDeadline(day), Columns: reg.Table.Columns, Contacts: reg.Table.CountyContacts}
	late := map[int][]measures.Deadline{}
	for _, it := range reg.Overdue(day, p) {
		late[it.Measure.Number] = append(late[it.Measure.Number], it.Deadline)
	}
	for _, m := range reg.Rows() {
		t.Rows = append(t.Rows, Row{Number: m.Number, Measure: m.Row.Text, Lead: m.Row.Lead,
			Responsible: strings.Join(m.Row.Responsible, "、"), Progress: p[m.Number].Progress,
			Remarks: p[m.Number].Remarks, Overdue: late[m.Number]})
	}
	t.Notes = append(t.Notes, fmt.Sprintf("报送时限：%s前报送%s（%s）", t.Deadline.Format("2006年1月2日15:04"), reg.Table.Recipient, reg.Table.Due))
	t.Notes = append(t.Notes, reg.Table.CityContacts...)
	return t
}

// remarks is a row's 备注, with a note of each deadline passed.
func (r Row) remarks() string {
	s := r.Remarks
	for _, d := range r.Overdue {
		note := fmt.Sprintf("已超过时限（%s：%s）", d.Date, d.Text)
		if s != "" {
			s += "；"
		}
		s += note
	}
	return s
}

// Format is an output format.
type Format int

// The formats Write can produce.
const (
	XLSX Format = iota
	CSV
	Markdown
)

// FormatOf returns the format of a file name by extension.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return XLSX, nil
	case ".csv":
		return CSV, nil
	case ".md":
		return Markdown, nil
	}
	return 0, fmt.Errorf("%s: the table is written as .xlsx, .csv or .md", path)
}

// Write writes the table to w in format f.
func Write(w io.Writer, f Format, t Table) error {
	switch f {
	case CSV:
		return writeCSV(w, t)
	case Markdown:
		return writeMarkdown(w, t)
	}
	return writeXLSX(w, t)
}

// writeCSV writes UTF-8 with a byte-order mark, which Excel needs to show
// Chinese text in a CSV file correctly.
func writeCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	records := [][]string{{t.Title}, t.Columns}
	for _, r := range t.Rows {
		records = append(records, []string{strconv.Itoa(r.Number), r.Measure, r.Lead, r.Responsible, r.Progress, r.remarks()})
	}
	for _, n := range append(append([]string(nil), t.Contacts...), t.Notes...) {
		records = append(records, []string{n})
	}
	cw := csv.NewWriter(w)
	return cw.WriteAll(records) // flushes, and returns the first error
}

func writeMarkdown(w io.Writer, t Table) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", t.Title)
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(t.Columns, " | "), strings.Repeat("---|", len(t.Columns)))
	cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }
	for _, r := range t.Rows {
		mark := ""
		if len(r.Overdue) > 0 {
			mark = " ⚠"
		}
		fmt.Fprintf(&b, "| %d%s | %s | %s | %s | %s | %s |\n", r.Number, mark, cell(r.Measure), cell(r.Lead),
			cell(r.Responsible), cell(r.Progress), cell(r.remarks()))
	}
	b.WriteString("\n")
	for _, n := range append(append([]string(nil), t.Contacts...), t.Notes...) {
		fmt.Fprintf(&b, "%s  \n", n)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Column widths in characters, for a landscape A4 page.
var widths = []float64{6, 70, 12, 22, 36, 18}

func writeXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // a workbook in memory: written by WriteTo below
	const sheet = "周调度表"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	body, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	late, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4CCCC"}}})
	plain, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: false}})

	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, wd); err != nil {
			return err
		}
	}
	set := func(cell string, v any, style int) error {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, cell, cell, style)
	}
	if err := f.MergeCell(sheet, "A1", "F1"); err != nil {
		return err
	}
	if err := set("A1", t.Title, title); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, 1, 42); err != nil {
		return err
	}
	if err := set("A2", fmt.Sprintf("报送单位：%s　　填报周次：%s 所在周　　报送时限：%s前", t.County, t.Week,
		t.Deadline.Format("2006年1月2日15:04")), plain); err != nil {
		return err
	}
	for i, c := range t.Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 3)
		if err := set(cell, c, head); err != nil {
			return err
		}
	}
	for i, r := range t.Rows {
		row := i + 4
		style := body
		if len(r.Overdue) > 0 {
			style = late
		}
		for j, v := range []any{r.Number, r.Measure, r.Lead, r.Responsible, r.Progress, r.remarks()} {
			cell, _ := excelize.CoordinatesToCellName(j+1, row)
			if err := set(cell, v, style); err != nil {
				return err
			}
		}
	}
	next := len(t.Rows) + 5
	for _, n := range append(append([]string(nil), t.Contacts...), t.Notes...) {
		if err := set("A"+strconv.Itoa(next), n, plain); err != nil {
			return err
		}
		next++
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: ptr("landscape"), Size: ptr(9), FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: ptr(0.4), Right: ptr(0.4), Top: ptr(0.5), Bottom: ptr(0.5)}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: fmt.Sprintf("'%s'!$3:$3", sheet)}); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

func ptr[T any](v T) *T { return &v }

// ParseProgress reads a county's progress file, keyed by measure number:
// YAML ({7: {progress: …, remarks: …}}) or CSV with the columns 序号 (or
// number), 措施进度和成效 (or progress) and 备注 (or remarks). Errors name
// the line or row and the field.
func ParseProgress(name string, data []byte, reg *measures.Registry) (measures.Progress, error) {
	p := measures.Progress{}
	check := func(where string, n int) error {
		if _, ok := reg.Measure(n); !ok {
			return fmt.Errorf("%s: %s: no measure %d (1–%d)", name, where, n, len(reg.Measures))
		}
		return nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		var doc map[int]struct {
			Progress string `yaml:"progress"`
			Remarks  string `yaml:"remarks"`
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		for n, e := range doc {
			if err := check("key "+strconv.Itoa(n), n); err != nil {
				return nil, err
			}
			p[n] = measures.Entry{Progress: e.Progress, Remarks: e.Remarks}
		}
		return p, nil
	case ".csv":
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
		recs, err := r.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if len(recs) == 0 {
			return p, nil
		}
		col := map[string]int{"number": -1, "progress": -1, "remarks": -1}
		for i, h := range recs[0] {
			switch strings.TrimSpace(h) {
			case "序号", "number":
				col["number"] = i
			case "措施进度和成效", "progress":
				col["progress"] = i
			case "备注", "remarks":
				col["remarks"] = i
			}
		}
		if col["number"] < 0 || col["progress"] < 0 {
			return nil, fmt.Errorf("%s: the header needs 序号 and 措施进度和成效 (or number and progress)", name)
		}
		for i, rec := range recs[1:] {
			where := fmt.Sprintf("row %d", i+1)
			n, err := strconv.Atoi(strings.TrimSpace(rec[col["number"]]))
			if err != nil {
				return nil, fmt.Errorf("%s: %s: 序号 %q is not a number", name, where, rec[col["number"]])
			}
			if err := check(where, n); err != nil {
				return nil, err
			}
			e := measures.Entry{Progress: rec[col["progress"]]}
			if col["remarks"] >= 0 {
				e.Remarks = rec[col["remarks"]]
			}
			p[n] = e
		}
		return p, nil
	}
	return nil, fmt.Errorf("%s: a progress file is .yaml or .csv", name)
}
