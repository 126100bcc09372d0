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
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// loanFields are the loan input columns, by English name and Chinese label.
var loanFields = []struct{ name, label string }{
	{"id", "编号"}, {"poverty_relieved", "脱贫人口"}, {"monitored", "监测对象"},
	{"principal", "贷款金额"}, {"annual_rate", "年利率"}, {"start", "放款日期"}, {"maturity", "到期日期"},
	{"repaid_on", "还清日期"}, {"repayments", "还款记录"}, {"extended_to", "展期到期日"},
	{"extension_rate", "展期年利率"}, {"renews", "续贷原贷款编号"},
}

var loanRequired = []string{"poverty_relieved", "monitored", "principal", "annual_rate", "start", "maturity"}

// loanJob is one loan row on its way through the pipeline.
type loanJob struct {
	row    int
	id     string
	loan   loan.Loan
	field  string // the field of a problem found while reading the row
	rowErr error
}

type loanResult struct {
	job loanJob
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
		return err
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
	in, err := table.Open(pos[0], e.stdin, table.ReadOptions{Sheet: *sheet, Encoding: *encoding})
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
	cols := []table.Column{{Name: "row", Kind: table.Int}, {Name: "id"}, {Name: "pass", Kind: table.Bool},
		{Name: "reasons", Kind: table.List}, {Name: "interest", Kind: table.Number}, {Name: "subsidy", Kind: table.Number},
		{Name: "borrower_interest", Kind: table.Number}, {Name: "overdue", Kind: table.Number},
		{Name: "periods", Kind: table.JSON}, {Name: "findings", Kind: table.List}, {Name: "error", Kind: table.Problem}}
	w, err := e.createOutput(outPath, cols)
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
			return loanJob{row: row, rowErr: re.Err}, true, nil
		}
		if err != nil {
			return loanJob{}, false, err
		}
		return readLoan(row, cells, index), true, nil
	}
	decide := func(j loanJob) loanResult {
		if j.rowErr != nil {
			return loanResult{job: j}
		}
		d, err := calc.Subsidy(ctx, j.loan)
		return loanResult{job: j, dec: d, err: err}
	}
	cells := make([]table.Cell, len(cols))
	emit := func(r loanResult) error {
		return w.Write(sum.add(r), loanCells(cells, r))
	}
	if err := batch.InOrder(ctx, 0, next, decide, emit); err != nil {
		w.Abort()
		return &exitError{code: 2, err: fmt.Errorf("%s: %v", pos[0], err)}
	}
	if err := w.Close(sum.lines()); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("writing %s: %v", outPath, err)}
	}
	if !*quiet {
		for _, l := range sum.lines() {
			fmt.Fprintf(e.stderr, "%s: %s\n", l[0], l[1])
		}
	}
	if sum.errors > 0 {
		return errSomeFailed
	}
	return nil
}

// loanColumns maps each loan field to its column index (-1 if absent).
func loanColumns(header []string) (map[string]int, error) {
	index := map[string]int{}
	for _, f := range loanFields {
		index[f.name] = -1
		for i, h := range header {
			if h == f.name || h == f.label {
				index[f.name] = i
			}
		}
	}
	var missing []string
	for _, name := range loanRequired {
		if index[name] < 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no column for %s", strings.Join(missing, ", "))
	}
	return index, nil
}

// readLoan reads one row into a loan; a field that cannot be read is
// reported in the job.
func readLoan(row int, cells []string, index map[string]int) loanJob {
	j := loanJob{row: row}
	get := func(name string) string {
		if i := index[name]; i >= 0 {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	j.id = get("id")
	l := loan.Loan{ID: j.id, Renews: get("renews")}
	fail := func(field string, err error) loanJob {
		j.field, j.rowErr = field, err
		return j
	}
	fields := []struct {
		name     string
		typ      rules.Type
		optional bool
		set      func(rules.Value)
	}{
		{"poverty_relieved", rules.TypeBool, false, func(v rules.Value) { l.PovertyRelieved = v.Bool() }},
		{"monitored", rules.TypeBool, false, func(v rules.Value) { l.Monitored = v.Bool() }},
		{"principal", rules.TypeMoney, false, func(v rules.Value) { l.Principal = v.Decimal() }},
		{"annual_rate", rules.TypeDecimal, false, func(v rules.Value) { l.AnnualRate = v.Decimal() }},
		{"start", rules.TypeDate, false, func(v rules.Value) { l.Start = v.Date() }},
		{"maturity", rules.TypeDate, false, func(v rules.Value) { l.Maturity = v.Date() }},
		{"repaid_on", rules.TypeDate, true, func(v rules.Value) {
			l.Repayments = []loan.Repayment{{Date: v.Date(), Amount: l.Principal}}
		}},
		{"extended_to", rules.TypeDate, true, func(v rules.Value) { l.Extension = &loan.Extension{To: v.Date()} }},
		{"extension_rate", rules.TypeDecimal, true, func(v rules.Value) {
			if l.Extension == nil {
				l.Extension = &loan.Extension{} // reported below
			}
			l.Extension.Rate = v.Decimal()
		}},
	}
	for _, f := range fields {
		text := get(f.name)
		if text == "" && f.optional {
			continue
		}
		v, err := rules.ParseValue(f.typ, text)
		if err != nil {
			return fail(f.name, err)
		}
		f.set(v)
	}
	if l.Extension != nil && l.Extension.To.IsZero() {
		return fail("extension_rate", errors.New("an extension rate needs extended_to"))
	}
	if text := get("repayments"); text != "" {
		if l.Repayments != nil {
			return fail("repayments", errors.New("give repaid_on or repayments, not both"))
		}
		for _, part := range strings.Split(text, ";") {
			ds, as, ok := strings.Cut(strings.TrimSpace(part), ":")
			if !ok {
				return fail("repayments", fmt.Errorf("%q: write each repayment as YYYY-MM-DD:amount", part))
			}
			day, err := rules.ParseValue(rules.TypeDate, ds)
			if err != nil {
				return fail("repayments", err)
			}
			amt, err := rules.ParseValue(rules.TypeMoney, as)
			if err != nil {
				return fail("repayments", err)
			}
			l.Repayments = append(l.Repayments, loan.Repayment{Date: day.Date(), Amount: amt.Decimal()})
		}
	}
	j.loan = l
	return j
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
	cells[1].Text = r.job.id
	if p := loanProblem(r); p.Text != "" {
		cells[10] = p
		return cells
	}
	d := r.dec
	cells[2].Text = strconv.FormatBool(d.Granted)
	for _, x := range d.Reasons {
		cells[3].List = append(cells[3].List, x.Code)
	}
	cells[4].Text = d.Schedule.Interest.StringFixed(2)
	cells[5].Text = d.Schedule.Covered.StringFixed(2)
	cells[6].Text = d.Schedule.Borrower.StringFixed(2)
	cells[7].Text = d.Schedule.Overdue.StringFixed(2)
	ps := make([]periodJSON, len(d.Schedule.Periods))
	for i, p := range d.Schedule.Periods {
		ps[i] = periodJSON{From: p.From.String(), To: p.To.String(), Days: p.Days,
			Interest: p.Interest.StringFixed(2), Covered: p.Covered.StringFixed(2)}
		cells[8].List = append(cells[8].List, fmt.Sprintf("%s..%s:%s/%s", p.From, p.To, ps[i].Interest, ps[i].Covered))
	}
	b, _ := json.Marshal(ps)
	cells[8].Text = string(b)
	for _, f := range d.Notes {
		cells[9].List = append(cells[9].List, f.Code)
	}
	return cells
}

func loanProblem(r loanResult) table.Cell {
	switch {
	case r.job.rowErr != nil && r.job.field != "":
		return table.Cell{Field: r.job.field, Text: fmt.Sprintf("%s: %v", r.job.field, r.job.rowErr)}
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
		{"贷款笔数 records", strconv.Itoa(s.records)},
		{"符合贴息条件 passed", strconv.Itoa(s.eligible)},
		{"不符合 not passed", strconv.Itoa(s.refused)},
		{"无法判定 errors", strconv.Itoa(s.errors)},
		{"合计 利息 interest", s.interest.StringFixed(2)},
		{"合计 贴息 subsidy", s.subsidy.StringFixed(2)},
		{"合计 借款人负担 borrower_interest", s.borrower.StringFixed(2)},
	}...)
}
