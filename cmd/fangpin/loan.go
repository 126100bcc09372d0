package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ruralrelief/fangpin/internal/batch"
	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/shopspring/decimal"
)

// loanJob is one loan row on its way through the pipeline.
type loanJob struct {
	row, line int
	cells     []string // the row's cells, by input column
	rowErr    error
}

type loanResult struct {
	job loanJob
	id  string
	dec loan.Decision
	err error
}

// loan decides the clause-14 subsidy of every loan in INPUT.
func (e *env) loan(ctx context.Context, args []string) error {
	fs := e.flags("loan")
	var policyFiles multi
	fs.Var(&policyFiles, "policy", "an overlay or policy file; repeatable")
	out := fs.String("o", "", "output file (.csv, .xlsx, .jsonl; - for JSONL on stdout); default stdout")
	settle := fs.String("settlement", "quarterly", "when interest is settled: quarterly, monthly, yearly or at-maturity")
	sheet := fs.String("sheet", "", "the sheet of an .xlsx input (default: the first)")
	encoding := fs.String("encoding", "", "the encoding of a .csv input: utf-8 or gb18030 (default: detect)")
	quiet := fs.Bool("q", false, "no summary on stderr")
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, errHelp) {
			fmt.Fprintln(e.stdout, "\ncolumns (the English name or the Chinese label may head a column):")
			for _, f := range loan.Fields() {
				opt := ""
				if !f.Required {
					opt = " (optional)"
				}
				fmt.Fprintf(e.stdout, "  %-18s %s%s\n", f.Name, f.Label, opt)
			}
		}
		return helped(err)
	}
	if len(pos) != 1 {
		return usageError("loan takes INPUT, got %d arguments", len(pos))
	}
	s, err := loan.ParseSettlement(*settle)
	if err != nil {
		return usageError("--settlement: %v", err)
	}
	set, err := loadPolicy(policyFiles)
	if err != nil {
		return err
	}
	calc, err := loan.New(loan.WithPolicy(set), loan.WithSettlement(s))
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := refuseSameFile(pos[0], *out); err != nil {
		return err
	}
	var fields [][]string
	for _, f := range loan.Fields() {
		fields = append(fields, []string{f.Name, f.Label})
	}
	in, err := table.Open(pos[0], e.stdin, table.ReadOptions{Sheet: *sheet, Encoding: *encoding, Fields: fields})
	if err != nil {
		return usageError("cannot read input: %v", err)
	}
	defer in.Close()
	index, err := loanColumns(in.Header())
	if err != nil {
		return usageError("%s: %v", pos[0], err)
	}
	outPath := *out
	if outPath == "" {
		outPath = "-"
		if f, _ := table.FormatOf(pos[0]); f != table.JSONL {
			outPath = "stdout.csv"
		}
	}
	cols := []table.Column{{Name: "row", Kind: table.Int}, {Name: "line", Kind: table.Int}, {Name: "id", Input: true}, {Name: "pass", Kind: table.Bool},
		{Name: "reasons", Kind: table.List}, {Name: "interest", Kind: table.Number}, {Name: "subsidy", Kind: table.Number},
		{Name: "borrower_interest", Kind: table.Number}, {Name: "overdue", Kind: table.Number},
		{Name: "periods", Kind: table.JSON}, {Name: "findings", Kind: table.List}, {Name: "error", Kind: table.Problem}}
	w, err := e.createOutput(outPath, cols, pos[0])
	if err != nil {
		return usageError("cannot write output: %v", err)
	}
	sum := loanSummary{policy: policyLines(set)}
	next := func() (loanJob, bool, error) {
		row, cells, err := in.Next()
		if errors.Is(err, io.EOF) {
			return loanJob{}, false, nil
		}
		var re *table.RowError
		if errors.As(err, &re) {
			return loanJob{row: row, line: re.Line, rowErr: re.Err}, true, nil
		}
		if err != nil {
			return loanJob{}, false, err
		}
		return loanJob{row: row, line: in.Line(), cells: append([]string(nil), cells...)}, true, nil
	}
	// The loan is read and decided by the library, as eval decides the
	// loan rule: the two give the same eligibility and reasons.
	decide := func(j loanJob) loanResult {
		if j.rowErr != nil {
			return loanResult{job: j}
		}
		get := func(name string) string {
			if i := index[name]; i >= 0 {
				return j.cells[i]
			}
			return ""
		}
		r := loanResult{job: j, id: strings.TrimSpace(get("id"))}
		l, err := loan.Parse(get)
		if err != nil {
			r.err = err
			return r
		}
		r.dec, r.err = calc.Subsidy(ctx, l)
		return r
	}
	// across is where each decided loan passes, in input order, before it
	// is written: the checks that span records (a loan id seen twice)
	// belong here, through the library. Nil: none yet.
	var across func(*loanResult)
	cells := make([]table.Cell, len(cols))
	emit := func(r loanResult) error {
		if across != nil {
			across(&r)
		}
		return w.Write(sum.add(r), loanCells(cells, r))
	}
	if err := batch.InOrder(ctx, 0, next, decide, emit); err != nil {
		w.Abort()
		return runError(pos[0], err)
	}
	if err := w.Close(sum.lines()); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("writing %s: %v", outPath, err)}
	}
	if !*quiet {
		writeSummary(e.stderr, sum.lines())
	}
	if sum.errors > 0 {
		return errSomeFailed
	}
	return nil
}

// loanColumns maps each loan field to its column index (-1 if absent),
// by its English name or Chinese label.
func loanColumns(header []string) (map[string]int, error) {
	index := map[string]int{}
	var missing []string
	for _, f := range loan.Fields() {
		index[f.Name] = -1
		for i, h := range header {
			if h == f.Name || h == f.Label {
				index[f.Name] = i
			}
		}
		if f.Required && index[f.Name] < 0 {
			missing = append(missing, fmt.Sprintf("%s (%s)", f.Name, f.Label))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no column for %s", strings.Join(missing, ", "))
	}
	return index, nil
}

type periodJSON struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Days     int    `json:"days"`
	Interest string `json:"interest"`
	Covered  string `json:"covered"`
}

func loanCells(cells []table.Cell, r loanResult) []table.Cell {
	clear(cells)
	cells[0].Text = strconv.Itoa(r.job.row)
	cells[1].Text = strconv.Itoa(r.job.line)
	cells[2].Text = r.id
	if p := loanProblem(r); p.Text != "" {
		cells[11] = p
		return cells
	}
	d := r.dec
	cells[3].Text = strconv.FormatBool(d.Granted)
	for _, x := range d.Reasons {
		cells[4].List = append(cells[4].List, x.Code)
	}
	cells[5].Text = d.Schedule.Interest.StringFixed(2)
	cells[6].Text = d.Schedule.Covered.StringFixed(2)
	cells[7].Text = d.Schedule.Borrower.StringFixed(2)
	cells[8].Text = d.Schedule.Overdue.StringFixed(2)
	ps := make([]periodJSON, len(d.Schedule.Periods))
	for i, p := range d.Schedule.Periods {
		ps[i] = periodJSON{From: p.From.String(), To: p.To.String(), Days: p.Days,
			Interest: p.Interest.StringFixed(2), Covered: p.Covered.StringFixed(2)}
		cells[9].List = append(cells[9].List, fmt.Sprintf("%s..%s:%s/%s", p.From, p.To, ps[i].Interest, ps[i].Covered))
	}
	b, _ := json.Marshal(ps)
	cells[9].Text = string(b)
	for _, f := range d.Notes {
		cells[10].List = append(cells[10].List, f.Code)
	}
	return cells
}

func loanProblem(r loanResult) table.Cell {
	switch {
	case r.job.rowErr != nil:
		return table.Cell{Text: "row cannot be read: " + r.job.rowErr.Error()}
	case r.err != nil:
		var fe *loan.FieldError
		if errors.As(r.err, &fe) {
			return table.Cell{Field: fe.Field, Text: fmt.Sprintf("%s: %v", fe.Field, fe.Err)}
		}
		return table.Cell{Text: r.err.Error()}
	}
	return table.Cell{}
}

// loanSummary counts a loan run and sums its money.
type loanSummary struct {
	policy                             [][]string
	records, eligible, refused, errors int
	interest, subsidy, borrower        decimal.Decimal
}

func (s *loanSummary) add(r loanResult) table.Status {
	s.records++
	if p := loanProblem(r); p.Text != "" {
		s.errors++
		return table.Error
	}
	s.interest = s.interest.Add(r.dec.Schedule.Interest)
	s.subsidy = s.subsidy.Add(r.dec.Schedule.Covered)
	s.borrower = s.borrower.Add(r.dec.Schedule.Borrower)
	if r.dec.Granted {
		s.eligible++
		return table.OK
	}
	s.refused++
	return table.Failed
}

func (s *loanSummary) lines() [][]string {
	return append(append([][]string{{"规则 rule", loan.Rule}}, s.policy...), [][]string{
		{"判定日期 as of", "each loan's start day (放款日期)"},
		{"贷款笔数 records", strconv.Itoa(s.records)},
		{"符合贴息条件 passed", strconv.Itoa(s.eligible)},
		{"不符合 not passed", strconv.Itoa(s.refused)},
		{"无法判定 errors", strconv.Itoa(s.errors)},
		{"合计 利息 interest", s.interest.StringFixed(2)},
		{"合计 贴息 subsidy", s.subsidy.StringFixed(2)},
		{"合计 借款人负担 borrower_interest", s.borrower.StringFixed(2)},
	}...)
}
