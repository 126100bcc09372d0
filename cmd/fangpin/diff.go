package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ruralrelief/fangpin/internal/batch"
	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// side is one of the two policies diff decides a sheet under, with what
// its decisions pass through: the loan library for the loan rule, and the
// policy's checks across records.
type side struct {
	set    *rules.Set
	calc   *loan.Calculator // the loan rule only
	checks *across
	sum    *summary
	totals []decimal.Decimal // per diff field
}

// diffField is one figure diff compares: a rule output or, for the loan
// rule, the subsidy and the borrower's share the loan library computes.
type diffField struct {
	name, label string
	places      int32
	money       bool
	value       func(d decision) (decimal.Decimal, bool)
}

// diffFields are the figures compared for rule info: every output, then
// for the loan rule the subsidy and the borrower's interest.
func diffFields(info rules.RuleInfo, isLoan bool) []diffField {
	var fs []diffField
	for _, o := range info.Outputs {
		fs = append(fs, diffField{name: o.Name, label: o.Label, places: o.Rounding.Places, money: money(o),
			value: func(d decision) (decimal.Decimal, bool) {
				for _, out := range d.res.Outputs {
					if out.Name == o.Name {
						return out.Value, true
					}
				}
				return decimal.Decimal{}, false
			}})
	}
	if isLoan {
		fs = append(fs,
			diffField{name: "subsidy", label: "贴息金额", places: 2, money: true,
				value: func(d decision) (decimal.Decimal, bool) {
					return loanFigure(d, func(s loan.Schedule) decimal.Decimal { return s.Covered })
				}},
			diffField{name: "borrower_interest", label: "借款人承担利息", places: 2, money: true,
				value: func(d decision) (decimal.Decimal, bool) {
					return loanFigure(d, func(s loan.Schedule) decimal.Decimal { return s.Borrower })
				}})
	}
	return fs
}

// loanFigure is a figure of a decided loan's schedule; none for a loan
// that could not be read.
func loanFigure(d decision, figure func(loan.Schedule) decimal.Decimal) (decimal.Decimal, bool) {
	if d.loan == nil {
		return decimal.Decimal{}, false
	}
	return figure(d.loan.ld.Schedule), true
}

// diffPair is one record decided under both policies.
type diffPair struct {
	before, after decision
}

// diff decides one sheet under two policies and writes every record whose
// outcome or figures differ, with both decisions and the differences;
// the summary totals each money figure before and after.
func (e *env) diff(ctx context.Context, args []string) error {
	fs := e.flags("diff")
	var afterFiles, beforeFiles multi
	fs.Var(&afterFiles, "policy", "an overlay (or policy file) the sheet is decided under after the change; repeatable")
	fs.Var(&beforeFiles, "base", "an overlay (or policy file) the sheet is decided under before the change (default: the default policy alone); repeatable")
	on := fs.String("on", "", "the as-of date for rows without an as_of column, YYYY-MM-DD (default: today)")
	out := fs.String("o", "", "output file (.csv, .xlsx, .jsonl; - for JSONL on stdout); default stdout")
	sheet := fs.String("sheet", "", "the sheet of an .xlsx input (default: the first)")
	encoding := fs.String("encoding", "", "the encoding of a .csv input: utf-8 or gb18030 (default: detect)")
	quiet := fs.Bool("q", false, "no summary on stderr")
	pos, err := parse(fs, args)
	if err != nil {
		return helped(err)
	}
	if len(pos) != 2 {
		return usageError("diff takes RULE and INPUT, got %d arguments", len(pos))
	}
	if len(afterFiles) == 0 {
		return usageError("diff needs --policy OVERLAY: the change whose effect it shows")
	}
	beforeSet, info, day, err := e.ruleOn(beforeFiles, pos[0], *on)
	if err != nil {
		return err
	}
	afterSet, afterInfo, _, err := e.ruleOn(afterFiles, pos[0], *on)
	if err != nil {
		return err
	}
	if !sameOutputs(info, afterInfo) {
		return usageError("rule %s has other outputs under --policy than under --base; diff compares one rule's outputs", info.ID)
	}
	if err := refuseSameFile(pos[1], *out); err != nil {
		return err
	}
	isLoan := info.ID == loan.Rule
	in, err := table.Open(pos[1], e.stdin, table.ReadOptions{Sheet: *sheet, Encoding: *encoding, Fields: ruleFields(info, isLoan)})
	if err != nil {
		return usageError("cannot read input: %v", err)
	}
	defer in.Close()
	cols, err := mapColumns(info, in.Header())
	if err != nil {
		return usageError("%s: %v", pos[1], err)
	}
	var loanIndex map[string]int
	if isLoan {
		if loanIndex, err = loanColumns(in.Header()); err != nil {
			return usageError("%s: %v", pos[1], err)
		}
	}
	fields := diffFields(info, isLoan)
	var sides [2]*side
	for i, set := range []*rules.Set{beforeSet, afterSet} {
		s := &side{set: set, checks: &across{tally: set.NewTally(pos[1], nil)}, sum: newSummary(info, set),
			totals: make([]decimal.Decimal, len(fields))}
		if isLoan {
			if s.calc, err = loan.New(loan.WithPolicy(set)); err != nil {
				return &exitError{code: 2, err: err}
			}
		}
		sides[i] = s
	}
	before, after := sides[0], sides[1]

	outPath := *out
	if outPath == "" {
		outPath = "-"
		if f, _ := table.FormatOf(pos[1]); f != table.JSONL {
			outPath = "stdout.csv"
		}
	}
	outCols, keepInput := diffColumns(info, fields, in.Header(), outPath)
	w, err := e.createOutput(outPath, outCols, pos[1])
	if err != nil {
		return usageError("cannot write output: %v", err)
	}

	onDay := rules.On(day.day)
	decideOn := func(s *side, r record) decision {
		if r.rowErr != nil {
			return decision{rec: r}
		}
		if isLoan {
			return decideLoan(ctx, s.calc, info, r, loanIndex)
		}
		input := make(rules.Input, len(cols.fields))
		for i, name := range cols.fields {
			if name != "" {
				input[name] = rules.Text(r.cells[i])
			}
		}
		res, err := s.set.Eval(ctx, info.ID, input, onDay)
		d := decision{rec: r, in: input, res: res, err: err}
		d.format(info)
		return d
	}
	decide := func(r record) diffPair {
		return diffPair{before: decideOn(before, r), after: decideOn(after, r)}
	}
	total, changed := 0, 0
	cells := make([]table.Cell, len(outCols))
	width := len(in.Header())
	// Each policy's decisions pass, in input order, through that policy's
	// checks across records, as eval's do; then the two are compared.
	emit := func(p *diffPair) error {
		total++
		for _, x := range []struct {
			s *side
			d *decision
		}{{before, &p.before}, {after, &p.after}} {
			if _, err := x.d.across(ctx, x.s.checks, info, x.s.calc, onDay); err != nil {
				return err
			}
			x.s.sum.add(x.d)
			if x.d.problem() == nil {
				for i, f := range fields {
					if v, ok := f.value(*x.d); ok {
						x.s.totals[i] = x.s.totals[i].Add(v)
					}
				}
			}
		}
		if !differs(*p, fields) {
			return nil
		}
		changed++
		fillDiff(cells, info, fields, *p, keepInput, width)
		return w.Write(diffStatus(p.after), cells)
	}
	if err := batch.InOrder(ctx, 0, records(in, cols), batch.Shared(decide), emit); err != nil {
		w.Abort()
		return runError(pos[1], err)
	}
	lines := diffSummary(info, fields, before, after, day.describe(cols.fields, isLoan), total, changed)
	if err := w.Close(lines); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("writing %s: %v", outPath, err)}
	}
	if !*quiet {
		writeSummary(e.stderr, lines)
	}
	if before.sum.errors > 0 || after.sum.errors > 0 {
		return errSomeFailed
	}
	return nil
}

func sameOutputs(a, b rules.RuleInfo) bool {
	return slices.EqualFunc(a.Outputs, b.Outputs, func(x, y rules.OutputInfo) bool {
		return x.Name == y.Name && x.Rounding == y.Rounding
	})
}

// differs reports whether the two decisions of a record differ: one could
// not be decided and the other could, or with another error; or in pass,
// reasons or any figure.
func differs(p diffPair, fields []diffField) bool {
	eb, ea := p.before.problem(), p.after.problem()
	switch {
	case eb != nil || ea != nil:
		return eb == nil || ea == nil || eb.Error() != ea.Error()
	case p.before.res.Pass != p.after.res.Pass:
		return true
	case !slices.Equal(reasonCodes(p.before.res), reasonCodes(p.after.res)):
		return true
	}
	for _, f := range fields {
		b, _ := f.value(p.before)
		a, _ := f.value(p.after)
		if !b.Equal(a) {
			return true
		}
	}
	return false
}

func reasonCodes(res rules.Result) []string {
	codes := make([]string, len(res.Reasons))
	for i, r := range res.Reasons {
		codes[i] = r.Code
	}
	return codes
}

// diffStatus marks an output row by the decision after the change.
func diffStatus(d decision) table.Status {
	switch {
	case d.problem() != nil:
		return table.Error
	case d.res.Pass:
		return table.OK
	}
	return table.Failed
}

// diffColumns returns the output columns of diff: for XLSX the input
// columns first; then row, line, id, rule, pass before and after, each
// figure before, after and (money) the difference, the reasons and errors
// before and after.
func diffColumns(info rules.RuleInfo, fields []diffField, header []string, outPath string) ([]table.Column, bool) {
	var cols []table.Column
	f, _ := table.FormatOf(outPath)
	keep := f == table.XLSX && outPath != "-"
	if keep {
		for _, h := range header {
			cols = append(cols, table.Column{Name: h, Kind: table.Text, Input: true})
		}
	}
	cols = append(cols, table.Column{Name: "row", Kind: table.Int}, table.Column{Name: "line", Kind: table.Int},
		table.Column{Name: "id", Kind: table.Text, Input: true}, table.Column{Name: "rule", Kind: table.Text},
		table.Column{Name: "pass_before", Kind: table.Bool}, table.Column{Name: "pass_after", Kind: table.Bool})
	for _, fd := range fields {
		cols = append(cols, table.Column{Name: fd.name + "_before", Kind: table.Number}, table.Column{Name: fd.name + "_after", Kind: table.Number})
		if fd.money {
			cols = append(cols, table.Column{Name: fd.name + "_difference", Kind: table.Number})
		}
	}
	return append(cols, table.Column{Name: "reasons_before", Kind: table.List}, table.Column{Name: "reasons_after", Kind: table.List},
		table.Column{Name: "error_before", Kind: table.Problem}, table.Column{Name: "error_after", Kind: table.Problem}), keep
}

// fillDiff renders a changed record into the output cells.
func fillDiff(cells []table.Cell, info rules.RuleInfo, fields []diffField, p diffPair, keepInput bool, width int) {
	clear(cells)
	i := 0
	if keepInput {
		for ; i < width; i++ {
			if i < len(p.before.rec.cells) {
				cells[i].Text = p.before.rec.cells[i]
			}
		}
	}
	cells[i].Text = strconv.Itoa(p.before.rec.row)
	cells[i+1].Text = strconv.Itoa(p.before.rec.line)
	cells[i+2].Text = p.before.rec.id
	cells[i+3].Text = info.ID
	i += 4
	eb, ea := describeError(&p.before), describeError(&p.after)
	if eb.Text == "" {
		cells[i].Text = strconv.FormatBool(p.before.res.Pass)
	}
	if ea.Text == "" {
		cells[i+1].Text = strconv.FormatBool(p.after.res.Pass)
	}
	i += 2
	for _, f := range fields {
		b, okb := f.value(p.before)
		a, oka := f.value(p.after)
		okb = okb && eb.Text == ""
		oka = oka && ea.Text == ""
		if okb {
			cells[i].Text = b.StringFixed(f.places)
		}
		if oka {
			cells[i+1].Text = a.StringFixed(f.places)
		}
		i += 2
		if f.money {
			if okb && oka {
				cells[i].Text = a.Sub(b).StringFixed(f.places)
			}
			i++
		}
	}
	if eb.Text == "" {
		cells[i].List = reasonCodes(p.before.res)
	}
	if ea.Text == "" {
		cells[i+1].List = reasonCodes(p.after.res)
	}
	cells[i+2], cells[i+3] = eb, ea
}

// diffSummary is the summary of a diff, for stderr and the XLSX summary
// sheet: both policies, the records and the changed ones, and each money
// figure's total before, after and the difference.
func diffSummary(info rules.RuleInfo, fields []diffField, before, after *side, asOf []string, records, changed int) [][]string {
	policy := func(label string, set *rules.Set) []string {
		m := set.Meta()
		return []string{label, fmt.Sprintf("%s %s: %s", m.ID, m.Number, strings.Join(set.Sources(), ", ")), "sha256 " + set.Hash()}
	}
	count := func(b, a int) string { return fmt.Sprintf("%d -> %d", b, a) }
	lines := [][]string{
		{"规则 rule", info.ID + " " + info.Title},
		policy("改变前 before", before.set),
		policy("改变后 after", after.set),
		append([]string{"判定日期 as of"}, asOf...),
		{"记录数 records", strconv.Itoa(records)},
		{"有变化 changed", strconv.Itoa(changed)},
		{"符合条件 passed", count(before.sum.passed, after.sum.passed)},
		{"不符合条件 not passed", count(before.sum.failed, after.sum.failed)},
		{"无法判定 errors", count(before.sum.errors, after.sum.errors)},
	}
	for i, f := range fields {
		if !f.money {
			continue
		}
		b, a := before.totals[i], after.totals[i]
		name := fmt.Sprintf("合计 %s %s", f.label, f.name)
		lines = append(lines,
			[]string{name + " 改变前 before", b.StringFixed(2)},
			[]string{name + " 改变后 after", a.StringFixed(2)},
			[]string{name + " 差额 difference", a.Sub(b).StringFixed(2)})
	}
	codes := map[string]bool{}
	for c := range before.sum.reasons {
		codes[c] = true
	}
	for c := range after.sum.reasons {
		codes[c] = true
	}
	sorted := make([]string, 0, len(codes))
	for c := range codes {
		if before.sum.reasons[c] != after.sum.reasons[c] {
			sorted = append(sorted, c)
		}
	}
	sort.Strings(sorted)
	for _, c := range sorted {
		lines = append(lines, []string{"原因 " + c, count(before.sum.reasons[c], after.sum.reasons[c])})
	}
	return lines
}
