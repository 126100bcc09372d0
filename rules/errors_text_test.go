package rules

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestErrorText checks the text of each error type at the edges of what
// it shows: a position with and without a line and column, a missing
// input against an unreadable one.
func TestErrorText(t *testing.T) {
	assert.Equal(t, "a.yaml:3:1", Pos{File: "a.yaml", Line: 3, Col: 1}.String())
	assert.Equal(t, "a.yaml:3", Pos{File: "a.yaml", Line: 3}.String())

	ee := &EvalError{Rule: "r", Pos: Pos{File: "a.yaml", Line: 1}, Err: ErrNoValue}
	assert.Equal(t, "a.yaml:1: r: no value in force", ee.Error())
	ee.Pos.Line = 0
	assert.Equal(t, "r: no value in force", ee.Error())
	assert.ErrorIs(t, ee, ErrNoValue)

	ie := &InputError{Rule: "r", Field: "n", Label: "月数", Err: errMissing}
	assert.Equal(t, "r: input n (月数) is missing", ie.Error())
	ie.Err = invalid("%q is not a whole number", "2.5")
	assert.Equal(t, `r: input n (月数): "2.5" is not a whole number`, ie.Error())
	assert.ErrorIs(t, ie, ErrInvalid)
	assert.False(t, errors.Is(ie, ErrMissing))
	assert.False(t, errors.Is(invalid("x"), ErrMissing), "an invalid value is not a missing one")
}

func TestDiagnosticsText(t *testing.T) {
	d := Diagnostic{Pos: Pos{File: "a.yaml", Line: 2, Col: 5}, Code: "bad-name", Summary: "rule id \"X\" must be kebab-case"}
	assert.Equal(t, `a.yaml:2:5: rule id "X" must be kebab-case [bad-name]`, d.String())
	assert.Equal(t, "no problems", Diagnostics{}.Error())
	assert.Equal(t, d.String(), Diagnostics{d}.Error())
	assert.Equal(t, d.String()+" (and 1 more)", Diagnostics{d, d}.Error())
	assert.Equal(t, d.String()+" (and 2 more)", Diagnostics{d, d, d}.Error())
	assert.Equal(t, d.String()+"\n"+d.String()+"\n", Diagnostics{d, d}.String())
}

// TestDiagnosticsSort checks diagnostics are ordered by file, then line,
// then column, and that equal positions keep the order they were found in.
func TestDiagnosticsSort(t *testing.T) {
	at := func(file string, line, col int, code string) Diagnostic {
		return Diagnostic{Pos: Pos{File: file, Line: line, Col: col}, Code: code}
	}
	ds := Diagnostics{
		at("b.yaml", 1, 1, "b1"),
		at("a.yaml", 9, 9, "a9"),
		at("a.yaml", 2, 7, "a2-7"),
		at("a.yaml", 2, 3, "a2-3"),
		at("a.yaml", 2, 3, "a2-3-second"),
		at("a.yaml", 10, 1, "a10"),
		at("a.yaml", 2, 3, "a2-3-third"),
	}
	ds.sort()
	var codes []string
	for _, d := range ds {
		codes = append(codes, d.Code)
	}
	assert.Equal(t, []string{"a2-3", "a2-3-second", "a2-3-third", "a2-7", "a9", "a10", "b1"}, codes)
}
