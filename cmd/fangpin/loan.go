package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ruralrelief/fangpin/internal/batch"
	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// loanJob is one loan row on its way through the pipeline.
type loanJob struct {
	row, line int
	cells     []string // the row's cells, by input column
	rowErr    error
}

type loanResult struct {
	job  loanJob
	id   string
	loan loan.Loan
	dec  loan.Decision
	err  error
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
	on := fs.String("on", "", "decide each loan's interest up to DATE, YYYY-MM-DD, as the bank's statement of that day (the day not counted); default: the whole loan")
	lf := addLedgerFlags(fs)
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
	var asOf rules.Date
	if *on != "" {
		if asOf, err = rules.ParseDate(*on); err != nil {
			return usageError("--on: %v", err)
		}
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
	// JSONL has one column: each record is the loan decision's JSON
	// (docs/json.md) with its row and line.
	cols := []table.Column{{Kind: table.Object}}
	if f, _ := table.FormatOf(outPath); outPath != "-" && f != table.JSONL {
		cols = []table.Column{{Name: "row", Kind: table.Int}, {Name: "line", Kind: table.Int}, {Name: "id", Input: true}, {Name: "pass", Kind: table.Bool},
			{Name: "reasons", Kind: table.List}, {Name: "interest", Kind: table.Number}, {Name: "subsidy", Kind: table.Number},
			{Name: "borrower_interest", Kind: table.Number}, {Name: "overdue", Kind: table.Number},
			{Name: "periods", Kind: table.JSON}, {Name: "notes", Kind: table.List}, {Name: "error", Kind: table.Problem}}
		if *lf.dsn != "" {
			// With a ledger: what this batch pays, after the subsidy.
			cols = slices.Insert(cols, colPayable, table.Column{Name: "subsidy_payable", Kind: table.Number})
		}
	}
	checks, err := e.openAcross(ctx, set, loan.Rule, pos[0], lf)
	if err != nil {
		return err
	}
	defer checks.close()
	if err := checks.sameDay(ctx, pos[0], asOf); err != nil {
		return err
	}
	w, err := e.createOutput(outPath, cols, pos[0])
	if err != nil {
		return usageError("cannot write output: %v", err)
	}
	sum := loanSummary{policy: policyLines(set), asOf: asOf, ledgered: checks.ledgered()}
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
		r.loan, r.err = loan.Parse(get)
		switch {
		case r.err != nil:
		case asOf.IsZero():
			r.dec, r.err = calc.Subsidy(ctx, r.loan)
		default:
			r.dec, r.err = calc.SubsidyAsOf(ctx, r.loan, asOf)
		}
		return r
	}
	// Each decided loan passes, in input order, through the policy's
	// checks across records (a loan listed twice is refused) and, with a
	// ledger, the periods earlier batches paid, as eval's loan rule does,
	// then is written.
	cells := make([]table.Cell, len(cols))
	var line []byte
	emit := func(r *loanResult) error {
		if r.err == nil && r.job.rowErr == nil {
			var err error
			r.dec, err = checks.loan(ctx, calc, r.job.row, r.job.line, r.loan, r.dec)
			var ie *rules.InputError
			switch {
			case errors.As(err, &ie): // this loan only: say so in its row
				r.err = err
			case err != nil:
				return err
			}
		}
		status := sum.add(*r)
		if len(cols) == 1 {
			line = r.appendJSON(line[:0])
			cells[0].Text = string(line)
		} else {
			loanCells(cells, *r)
		}
		return w.Write(status, cells)
	}
	if err := batch.InOrder(ctx, 0, next, batch.Shared(decide), emit); err != nil {
		w.Abort()
		return runError(pos[0], err)
	}
	if sum.ledger, err = checks.commit(ctx); err != nil {
		w.Abort()
		return err
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

// appendJSON appends the loan's record as JSON: the decision's own JSON
// (loan.Decision.MarshalJSON) with row and line in front, or, when it could
// not be decided, the decision object with its error (rules.AppendJSON).
func (r loanResult) appendJSON(dst []byte) []byte {
	o := rules.JSONOptions{Row: r.job.row, Line: r.job.line, ID: r.id}
	if err := r.problem(); err != nil {
		return rules.AppendJSON(dst, rules.Result{Rule: loan.Rule}, err, o)
	}
	js, err := r.dec.MarshalJSON()
	if err != nil {
		return rules.AppendJSON(dst, rules.Result{Rule: loan.Rule}, err, o)
	}
	dst = append(dst, `{"row":`...)
	dst = strconv.AppendInt(dst, int64(r.job.row), 10)
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(r.job.line), 10)
	dst = append(dst, ',')
	return append(dst, js[1:]...)
}

// problem is why the loan could not be decided, or nil.
func (r loanResult) problem() error {
	if r.job.rowErr != nil {
		return fmt.Errorf("row cannot be read: %w", r.job.rowErr)
	}
	return r.err
}

// colPayable is the column of subsidy_payable, when a run with a ledger
// has it: after subsidy.
const colPayable = 7

// loanCells fills the cells of the loan's row; with one cell more than the
// 12 columns of a run without a ledger, the subsidy payable now is at
// colPayable and the columns after it move one on.
func loanCells(cells []table.Cell, r loanResult) []table.Cell {
	clear(cells)
	cells[0].Text = strconv.Itoa(r.job.row)
	cells[1].Text = strconv.Itoa(r.job.line)
	cells[2].Text = r.id
	rest := cells[colPayable:]
	if len(cells) > 12 {
		rest = cells[colPayable+1:]
	}
	if err := r.problem(); err != nil {
		p := rules.ProblemOf(err)
		rest[4] = table.Cell{Field: p.Field, Text: p.Message}
		return cells
	}
	d := r.dec
	cells[3].Text = strconv.FormatBool(d.Granted)
	for _, x := range d.Reasons {
		cells[4].List = append(cells[4].List, x.Code)
	}
	cells[5].Text = d.Schedule.Interest.StringFixed(2)
	cells[6].Text = d.Schedule.Covered.StringFixed(2)
	if len(cells) > 12 && d.Checked {
		cells[colPayable].Text = d.Payable.StringFixed(2)
	}
	rest[0].Text = d.Schedule.Borrower.StringFixed(2)
	rest[1].Text = d.Schedule.Overdue.StringFixed(2)
	ps := make([]periodJSON, len(d.Schedule.Periods))
	for i, p := range d.Schedule.Periods {
		ps[i] = periodJSON{From: p.From.String(), To: p.To.String(), Days: p.Days,
			Interest: p.Interest.StringFixed(2), Covered: p.Covered.StringFixed(2)}
		rest[2].List = append(rest[2].List, fmt.Sprintf("%s..%s:%s/%s", p.From, p.To, ps[i].Interest, ps[i].Covered))
	}
	b, _ := json.Marshal(ps)
	rest[2].Text = string(b)
	for _, f := range d.Notes {
		rest[3].List = append(rest[3].List, f.Code)
	}
	return cells
}

// loanSummary counts a loan run and sums its money.
type loanSummary struct {
	policy                             [][]string
	asOf                               rules.Date // --on; zero for the whole loan
	ledgered                           bool       // checked against a ledger: subsidy_payable
	ledger                             [][]string // what was recorded in the ledger
	records, eligible, refused, errors int
	interest, subsidy, payable         decimal.Decimal
	borrower                           decimal.Decimal
}

func (s *loanSummary) add(r loanResult) table.Status {
	s.records++
	if r.problem() != nil {
		s.errors++
		return table.Error
	}
	s.interest = s.interest.Add(r.dec.Schedule.Interest)
	s.subsidy = s.subsidy.Add(r.dec.Schedule.Covered)
	s.payable = s.payable.Add(r.dec.Payable)
	s.borrower = s.borrower.Add(r.dec.Schedule.Borrower)
	if r.dec.Granted {
		s.eligible++
		return table.OK
	}
	s.refused++
	return table.Failed
}

func (s *loanSummary) lines() [][]string {
	asOf := "each loan's start day (放款日期)"
	if !s.asOf.IsZero() {
		asOf += fmt.Sprintf("; interest up to %s (not counted), --on", s.asOf)
	}
	out := append(append([][]string{{"规则 rule", loan.Rule}}, s.policy...), [][]string{
		{"判定日期 as of", asOf},
		{"贷款笔数 records", strconv.Itoa(s.records)},
		{"符合贴息条件 passed", strconv.Itoa(s.eligible)},
		{"不符合 not passed", strconv.Itoa(s.refused)},
		{"无法判定 errors", strconv.Itoa(s.errors)},
		{"合计 利息 interest", s.interest.StringFixed(2)},
		{"合计 贴息 subsidy", s.subsidy.StringFixed(2)},
	}...)
	if s.ledgered {
		out = append(out, []string{"合计 本批应付贴息 subsidy_payable", s.payable.StringFixed(2)})
	}
	out = append(out, []string{"合计 借款人负担 borrower_interest", s.borrower.StringFixed(2)})
	return append(out, s.ledger...)
}
