package table

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
)

// Tally counts written records for a summary: how many had each [Status],
// the exact sum of each [Money] column, and how often each code appeared
// in each [List] column. The XLSX writer keeps one; a caller may keep its
// own to print a summary. The zero value is not usable; call [NewTally].
// A Tally is not safe for concurrent use.
type Tally struct {
	Records int // records added
	Passed  int // with status OK
	Failed  int // with status Failed
	Errors  int // with status Error

	cols  []Column
	sums  []decimal.Decimal // per column; only Money columns are used
	codes []map[string]int  // per column; only List columns are used
}

// NewTally returns an empty tally for records with the given columns.
func NewTally(cols []Column) *Tally {
	t := &Tally{cols: cols, sums: make([]decimal.Decimal, len(cols)), codes: make([]map[string]int, len(cols))}
	for i, c := range cols {
		if c.Kind == List {
			t.codes[i] = map[string]int{}
		}
	}
	return t
}

// Add counts one record. A Money cell must be "" (not counted) or a
// decimal such as "1800.00"; anything else is an error, and the record is
// not counted at all.
func (t *Tally) Add(status Status, cells []Cell) error {
	for i, c := range t.cols {
		if c.Kind != Money || i >= len(cells) || cells[i].Text == "" {
			continue
		}
		if _, err := decimalText(cells[i].Text); err != nil {
			return fmt.Errorf("column %q: %v", c.Name, err)
		}
	}
	t.Records++
	switch status {
	case OK:
		t.Passed++
	case Failed:
		t.Failed++
	default:
		t.Errors++
	}
	for i, c := range t.cols {
		if i >= len(cells) {
			break
		}
		switch c.Kind {
		case Money:
			if cells[i].Text != "" {
				d, _ := decimalText(cells[i].Text)
				t.sums[i] = t.sums[i].Add(d)
			}
		case List:
			for _, code := range cells[i].List {
				t.codes[i][code]++
			}
		}
	}
	return nil
}

// decimalText reads an amount written as plain decimal text: an optional
// minus, digits, and an optional point with digits ("1800.00", "-3").
func decimalText(s string) (decimal.Decimal, error) {
	if _, ok := plainDecimal(s); !ok || len(s) > 400 {
		return decimal.Decimal{}, fmt.Errorf("%q is not an amount", s)
	}
	return decimal.NewFromString(s)
}

// plainDecimal reports whether s is an optional minus, digits, and an
// optional point followed by digits, and how many digits follow the point.
func plainDecimal(s string) (places int, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return 0, false
	}
	if i == len(s) {
		return 0, true
	}
	if s[i] != '.' {
		return 0, false
	}
	i++
	frac := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == frac || i != len(s) {
		return 0, false
	}
	return i - frac, true
}

// Sum returns the exact sum of the Money column named name, and whether
// there is such a column.
func (t *Tally) Sum(name string) (decimal.Decimal, bool) {
	for i, c := range t.cols {
		if c.Name == name && c.Kind == Money {
			return t.sums[i], true
		}
	}
	return decimal.Decimal{}, false
}

// Codes returns how many times each code appeared in the List column named
// name (nil if there is no such column). The map is the tally's own.
func (t *Tally) Codes(name string) map[string]int {
	for i, c := range t.cols {
		if c.Name == name && c.Kind == List {
			return t.codes[i]
		}
	}
	return nil
}

// Lines returns the summary as (label, value) rows, the shape Close takes:
// the counts (记录数 records, 符合条件 passed, 不符合条件 not passed, 无法判定
// errors), then 合计 and the name of each Money column with its sum to at
// least 2 places, then for each List column each code with its count, by
// code.
func (t *Tally) Lines() [][]string {
	out := [][]string{
		{"记录数 records", strconv.Itoa(t.Records)},
		{"符合条件 passed", strconv.Itoa(t.Passed)},
		{"不符合条件 not passed", strconv.Itoa(t.Failed)},
		{"无法判定 errors", strconv.Itoa(t.Errors)},
	}
	for i, c := range t.cols {
		if c.Kind == Money {
			places := max(2, -t.sums[i].Exponent())
			out = append(out, []string{"合计 " + c.Name, t.sums[i].StringFixed(places)})
		}
	}
	for i, c := range t.cols {
		if c.Kind != List {
			continue
		}
		codes := make([]string, 0, len(t.codes[i]))
		for code := range t.codes[i] {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		for _, code := range codes {
			out = append(out, []string{c.Name + " " + code, strconv.Itoa(t.codes[i][code])})
		}
	}
	return out
}
