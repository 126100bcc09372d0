package dexpr

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/expr-lang/expr"
	"github.com/shopspring/decimal"
)

// allowedFunctions are the only calls an expression may contain after
// compilation: the operator implementations and the functions below.
var allowedFunctions = map[string]bool{
	"dadd": true, "dsub": true, "dmul": true, "ddiv": true, "dmod": true,
	"deq": true, "dne": true, "dlt": true, "dle": true, "dgt": true, "dge": true,
	"din": true, "dor": true, "neg": true,
	"min": true, "max": true, "abs": true, "round": true,
}

// FunctionNames are the functions rule authors may call.
var FunctionNames = []string{"abs", "date", "max", "min", "round"}

var callable = map[string]bool{"abs": true, "date": true, "max": true, "min": true, "round": true}

var errDivZero = errors.New("division by zero")

// number reads an operand: a Decimal stays, a Ratio stays; anything else
// (a missing value) is an error rather than a silent zero.
func number(v any) (decimal.Decimal, *big.Rat, error) {
	switch x := v.(type) {
	case decimal.Decimal:
		return x, nil, nil
	case Ratio:
		return decimal.Decimal{}, x.rat(), nil
	case nil:
		return decimal.Decimal{}, nil, errors.New("a number has no value")
	}
	return decimal.Decimal{}, nil, fmt.Errorf("%T is not a number", v)
}

func rat(d decimal.Decimal, r *big.Rat) *big.Rat {
	if r != nil {
		return r
	}
	return d.Rat()
}

// arith builds an operator implementation: dec works on two Decimals, q on
// exact rationals (used whenever either side is a Ratio).
func arith(dec func(a, b decimal.Decimal) (any, error), q func(a, b *big.Rat) (any, error)) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		if len(args) != 2 {
			return nil, errors.New("operator needs two operands")
		}
		a, ar, err := number(args[0])
		if err != nil {
			return nil, err
		}
		b, br, err := number(args[1])
		if err != nil {
			return nil, err
		}
		if ar == nil && br == nil && dec != nil {
			return dec(a, b)
		}
		return q(rat(a, ar), rat(b, br))
	}
}

func ratio(r *big.Rat) Ratio { return Ratio{r: r} }

var (
	dd = new(func(decimal.Decimal, decimal.Decimal) decimal.Decimal)
	dr = new(func(decimal.Decimal, Ratio) Ratio)
	rd = new(func(Ratio, decimal.Decimal) Ratio)
	rr = new(func(Ratio, Ratio) Ratio)

	ddR = new(func(decimal.Decimal, decimal.Decimal) Ratio)

	cmpSigs = []any{
		new(func(decimal.Decimal, decimal.Decimal) bool),
		new(func(decimal.Decimal, Ratio) bool),
		new(func(Ratio, decimal.Decimal) bool),
		new(func(Ratio, Ratio) bool),
	}
)

func compare(test func(c int) bool) func(args ...any) (any, error) {
	return arith(
		func(a, b decimal.Decimal) (any, error) { return test(a.Cmp(b)), nil },
		func(a, b *big.Rat) (any, error) { return test(a.Cmp(b)), nil },
	)
}

func functionOptions() []expr.Option {
	opts := []expr.Option{
		expr.Function("dadd", arith(
			func(a, b decimal.Decimal) (any, error) { return a.Add(b), nil },
			func(a, b *big.Rat) (any, error) { return ratio(new(big.Rat).Add(a, b)), nil },
		), dd, dr, rd, rr),
		expr.Function("dsub", arith(
			func(a, b decimal.Decimal) (any, error) { return a.Sub(b), nil },
			func(a, b *big.Rat) (any, error) { return ratio(new(big.Rat).Sub(a, b)), nil },
		), dd, dr, rd, rr),
		expr.Function("dmul", arith(
			func(a, b decimal.Decimal) (any, error) { return a.Mul(b), nil },
			func(a, b *big.Rat) (any, error) { return ratio(new(big.Rat).Mul(a, b)), nil },
		), dd, dr, rd, rr),
		expr.Function("ddiv", arith(nil, func(a, b *big.Rat) (any, error) {
			if b.Sign() == 0 {
				return nil, errDivZero
			}
			return ratio(new(big.Rat).Quo(a, b)), nil
		}), ddR, dr, rd, rr),
		expr.Function("dmod", arith(func(a, b decimal.Decimal) (any, error) {
			if b.IsZero() {
				return nil, errDivZero
			}
			return a.Mod(b), nil
		}, func(a, b *big.Rat) (any, error) { return nil, errors.New("% needs two decimal numbers") }), dd),
		expr.Function("deq", compare(func(c int) bool { return c == 0 }), cmpSigs...),
		expr.Function("dne", compare(func(c int) bool { return c != 0 }), cmpSigs...),
		expr.Function("dlt", compare(func(c int) bool { return c < 0 }), cmpSigs...),
		expr.Function("dle", compare(func(c int) bool { return c <= 0 }), cmpSigs...),
		expr.Function("dgt", compare(func(c int) bool { return c > 0 }), cmpSigs...),
		expr.Function("dge", compare(func(c int) bool { return c >= 0 }), cmpSigs...),
		expr.Function("din", member,
			new(func(decimal.Decimal, []any) bool), new(func(Ratio, []any) bool)),
		expr.Function("dor", orElse,
			new(func(Maybe, decimal.Decimal) decimal.Decimal), new(func(Maybe, Ratio) Ratio)),
		expr.Function("neg", func(args ...any) (any, error) {
			switch x := args[0].(type) {
			case decimal.Decimal:
				return x.Neg(), nil
			case Ratio:
				return ratio(new(big.Rat).Neg(x.rat())), nil
			}
			return nil, errors.New("a number has no value")
		}, new(func(decimal.Decimal) decimal.Decimal), new(func(Ratio) Ratio)),
		expr.Function("abs", func(args ...any) (any, error) {
			switch x := args[0].(type) {
			case decimal.Decimal:
				return x.Abs(), nil
			case Ratio:
				return ratio(new(big.Rat).Abs(x.rat())), nil
			}
			return nil, errors.New("a number has no value")
		}, new(func(decimal.Decimal) decimal.Decimal), new(func(Ratio) Ratio)),
		expr.Function("min", pick(func(c int) bool { return c <= 0 }), dd, dr, rd, rr),
		expr.Function("max", pick(func(c int) bool { return c >= 0 }), dd, dr, rd, rr),
		expr.Function("round", roundFn,
			new(func(decimal.Decimal, decimal.Decimal) decimal.Decimal),
			new(func(Ratio, decimal.Decimal) decimal.Decimal)),
		// date is folded into a constant when the expression is compiled; this
		// declaration only lets the parser see a user function, not a builtin.
		expr.Function("date", func(args ...any) (any, error) {
			return nil, errors.New(`date() takes one date written as "YYYY-MM-DD"`)
		}, new(func(string) string)),
	}
	for op, fn := range map[string]string{
		"+": "dadd", "-": "dsub", "*": "dmul", "/": "ddiv", "%": "dmod",
		"==": "deq", "!=": "dne", "<": "dlt", "<=": "dle", ">": "dgt", ">=": "dge",
		"in": "din", "??": "dor",
	} {
		opts = append(opts, expr.Operator(op, fn))
	}
	return opts
}

// pick returns the first operand when first(cmp(a, b)) holds, else the second,
// as a Ratio when either operand is one, so the value matches the static type.
func pick(first func(c int) bool) func(args ...any) (any, error) {
	return arith(
		func(a, b decimal.Decimal) (any, error) {
			if first(a.Cmp(b)) {
				return a, nil
			}
			return b, nil
		},
		func(a, b *big.Rat) (any, error) {
			if first(a.Cmp(b)) {
				return ratio(a), nil
			}
			return ratio(b), nil
		},
	)
}

func member(args ...any) (any, error) {
	x, xr, err := number(args[0])
	if err != nil {
		return nil, err
	}
	list, _ := args[1].([]any)
	for _, e := range list {
		y, yr, err := number(e)
		if err != nil {
			return nil, fmt.Errorf("list after `in`: %v", err)
		}
		if rat(x, xr).Cmp(rat(y, yr)) == 0 {
			return true, nil
		}
	}
	return false, nil
}

func orElse(args ...any) (any, error) {
	m, ok := args[0].(Maybe)
	if !ok {
		return nil, errors.New("?? needs an optional number on its left")
	}
	if m.Valid {
		if _, isRatio := args[1].(Ratio); isRatio {
			return ratio(m.Value.Rat()), nil
		}
		return m.Value, nil
	}
	return args[1], nil
}

func roundFn(args ...any) (any, error) {
	p, ok := args[1].(decimal.Decimal)
	if !ok || !p.IsInteger() || p.IsNegative() || p.GreaterThan(decimal.NewFromInt(28)) {
		return nil, fmt.Errorf("round: places must be a whole number from 0 to 28, not %v", args[1])
	}
	switch x := args[0].(type) {
	case decimal.Decimal, Ratio:
		return Round(x, int32(p.IntPart()), HalfUp), nil
	}
	return nil, errors.New("a number has no value")
}
