package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ruralrelief/fangpin/internal/batch"
	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// idHeaders are the column names that identify a record; the first found
// is echoed into the output's id field.
var idHeaders = []string{"id", "ID", "编号", "身份证号", "身份证号码"}

// subjectHeaders are the column names that identify the person (or
// project) a record is for, whom the checks across records follow: a
// roster's 编号 is often only a row number, so an ID card number is taken
// first, and the id column when the sheet has none.
var subjectHeaders = []string{"person_id", "身份证号", "身份证号码", "公民身份号码", "证件号码"}

// record is one input row on its way through the pipeline.
type record struct {
	row     int
	line    int // the sheet's own row: CSV line, Excel row number
	cells   []string
	id      string
	subject string // whom the checks across records follow
	rowErr  error
}

// loanDecision is a loan as read and as the loan library decided it.
type loanDecision struct {
	loan loan.Loan
	ld   loan.Decision
}

// decision is the outcome for one record.
type decision struct {
	rec     record
	in      rules.Input   // what res was decided on, for the checks across records
	shared  bool          // in is a kept decision's, read only: not back to the pool
	kept    *recentEntry  // the kept decision this is, until the checks change it
	loan    *loanDecision // for the loan rule
	res     rules.Result
	err     error
	outputs []string // each output with its declared places, "" if none
	units   []int64  // each output in units of its last place (fen for money), for the sums
	exact   bool     // every output fits units
	// encoded is the record as the output writes it, rendered on the
	// deciding goroutine; the checks across records render it again if
	// they change the decision.
	encoded []byte
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
	lf := addLedgerFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, errHelp) && len(pos) > 0 {
			return e.ruleHelp(policyFiles, pos[0])
		}
		return helped(err)
	}
	if len(pos) != 2 {
		return usageError("eval takes RULE and INPUT, got %d arguments", len(pos))
	}
	set, info, day, err := e.ruleOn(policyFiles, pos[0], *on)
	if err != nil {
		return err
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
	// A rule with no checks across records, on a sheet with no as-of
	// column, is decided on its cells in the order of its inputs, with no
	// map; otherwise each record's input map is kept for the checks.
	prepared, at, err := byValues(set, info, cols.fields)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	// A loan's eligibility is decided as the loan command decides it, by
	// the loan library on the loan's start day, so the two never differ.
	var loanIndex map[string]int
	var calc *loan.Calculator
	if isLoan {
		if loanIndex, err = loanColumns(in.Header()); err != nil {
			return usageError("%s: %v", pos[1], err)
		}
		if calc, err = loan.New(loan.WithPolicy(set)); err != nil {
			return &exitError{code: 2, err: err}
		}
	}

	outPath := *out
	if outPath == "" {
		outPath = "-"
		if f, _ := table.FormatOf(pos[1]); f != table.JSONL {
			outPath = "stdout.csv" // the text family: CSV on stdout
		}
	}
	checks, err := e.openAcross(ctx, set, info.ID, pos[1], lf)
	if err != nil {
		return err
	}
	defer checks.close()
	outCols, keepInput := resultColumns(info, in.Header(), outPath, *explain)
	w, err := e.createOutput(outPath, outCols, pos[1])
	if err != nil {
		return usageError("cannot write output: %v", err)
	}

	// CSV and JSONL records are rendered where they are decided, on every
	// core (again on the writer's goroutine for a record the checks across
	// records changed, or one that could not be read); XLSX is written on
	// the writer's goroutine.
	enc, _ := w.(table.Encoder)
	shape := outputShape{info: info, enc: enc, jsonl: len(outCols) == 1 && outCols[0].Kind == table.Object,
		explain: *explain, keepInput: keepInput, width: len(in.Header()), columns: len(outCols)}
	sum := newSummary(info, set)
	sum.asOf = day.describe(cols.fields, isLoan)
	prog := e.progress(*quiet, pos[1])
	next := records(in, cols)
	inputs := sync.Pool{New: func() any { return make(rules.Input, len(cols.fields)) }}
	onDay := rules.On(day.day)
	kept := newRecent(cols.fields)
	decide := func(r record, out *renderer, d *decision) {
		if r.rowErr != nil {
			*d = decision{rec: r}
			return
		}
		if isLoan {
			*d = decideLoan(ctx, calc, info, r, loanIndex)
			return
		}
		var buf [128]byte
		key := kept.key(buf[:0], r.cells)
		e, h, ok := kept.find(key)
		if ok {
			*d = decision{rec: r, in: e.in, shared: true, kept: e, res: e.res, outputs: e.outputs, units: e.units, exact: e.exact}
		} else {
			*d = decision{rec: r}
			if at != nil {
				var vals [16]rules.Value
				v := vals[:0]
				for _, c := range at {
					v = append(v, rules.Text(r.cells[c]))
				}
				d.res, d.err = prepared.Eval(ctx, v, onDay)
			} else {
				d.in = inputs.Get().(rules.Input) // back in the pool once emitted, unless kept
				for i, name := range cols.fields {
					if name != "" {
						d.in[name] = rules.Text(r.cells[i])
					}
				}
				d.res, d.err = set.Eval(ctx, info.ID, d.in, onDay)
			}
			d.format(info)
			if d.err == nil {
				d.kept = kept.keep(key, h, d)
				d.shared = d.kept != nil
			}
		}
		d.encoded = out.render(d)
	}
	// Each worker renders with a renderer of its own.
	newDecide := func() func(record, *decision) {
		out := shape.renderer()
		return func(r record, d *decision) { decide(r, out, d) }
	}
	// Each decided record passes, in input order, through the policy's
	// checks across records (the library's, as subsidy.Batch and the
	// server use them), then is written.
	written := shape.renderer()
	emit := func(d *decision) error {
		changed, err := d.across(ctx, checks, info, calc, onDay)
		if err != nil {
			return err
		}
		if d.in != nil && !d.shared {
			clear(d.in)
			inputs.Put(d.in)
		}
		status := sum.add(d)
		prog.add(1)
		if enc == nil {
			return w.Write(status, written.fill(d))
		}
		if d.encoded == nil || changed {
			d.encoded = written.render(d)
		}
		return enc.WriteEncoded(status, d.encoded)
	}
	if err := batch.InOrder(ctx, 0, next, newDecide, emit); err != nil {
		w.Abort()
		prog.finish()
		return runError(pos[1], err)
	}
	prog.finish()
	recorded, err := checks.commit(ctx)
	if err != nil {
		w.Abort()
		return err
	}
	sum.ledger = recorded
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

// records returns the function that reads the next record of in, for
// batch.InOrder: its cells, id and subject, or the row error that keeps it
// from being read. The records' cells are cut from blocks of a batch's
// worth, one allocation for many records.
func records(in table.Reader, cols columns) func() (record, bool, error) {
	var block []string
	return func() (record, bool, error) {
		row, cells, err := in.Next()
		if errors.Is(err, io.EOF) {
			return record{}, false, nil
		}
		if re, ok := errors.AsType[*table.RowError](err); ok {
			return record{row: row, line: re.Line, rowErr: re.Err}, true, nil
		}
		if err != nil {
			return record{}, false, err
		}
		if cap(block)-len(block) < len(cells) {
			block = make([]string, 0, batch.Size*len(cells))
		}
		block = append(block, cells...)
		r := record{row: row, line: in.Line(), cells: block[len(block)-len(cells) : len(block) : len(block)]}
		if cols.id >= 0 {
			r.id = cells[cols.id]
		}
		if r.subject = r.id; cols.subject >= 0 {
			r.subject = strings.TrimSpace(cells[cols.subject])
		}
		return r, true, nil
	}
}

// byValues returns rule info of set prepared, and the column of each of
// its inputs in order, when the rule can be decided without an input map:
// it has no checks across records and no column gives the as-of date.
// Otherwise it returns nil.
func byValues(set *rules.Set, info rules.RuleInfo, fields []string) (*rules.Prepared, []int, error) {
	if info.Across || slices.Contains(fields, rules.AsOf) {
		return nil, nil, nil
	}
	p, err := set.Prepare(info.ID)
	if err != nil {
		return nil, nil, err
	}
	var at []int
	for _, name := range p.Inputs() {
		i := slices.Index(fields, name)
		if i < 0 {
			return nil, nil, fmt.Errorf("rule %s: no column for input %s", info.ID, name)
		}
		at = append(at, i)
	}
	return p, at, nil
}

// columns maps input columns to rule inputs.
type columns struct {
	fields  []string // per input column: the input name, or ""
	id      int      // the id column, or -1
	subject int      // the person's ID card column, or -1 (the id column is used)
}

func mapColumns(info rules.RuleInfo, header []string) (columns, error) {
	c := columns{fields: make([]string, len(header)), id: -1, subject: -1}
	seen := map[string]string{}
	for i, h := range header {
		if c.id < 0 && slices.Contains(idHeaders, h) {
			c.id = i
		}
		if c.subject < 0 && slices.Contains(subjectHeaders, h) {
			c.subject = i
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
// first, then the result fields of the design: row, line, id, rule, pass,
// one per output, reasons, notes, error. JSONL has one column: each record
// is the one JSON object of a decision (docs/json.md), as the library
// writes it.
func resultColumns(info rules.RuleInfo, header []string, outPath string, explain bool) ([]table.Column, bool) {
	f, _ := table.FormatOf(outPath)
	if outPath == "-" || f == table.JSONL {
		return []table.Column{{Kind: table.Object}}, false
	}
	var cols []table.Column
	keep := f == table.XLSX
	if keep {
		for _, h := range header {
			kind := table.Text
			if name, ok := info.Field(h); ok && inputType(info, name) == rules.TypeDate {
				kind = table.Date
			}
			cols = append(cols, table.Column{Name: h, Kind: kind, Input: true})
		}
	}
	cols = append(cols, table.Column{Name: "row", Kind: table.Int}, table.Column{Name: "line", Kind: table.Int},
		table.Column{Name: "id", Kind: table.Text, Input: true},
		table.Column{Name: "rule", Kind: table.Text}, table.Column{Name: "pass", Kind: table.Bool})
	for _, o := range info.Outputs {
		cols = append(cols, table.Column{Name: o.Name, Kind: table.Number})
	}
	cols = append(cols, table.Column{Name: "reasons", Kind: table.List}, table.Column{Name: "notes", Kind: table.List},
		table.Column{Name: "error", Kind: table.Problem})
	if explain {
		cols = append(cols, table.Column{Name: "explanation", Kind: table.JSON})
	}
	return cols, keep
}

// createOutput creates the output: JSONL or CSV on stdout, or a file.
// An .xlsx output of an .xlsx input is a copy of the input workbook with
// the results added, so its other sheets are kept.
func (e *env) createOutput(path string, cols []table.Column, input string) (table.Writer, error) {
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
	var opts table.CreateOptions
	in, _ := table.FormatOf(input)
	if out, _ := table.FormatOf(path); in == table.XLSX && out == table.XLSX && input != "-" {
		opts.Workbook = input
	}
	return table.CreateWith(path, e.stdout, cols, opts)
}

// outputShape is what a run writes for each decision: the writer's
// encoding (nil for XLSX) and the columns.
type outputShape struct {
	info      rules.RuleInfo
	enc       table.Encoder
	jsonl     bool // one JSON object a record
	explain   bool
	keepInput bool // the input's cells first (XLSX)
	width     int  // input columns
	columns   int  // output columns
}

// head is how many output columns come before the decision's own: the
// input's cells, if kept, then row, line and id. The columns after them
// are the same for every record of the same decision.
func (o outputShape) head() int {
	if o.keepInput {
		return o.width + 3
	}
	return 3
}

// renderBlock is the size of the blocks a renderer's records are cut from.
const renderBlock = 64 << 10

// renderer renders decisions as output records for one goroutine. It
// reuses its cells and lists record after record, as a Writer does not
// keep them, and cuts the records' bytes from blocks of its own, so a
// record costs no allocation of its own. The columns a kept decision's
// records share are encoded once, into the kept decision.
type renderer struct {
	outputShape
	cells        []table.Cell
	codes, notes []string
	digits       []byte
	block        []byte
}

func (o outputShape) renderer() *renderer {
	return &renderer{outputShape: o, cells: make([]table.Cell, o.columns)}
}

// render returns the record d as the output's Encoder writes it, or nil
// for an output without one.
func (r *renderer) render(d *decision) []byte {
	if r.enc == nil {
		return nil
	}
	if cap(r.block)-len(r.block) < renderBlock/16 {
		r.block = make([]byte, 0, renderBlock)
	}
	start := len(r.block)
	switch {
	case r.jsonl:
		r.block = append(d.appendJSON(r.block, r.info, r.explain), '\n')
	case d.kept != nil:
		tail := d.kept.tail.Load()
		if tail == nil { // deciders that render it at once render the same bytes
			t := r.enc.EncodeFields(nil, r.head(), r.fillTail(d))
			tail = &t
			d.kept.tail.Store(tail)
		}
		r.block = append(r.enc.EncodeFields(r.block, 0, r.fillHead(d)), *tail...)
	default:
		r.block = r.enc.Encode(r.block, r.fill(d))
	}
	return r.block[start:len(r.block):len(r.block)]
}

// fill renders d into the output cells, valid until the next fill.
func (r *renderer) fill(d *decision) []table.Cell {
	r.fillHead(d)
	r.fillTail(d)
	return r.cells
}

// fillHead renders the head columns of d and returns their cells.
func (r *renderer) fillHead(d *decision) []table.Cell {
	cells := r.cells[:r.head()]
	clear(cells)
	i := 0
	if r.keepInput {
		for ; i < r.width; i++ {
			if i < len(d.rec.cells) {
				cells[i].Text = d.rec.cells[i]
			}
		}
	}
	// The row and line numbers are cut from one string.
	r.digits = strconv.AppendInt(r.digits[:0], int64(d.rec.row), 10)
	rowEnd := len(r.digits)
	r.digits = strconv.AppendInt(r.digits, int64(d.rec.line), 10)
	numbers := string(r.digits)
	cells[i].Text, cells[i+1].Text = numbers[:rowEnd], numbers[rowEnd:]
	cells[i+2].Text = d.rec.id
	return cells
}

// fillTail renders the columns of d after the head and returns their
// cells: the rule, pass, each output, reasons, notes, error and the
// explanation.
func (r *renderer) fillTail(d *decision) []table.Cell {
	cells := r.cells[r.head():]
	clear(cells)
	cells[0].Text = r.info.ID
	i := 1
	problem := describeError(d)
	if problem.Text == "" {
		cells[i].Text = strconv.FormatBool(d.res.Pass)
	}
	i++
	for j := range r.info.Outputs {
		if problem.Text == "" {
			cells[i].Text = d.outputs[j]
		}
		i++
	}
	r.codes, r.notes = r.codes[:0], r.notes[:0]
	for _, c := range d.res.Reasons {
		r.codes = append(r.codes, c.Code)
	}
	for _, n := range d.res.Notes {
		r.notes = append(r.notes, n.Code)
	}
	cells[i].List, cells[i+1].List = r.codes, r.notes
	cells[i+2] = problem
	if r.explain && problem.Text == "" {
		cells[i+3] = explanationCell(d.res.Explanation())
	}
	return cells
}

// explanationCell renders an explanation as JSON (for JSONL) and as
// Chinese text (for CSV and XLSX).
func explanationCell(ex rules.Explanation) table.Cell {
	js, err := json.Marshal(ex)
	if err != nil {
		js = []byte("null")
	}
	var text strings.Builder
	_ = ex.WriteText(&text) // a strings.Builder does not fail
	return table.Cell{Text: string(js), List: []string{strings.TrimRight(text.String(), "\n")}}
}

// describeError is why the record could not be decided, as a cell: the
// field and message the JSON "error" object carries (rules.ProblemOf).
func describeError(d *decision) table.Cell {
	err := d.problem()
	if err == nil {
		return table.Cell{}
	}
	p := rules.ProblemOf(err)
	return table.Cell{Field: p.Field, Text: p.Message}
}

// summary counts the run for stderr and the XLSX summary sheet.
type summary struct {
	info                    rules.RuleInfo
	policy                  [][]string
	asOf                    []string // the as-of date used, and where it came from
	records, passed, failed int
	errors                  int
	// Each output's sum is units (in its last declared place) plus sums,
	// which takes over whatever would overflow an int64.
	units   []int64
	sums    []decimal.Decimal
	reasons map[string]int
	ledger  [][]string // what was recorded in the ledger, if one was used
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

func (s *summary) add(d *decision) table.Status {
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
	if len(s.asOf) > 0 {
		out = append(out, append([]string{"判定日期 as of"}, s.asOf...))
	}
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
	return append(out, s.ledger...)
}

func (s *summary) write(w io.Writer) { writeSummary(w, s.lines()) }

// writeSummary prints summary lines as "label: value", with any further
// cells in parentheses: "判定日期 as of: 2021-09-30 (--on)".
func writeSummary(w io.Writer, lines [][]string) {
	for _, l := range lines {
		fmt.Fprintf(w, "%s: %s", l[0], l[1])
		if len(l) > 2 {
			fmt.Fprintf(w, " (%s)", strings.Join(l[2:], "; "))
		}
		fmt.Fprintln(w)
	}
}

// ruleFields names the values a rule reads, for a JSONL input whose
// records may carry different keys: each input by its name and label,
// the as-of date, the id, and for the loan rule every loan field.
func ruleFields(info rules.RuleInfo, isLoan bool) [][]string {
	fields := [][]string{idHeaders, subjectHeaders, {rules.AsOf, "判定日期"}}
	for _, in := range info.Inputs {
		fields = append(fields, []string{in.Name, in.Label})
	}
	if isLoan {
		for _, f := range loan.Fields() {
			if _, ok := info.Field(f.Name); !ok && f.Name != "id" {
				fields = append(fields, []string{f.Name, f.Label})
			}
		}
	}
	return fields
}

// decideLoan decides the loan rule for one record through the loan
// library, exactly as the loan command does: the loan is read with
// loan.Parse and judged by Calculator.Subsidy on its start day.
func decideLoan(ctx context.Context, calc *loan.Calculator, info rules.RuleInfo, r record, index map[string]int) decision {
	l, err := loan.Parse(func(name string) string {
		if i := index[name]; i >= 0 {
			return r.cells[i]
		}
		return ""
	})
	if err != nil {
		return decision{rec: r, err: err}
	}
	ld, err := calc.Subsidy(ctx, l)
	d := decision{rec: r, loan: &loanDecision{loan: l, ld: ld}, res: ld.Eligibility(), err: err}
	d.format(info)
	return d
}

// format renders the decision's outputs with their declared places, and in
// units of their last place for the sums.
func (d *decision) format(info rules.RuleInfo) {
	if d.err != nil || d.rec.rowErr != nil {
		return
	}
	d.outputs, d.units, d.exact = make([]string, len(info.Outputs)), make([]int64, len(info.Outputs)), true
	if len(d.res.Outputs) != len(info.Outputs) { // not in force: nothing computed
		return
	}
	// The texts are written into one string and cut from it.
	var buf [128]byte
	text, ends := buf[:0], make([]int, 0, 8)
	for i, out := range d.res.Outputs { // in the rule's order, as info.Outputs
		text = out.AppendText(text)
		ends = append(ends, len(text))
		u, ok := out.Units()
		d.units[i], d.exact = u, d.exact && ok
	}
	all, start := string(text), 0
	for i, end := range ends {
		d.outputs[i], start = all[start:end], end
	}
}

// across passes the decision through the policy's checks across records,
// in input order, and reports whether they changed it (refused, or cut by
// a cap). A loan goes through the loan library's own step, which refuses a
// loan listed twice.
func (d *decision) across(ctx context.Context, a *across, info rules.RuleInfo, calc *loan.Calculator, opts ...rules.EvalOption) (bool, error) {
	if d.err != nil || d.rec.rowErr != nil {
		return false, nil
	}
	pass, notes := d.res.Pass, len(d.res.Notes)
	var err error
	switch {
	case calc != nil:
		var ld loan.Decision
		if ld, err = a.loan(ctx, calc, d.rec.row, d.rec.line, d.loan.loan, d.loan.ld); err == nil {
			d.loan = &loanDecision{loan: d.loan.loan, ld: ld}
			d.res = ld.Eligibility()
			d.res.Notes = append(slices.Clip(d.res.Notes), ledgerNotes(ld)...)
		}
	case a.run != nil:
		d.res, err = a.run.Apply(ctx, d.rec.subject, d.rec.row, d.rec.line, d.in, d.res, opts...)
	default:
		d.res, _, err = a.tally.Apply(ctx, d.rec.subject, d.rec.line, d.in, d.res, opts...)
	}
	if _, ok := errors.AsType[*rules.InputError](err); ok { // this record only: say so in its row
		d.err = err
	} else if err != nil {
		return false, err
	}
	changed := d.err != nil || d.res.Pass != pass || len(d.res.Notes) != notes
	if changed {
		d.format(info) // nothing to format for an error
		d.kept = nil   // no longer the kept decision
	}
	return changed, nil
}

// ledgerNotes are the notes of a loan checked against the ledger: the
// periods earlier batches paid, a period not yet settled. The rule's own
// result does not carry a loan's notes; these say why a loan that passes
// pays less now.
func ledgerNotes(d loan.Decision) []rules.Note {
	var out []rules.Note
	for _, n := range d.Notes {
		if n.Code == loan.NotePeriodsPaid || n.Code == loan.NotePeriodOpen {
			out = append(out, n)
		}
	}
	return out
}

// problem is why the record could not be decided, or nil.
func (d *decision) problem() error {
	if d.rec.rowErr != nil {
		return fmt.Errorf("row cannot be read: %w", d.rec.rowErr)
	}
	return d.err
}

// appendJSON appends the record as the one JSON object of a decision
// (docs/json.md), with its row, line and id: the bytes the library writes.
func (d *decision) appendJSON(dst []byte, info rules.RuleInfo, explain bool) []byte {
	res, err := d.res, d.problem()
	if err != nil {
		res = rules.Result{Rule: info.ID}
	}
	return rules.AppendJSON(dst, res, err, rules.JSONOptions{Row: d.rec.row, Line: d.rec.line, ID: d.rec.id, Explanation: explain && err == nil})
}

// asOf is the as-of date of a run and whether it is today by default.
type asOf struct {
	day   rules.Date
	today bool
}

// describe says which as-of date a run used, for the summary: the date
// and where it came from (rows with their own as-of cell use that).
func (a asOf) describe(fields []string, isLoan bool) []string {
	if isLoan {
		return []string{"each loan's start day (放款日期), as the loan command judges it"}
	}
	note := "--on"
	if a.today {
		note = "today, by default: no --on given"
	}
	for _, f := range fields {
		if f == rules.AsOf {
			note += "; rows with a 判定日期 (as_of) cell are decided on that day"
		}
	}
	return []string{a.day.String(), note}
}

// refuseSameFile refuses an output path that names the input file, by
// any name (a symbolic or hard link, another relative path): writing it
// would replace the input before it is read.
func refuseSameFile(in, out string) error {
	if in == "-" || out == "" || out == "-" {
		return nil
	}
	fi, err := os.Stat(in)
	if err != nil {
		return nil // Open reports it
	}
	fo, err := os.Stat(out)
	if err != nil {
		return nil // no such output yet: not the input
	}
	if os.SameFile(fi, fo) {
		return usageError("-o %s is the input file %s: write the results to another file, so the input stays as it is", out, in)
	}
	return nil
}

// runError is the error of a run that stopped part way: the input's name
// and the problem; exit status 2.
func runError(input string, err error) error {
	if errors.Is(err, context.Canceled) {
		return &exitError{code: 2, err: errors.New("interrupted: nothing was written")}
	}
	return &exitError{code: 2, err: fmt.Errorf("%s: %v", input, err)}
}

// inputType is the type of the rule's input name; as_of is a date.
func inputType(info rules.RuleInfo, name string) rules.Type {
	if name == rules.AsOf {
		return rules.TypeDate
	}
	for _, in := range info.Inputs {
		if in.Name == name {
			return in.Type
		}
	}
	return ""
}

// ruleHelp lists the columns rule id reads, for eval RULE --help: each
// input by its English name and Chinese label, either of which may head
// the column.
func (e *env) ruleHelp(policyFiles []string, id string) error {
	set, err := loadPolicy(policyFiles)
	if err != nil {
		return err
	}
	info, ok := set.Rule(id)
	if !ok {
		return usageError("unknown rule %q (rules: %s)", id, strings.Join(set.RuleIDs(), ", "))
	}
	fmt.Fprintf(e.stdout, "\nrule %s: %s (%s)\ncolumns it reads (the English name or the Chinese label may head a column):\n", info.ID, info.Title, info.Clause)
	for _, in := range info.Inputs {
		fmt.Fprintf(e.stdout, "  %-24s %s (%s)\n", in.Name, in.Label, in.Type)
	}
	fmt.Fprintf(e.stdout, "  %-24s %s (date; optional: the row's as-of date, else --on)\n", rules.AsOf, "判定日期")
	fmt.Fprintf(e.stdout, "  %-24s %s (optional: echoed into the output)\n", "id", strings.Join(idHeaders[1:], ", "))
	if info.ID == loan.Rule {
		fmt.Fprintln(e.stdout, "the loan rule reads every loan field, as fangpin loan does:")
		for _, f := range loan.Fields() {
			if _, ok := info.Field(f.Name); !ok && f.Name != "id" {
				fmt.Fprintf(e.stdout, "  %-24s %s%s\n", f.Name, f.Label, map[bool]string{true: "", false: " (optional)"}[f.Required])
			}
		}
	}
	fmt.Fprint(e.stdout, "outputs:\n")
	for _, o := range info.Outputs {
		fmt.Fprintf(e.stdout, "  %-24s %s (%d places)\n", o.Name, o.Label, o.Rounding.Places)
	}
	return nil
}
