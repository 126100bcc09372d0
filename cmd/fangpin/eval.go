package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ruralrelief/fangpin/internal/batch"
	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// idHeaders are the column names that identify a record; the first found
// is echoed into the output's id field.
var idHeaders = []string{"id", "ID", "编号", "身份证号", "身份证号码"}

// record is one input row on its way through the pipeline.
type record struct {
	row    int
	cells  []string
	id     string
	rowErr error
}

// decision is the outcome for one record.
type decision struct {
	rec     record
	res     rules.Result
	err     error
	outputs []string // each output with its declared places, "" if none
	units   []int64  // each output in units of its last place (fen for money), for the sums
	exact   bool     // every output fits units
	// explanation is the decision explained, with --explain.
	explanation table.Cell
}

func (e *env) eval(ctx context.Context, args []string) error {
	fs := e.flags("eval")
	var policyFiles multi
	fs.Var(&policyFiles, "policy", "an overlay or policy file; repeatable")
	on := fs.String("on", "", "the as-of date for rows without an as_of column, YYYY-MM-DD (default: today)")
	out := fs.String("o", "", "output file (.csv, .xlsx, .jsonl; - for JSONL on stdout); default stdout")
	sheet := fs.String("sheet", "", "the sheet of an .xlsx input (default: the first)")
	encoding := fs.String("encoding", "", "the encoding of a .csv input: utf-8 or gb18030 (default: detect)")
	quiet := fs.Bool("q", false, "no summary or progress on stderr")
	explain := fs.Bool("explain", false, "add each decision's explanation: JSON in .jsonl, Chinese text in .csv and .xlsx")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError("eval takes RULE and INPUT, got %d arguments", len(pos))
	}
	set, info, day, err := e.ruleOn(policyFiles, pos[0], *on)
	if err != nil {
		return err
	}
	in, err := table.Open(pos[1], e.stdin, table.ReadOptions{Sheet: *sheet, Encoding: *encoding})
	if err != nil {
		return usageError("cannot read input: %v", err)
	}
	defer in.Close()
	cols, err := mapColumns(info, in.Header())
	if err != nil {
		return usageError("%s: %v", pos[1], err)
	}

	outPath := *out
	if outPath == "" {
		outPath = "-"
		if f, _ := table.FormatOf(pos[1]); f != table.JSONL {
			outPath = "stdout.csv" // the text family: CSV on stdout
		}
	}
	outCols, keepInput := resultColumns(info, in.Header(), outPath, *explain)
	w, err := e.createOutput(outPath, outCols)
	if err != nil {
		return usageError("cannot write output: %v", err)
	}

	sum := newSummary(info, set)
	prog := e.progress(*quiet, pos[1])
	next := func() (record, bool, error) {
		row, cells, err := in.Next()
		if errors.Is(err, io.EOF) {
			return record{}, false, nil
		}
		var re *table.RowError
		if errors.As(err, &re) {
			return record{row: row, rowErr: re.Err}, true, nil
		}
		if err != nil {
			return record{}, false, err
		}
		r := record{row: row, cells: append([]string(nil), cells...)}
		if cols.id >= 0 {
			r.id = cells[cols.id]
		}
		return r, true, nil
	}
	inputs := sync.Pool{New: func() any { return make(rules.Input, len(cols.fields)) }}
	onDay := rules.On(day)
	decide := func(r record) decision {
		if r.rowErr != nil {
			return decision{rec: r}
		}
		input := inputs.Get().(rules.Input)
		for i, name := range cols.fields {
			if name != "" {
				input[name] = rules.Text(r.cells[i])
			}
		}
		res, err := set.Eval(ctx, info.ID, input, onDay)
		inputs.Put(input) // Eval keeps no reference to the map
		d := decision{rec: r, res: res, err: err, outputs: make([]string, len(info.Outputs)),
			units: make([]int64, len(info.Outputs)), exact: true}
		if err == nil {
			for i, o := range info.Outputs {
				d.outputs[i] = outputText(res, o)
				v, _ := res.Output(o.Name) // o comes from the rule's own outputs
				u := v.Shift(o.Rounding.Places)
				if !u.IsInteger() || !u.BigInt().IsInt64() {
					d.exact = false
					continue
				}
				d.units[i] = u.IntPart()
			}
			if *explain {
				d.explanation = explanationCell(res.Explanation())
			}
		}
		return d
	}
	cells := make([]table.Cell, len(outCols))
	width := len(in.Header())
	emit := func(d decision) error {
		status := sum.add(d)
		fillCells(cells, info, d, keepInput, width)
		prog.add(1)
		return w.Write(status, cells)
	}
	if err := batch.InOrder(ctx, 0, next, decide, emit); err != nil {
		w.Abort()
		prog.finish()
		return &exitError{code: 2, err: fmt.Errorf("%s: %v", pos[1], err)}
	}
	prog.finish()
	if err := w.Close(sum.lines()); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("writing %s: %v", outPath, err)}
	}
	if !*quiet {
		sum.write(e.stderr)
	}
	if sum.errors > 0 {
		return errSomeFailed
	}
	return nil
}

// columns maps input columns to rule inputs.
type columns struct {
	fields []string // per input column: the input name, or ""
	id     int      // the id column, or -1
}

func mapColumns(info rules.RuleInfo, header []string) (columns, error) {
	c := columns{fields: make([]string, len(header)), id: -1}
	seen := map[string]string{}
	for i, h := range header {
		if c.id < 0 {
			for _, id := range idHeaders {
				if h == id {
					c.id = i
				}
			}
		}
		name, ok := info.Field(h)
		if !ok {
			continue
		}
		if prev, dup := seen[name]; dup {
			return c, fmt.Errorf("columns %q and %q are both input %s", prev, h, name)
		}
		seen[name] = h
		c.fields[i] = name
	}
	var missing []string
	for _, in := range info.Inputs {
		if _, ok := seen[in.Name]; !ok {
			missing = append(missing, fmt.Sprintf("%s (%s)", in.Name, in.Label))
		}
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("no column for %s; rule %s reads %s", strings.Join(missing, ", "), info.ID, inputList(info))
	}
	return c, nil
}

func inputList(info rules.RuleInfo) string {
	var s []string
	for _, in := range info.Inputs {
		s = append(s, fmt.Sprintf("%s/%s", in.Name, in.Label))
	}
	return strings.Join(s, ", ")
}

// resultColumns returns the output columns: for XLSX the input columns
// first, then the result fields of the design: row, id, rule, pass, one
// per output, reasons, error.
func resultColumns(info rules.RuleInfo, header []string, outPath string, explain bool) ([]table.Column, bool) {
	var cols []table.Column
	f, _ := table.FormatOf(outPath)
	keep := f == table.XLSX
	if keep {
		for _, h := range header {
			cols = append(cols, table.Column{Name: h, Kind: table.Text})
		}
	}
	cols = append(cols, table.Column{Name: "row", Kind: table.Int}, table.Column{Name: "id", Kind: table.Text},
		table.Column{Name: "rule", Kind: table.Text}, table.Column{Name: "pass", Kind: table.Bool})
	for _, o := range info.Outputs {
		cols = append(cols, table.Column{Name: o.Name, Kind: table.Number})
	}
	cols = append(cols, table.Column{Name: "reasons", Kind: table.List}, table.Column{Name: "error", Kind: table.Problem})
	if explain {
		cols = append(cols, table.Column{Name: "explanation", Kind: table.JSON})
	}
	return cols, keep
}

func (e *env) createOutput(path string, cols []table.Column) (table.Writer, error) {
	switch path {
	case "-":
		return table.NewWriter(e.stdout, table.JSONL, cols)
	case "stdout.csv":
		return table.NewWriter(e.stdout, table.CSV, cols)
	}
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, err
		}
	}
	return table.Create(path, e.stdout, cols)
}

// fillCells renders one decision into the output cells.
func fillCells(cells []table.Cell, info rules.RuleInfo, d decision, keepInput bool, width int) {
	clear(cells)
	i := 0
	if keepInput {
		for ; i < width; i++ {
			if i < len(d.rec.cells) {
				cells[i].Text = d.rec.cells[i]
			}
		}
	}
	cells[i].Text = strconv.Itoa(d.rec.row)
	cells[i+1].Text = d.rec.id
	cells[i+2].Text = info.ID
	i += 3
	problem := describeError(d)
	if problem.Text == "" {
		cells[i].Text = strconv.FormatBool(d.res.Pass)
	}
	i++
	for j := range info.Outputs {
		if problem.Text == "" {
			cells[i].Text = d.outputs[j]
		}
		i++
	}
	codes := make([]string, 0, len(d.res.Reasons))
	for _, r := range d.res.Reasons {
		codes = append(codes, r.Code)
	}
	cells[i].List = codes
	cells[i+1] = problem
	if i+2 < len(cells) {
		cells[i+2] = d.explanation
	}
}

// explanationCell renders an explanation as JSON (for JSONL) and as
// Chinese text (for CSV and XLSX).
func explanationCell(ex rules.Explanation) table.Cell {
	js, err := json.Marshal(ex)
	if err != nil {
		js = []byte("null")
	}
	var text strings.Builder
	ex.WriteText(&text)
	return table.Cell{Text: string(js), List: []string{strings.TrimRight(text.String(), "\n")}}
}

// outputText is an output with its declared places, or "" when the rule
// was not in force and computed nothing.
func outputText(res rules.Result, o rules.OutputInfo) string {
	for _, out := range res.Outputs {
		if out.Name == o.Name {
			return out.String()
		}
	}
	return ""
}

func describeError(d decision) table.Cell {
	if d.rec.rowErr != nil {
		return table.Cell{Text: "row cannot be read: " + d.rec.rowErr.Error()}
	}
	if d.err == nil {
		return table.Cell{}
	}
	var ie *rules.InputError
	if errors.As(d.err, &ie) {
		msg := fmt.Sprintf("%s (%s) is missing", ie.Field, ie.Label)
		if !errors.Is(ie.Err, rules.ErrMissing) {
			msg = fmt.Sprintf("%s (%s): %v", ie.Field, ie.Label, ie.Err)
		}
		return table.Cell{Field: ie.Field, Text: msg}
	}
	return table.Cell{Text: d.err.Error()}
}

// summary counts the run for stderr and the XLSX summary sheet.
type summary struct {
	info                    rules.RuleInfo
	policy                  [][]string
	records, passed, failed int
	errors                  int
	// Each output's sum is units (in its last declared place) plus sums,
	// which takes over whatever would overflow an int64.
	units   []int64
	sums    []decimal.Decimal
	reasons map[string]int
}

func newSummary(info rules.RuleInfo, set *rules.Set) *summary {
	return &summary{info: info, policy: policyLines(set), units: make([]int64, len(info.Outputs)), sums: make([]decimal.Decimal, len(info.Outputs)),
		reasons: map[string]int{}}
}

// addUnits adds u to output i's sum in units, spilling into the decimal
// sum before an int64 would overflow.
func (s *summary) addUnits(i int, u int64) {
	if t := s.units[i] + u; (u > 0 && t < s.units[i]) || (u < 0 && t > s.units[i]) {
		s.flush(i)
		s.units[i] = u
		return
	}
	s.units[i] += u
}

func (s *summary) flush(i int) {
	s.sums[i] = s.sums[i].Add(decimal.New(s.units[i], -s.info.Outputs[i].Rounding.Places))
	s.units[i] = 0
}

func (s *summary) add(d decision) table.Status {
	s.records++
	if d.rec.rowErr != nil || d.err != nil {
		s.errors++
		return table.Error
	}
	for i, o := range s.info.Outputs {
		if d.exact {
			s.addUnits(i, d.units[i])
		} else {
			v, _ := d.res.Output(o.Name)
			s.sums[i] = s.sums[i].Add(v)
		}
	}
	for _, r := range d.res.Reasons {
		s.reasons[r.Code]++
	}
	if d.res.Pass {
		s.passed++
		return table.OK
	}
	s.failed++
	return table.Failed
}

// policyLines name the policy and the SHA-256 of its files, so a figure in
// the output can be traced to the exact rules that produced it.
func policyLines(set *rules.Set) [][]string {
	m := set.Meta()
	return [][]string{
		{"政策 policy", m.ID + " " + m.Number},
		{"政策文件 policy files", strings.Join(set.Sources(), ", ")},
		{"SHA-256", set.Hash()},
	}
}

// money reports whether an output is an amount of money: kept to the fen.
func money(o rules.OutputInfo) bool { return o.Rounding.Places == 2 }

func (s *summary) lines() [][]string {
	out := append([][]string{
		{"规则 rule", s.info.ID + " " + s.info.Title}}, s.policy...)
	out = append(out, [][]string{
		{"记录数 records", strconv.Itoa(s.records)},
		{"符合条件 passed", strconv.Itoa(s.passed)},
		{"不符合条件 not passed", strconv.Itoa(s.failed)},
		{"无法判定 errors", strconv.Itoa(s.errors)},
	}...)
	for i, o := range s.info.Outputs {
		s.flush(i)
		if money(o) {
			out = append(out, []string{fmt.Sprintf("合计 %s %s", o.Label, o.Name), s.sums[i].StringFixed(2)})
		}
	}
	codes := make([]string, 0, len(s.reasons))
	for c := range s.reasons {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		out = append(out, []string{"原因 " + c, strconv.Itoa(s.reasons[c])})
	}
	return out
}

func (s *summary) write(w io.Writer) {
	for _, l := range s.lines() {
		fmt.Fprintf(w, "%s: %s\n", l[0], l[1])
	}
}
