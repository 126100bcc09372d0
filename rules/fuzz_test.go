package rules_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// FuzzLoad feeds any bytes to the loader: it must not panic, and every
// diagnostic must carry a position.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(numberRule("a + b")))
	f.Add([]byte(boolRule(`tier in ["A"] && day < date("2024-01-01")`)))
	f.Add([]byte("policy: ["))
	if b, err := os.ReadFile("../policies/henan-2021-48.yaml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := rules.Compile(rules.Source{Name: "f.yaml", Data: data})
		if err == nil {
			return
		}
		var ds rules.Diagnostics
		if !errors.As(err, &ds) {
			t.Fatalf("error is not Diagnostics: %v", err)
		}
		for _, d := range ds {
			if d.Pos.File != "f.yaml" || d.Pos.Line < 1 || d.Code == "" {
				t.Fatalf("diagnostic without a position or code: %+v", d)
			}
			if d.Code == "internal" {
				t.Fatalf("loading panicked: %s", d)
			}
		}
	})
}

// FuzzExpression compiles any expression text as an output: loading must not
// panic, and a compiled expression must evaluate without panicking.
func FuzzExpression(f *testing.F) {
	for _, s := range []string{"a + b", "1 / 3 * 3", "min(a, cap ?? b)", `tier == "A" ? a : b`, "a ** 2", "sum([1.5])", "-(-a)", "round(a / 7, 3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := rules.Compile(rules.Source{Name: "f.yaml", Data: []byte(numberRule(expr))})
		if err != nil {
			return
		}
		_, _ = s.Eval(context.Background(), "r", facts())
	})
}

// FuzzMoneyInput reads any text as a money input: it must not panic, and an
// accepted amount has at most 2 places and reads back to the same value.
func FuzzMoneyInput(f *testing.F) {
	for _, s := range []string{"1800.00", "1,234.50", "-0", "1e3", "NaN", "0.001", " 12 ", "+5"} {
		f.Add(s)
	}
	s, err := rules.Compile(rules.Source{Name: "f.yaml", Data: []byte(numberRule("a"))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		in := facts()
		in["a"] = rules.Text(text)
		res, err := s.Eval(context.Background(), "r", in)
		if err != nil {
			return
		}
		got := res.Explanation().Inputs[0].Value
		if got.Decimal().Exponent() < -2 {
			t.Fatalf("%q accepted with more than 2 places: %s", text, got)
		}
		back, err := decimal.NewFromString(got.String())
		if err != nil || !back.Equal(got.Decimal()) {
			t.Fatalf("%q read as %s, which does not read back", text, got)
		}
	})
}
