package rules

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/shopspring/decimal"
)

// Type is the declared type of an input or parameter.
type Type string

// The types an input or parameter may have.
const (
	TypeBool    Type = "bool"    // true/false; also 是/否 and 1/0
	TypeMoney   Type = "money"   // yuan, at most 2 decimal places
	TypeDecimal Type = "decimal" // any exact decimal, such as a rate 0.0385
	TypeInt     Type = "int"     // a whole number, such as months
	TypeDate    Type = "date"    // a calendar day, YYYY-MM-DD
	TypeEnum    Type = "enum"    // one of a fixed list of codes, with aliases
)

func (t Type) valid() bool {
	switch t {
	case TypeBool, TypeMoney, TypeDecimal, TypeInt, TypeDate, TypeEnum:
		return true
	}
	return false
}

// numeric reports whether values of t are numbers in expressions.
func (t Type) numeric() bool { return t == TypeMoney || t == TypeDecimal || t == TypeInt }

type valueKind uint8

const (
	kindNone valueKind = iota
	kindText
	kindBool
	kindDec
	kindInt
	kindDate
	kindRatio
	kindComputed // a decimal computed by an expression: shown without trailing zeros
)

// Value is one input, parameter or intermediate value. Build it with [Text],
// [Bool], [Dec], [Int] or [Day]. A Text value is read according to the type
// the policy declares for it, so "是", "1800.00" and "B类" are all accepted
// where a bool, money or enum input is expected. The zero Value is "no value".
type Value struct {
	kind valueKind
	b    bool
	n    int64
	day  Date
	s    string
	d    decimal.Decimal
	q    *big.Rat
}

// Text returns a value given as text, to be read per the declared type.
func Text(s string) Value { return Value{kind: kindText, s: s} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{kind: kindBool, b: b} }

// Dec returns a decimal value (money, a rate, a count).
func Dec(d decimal.Decimal) Value { return Value{kind: kindDec, d: d} }

// Int returns a whole-number value.
func Int(n int64) Value { return Value{kind: kindInt, n: n} }

// Day returns a date value.
func Day(d Date) Value { return Value{kind: kindDate, day: d} }

// IsZero reports whether v is the zero Value, which means "no value".
func (v Value) IsZero() bool { return v.kind == kindNone }

// Decimal returns v as a decimal: the number of a Dec or Int value, the
// parsed text of a Text value, zero otherwise. A ratio is rounded half-up to
// 28 places.
func (v Value) Decimal() decimal.Decimal {
	switch v.kind {
	case kindDec, kindComputed:
		return v.d
	case kindInt:
		return decimal.NewFromInt(v.n)
	case kindText:
		d, _ := decimal.NewFromString(strings.TrimSpace(v.s))
		return d
	case kindRatio:
		return dexpr.Round(dexpr.RatioOf(v.q), 28, dexpr.HalfUp)
	}
	return decimal.Decimal{}
}

// Bool returns v's truth value; false for values that are not booleans.
func (v Value) Bool() bool { return v.kind == kindBool && v.b }

// Int returns v as a whole number; 0 when v is not one.
func (v Value) Int() int64 {
	switch v.kind {
	case kindInt:
		return v.n
	case kindDec, kindComputed:
		if v.d.IsInteger() {
			return v.d.IntPart()
		}
	}
	return 0
}

// Date returns v's date; the zero Date when v is not a date.
func (v Value) Date() Date {
	if v.kind == kindDate {
		return v.day
	}
	return Date{}
}

// String returns v in its canonical text: true/false, decimals as written
// (2000.00 stays 2000.00), dates as YYYY-MM-DD, a non-terminating ratio as
// "n/d ≈ x", and "" for no value.
func (v Value) String() string {
	switch v.kind {
	case kindText:
		return v.s
	case kindBool:
		return strconv.FormatBool(v.b)
	case kindComputed:
		return v.d.String()
	case kindDec:
		if e := v.d.Exponent(); e < 0 {
			return v.d.StringFixed(-e)
		}
		return v.d.String()
	case kindInt:
		return strconv.FormatInt(v.n, 10)
	case kindDate:
		return v.day.String()
	case kindRatio:
		return dexpr.RatioOf(v.q).String()
	}
	return ""
}

// MarshalJSON writes booleans and whole numbers as JSON, everything else
// (decimals included, so no reader turns them into floats) as a string, and
// no value as null.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case kindNone:
		return []byte("null"), nil
	case kindBool:
		return []byte(strconv.FormatBool(v.b)), nil
	case kindInt:
		return []byte(strconv.FormatInt(v.n, 10)), nil
	}
	return json.Marshal(v.String())
}

// UnmarshalJSON reads what MarshalJSON writes: null, a boolean, a whole
// number, or a string, which is read as a date if it is one (YYYY-MM-DD), as
// a decimal if it is written in plain digits, and as text otherwise.
func (v *Value) UnmarshalJSON(b []byte) error {
	s := string(b)
	switch {
	case s == "null":
		*v = Value{}
	case s == "true" || s == "false":
		*v = Bool(s == "true")
	case len(s) > 0 && s[0] == '"':
		var t string
		if err := json.Unmarshal(b, &t); err != nil {
			return err
		}
		if d, err := ParseDate(t); err == nil {
			*v = Day(d)
		} else if n, err := parsePlain(t); err == nil && !strings.Contains(t, ",") {
			*v = Dec(n)
		} else {
			*v = Text(t)
		}
	default:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("value %s is not null, a boolean, a whole number or a string", s)
		}
		*v = Int(n)
	}
	return nil
}

// Input is the facts a rule is evaluated on, by input name. Every rule also
// reads "as_of", the date the entitlement is judged on (see [On]).
type Input map[string]Value

// inputDef is a declared input.
type inputDef struct {
	name, label, description string
	typ                      Type
	values                   []string          // enum codes
	aliases                  map[string]string // enum alias → code
	boxed                    map[string]any    // enum code → the code as an expression value
	min, max, above          *decimal.Decimal
}

// ParseValue reads text as a value of type t with the same rules as inputs:
// booleans as true/false, 是/否 or 1/0; money in plain digits (thousands
// commas allowed) with at most 2 places, never an exponent; whole numbers;
// dates as YYYY-MM-DD. Empty text wraps [ErrMissing], anything else that
// cannot be read [ErrInvalid]. Enums need their declaration: use the
// policy's inputs.
func ParseValue(t Type, text string) (Value, error) {
	if t == TypeEnum || !t.valid() {
		return Value{}, fmt.Errorf("ParseValue: type %q needs a declaration", t)
	}
	return (&inputDef{typ: t}).read(Text(text))
}

// maxDigits bounds the length of a number an input may carry.
const maxDigits = 30

// read checks v against the declaration and returns it in its typed form.
func (def *inputDef) read(v Value) (Value, error) {
	if v.kind == kindNone {
		return Value{}, errMissing
	}
	switch def.typ {
	case TypeBool:
		return readBool(v)
	case TypeDate:
		switch v.kind {
		case kindDate:
			if v.day.IsZero() {
				return Value{}, errMissing
			}
			return v, nil
		case kindText:
			d, err := ParseDate(strings.TrimSpace(v.s))
			if err != nil {
				return Value{}, invalid("%v", err)
			}
			return Day(d), nil
		}
		return Value{}, invalid("%s is not a date", v)
	case TypeEnum:
		if v.kind != kindText {
			return Value{}, invalid("%s is not one of %s", v, strings.Join(def.values, ", "))
		}
		s := strings.TrimSpace(v.s)
		for _, c := range def.values {
			if s == c {
				return Text(c), nil
			}
		}
		if c, ok := def.aliases[s]; ok {
			return Text(c), nil
		}
		return Value{}, invalid("%q is not one of %s", v.s, def.choices())
	}
	d, err := readNumber(v, def.typ)
	if err != nil {
		return Value{}, err
	}
	switch {
	case def.min != nil && d.LessThan(*def.min):
		return Value{}, invalid("%s is below the minimum %s", d, def.min)
	case def.max != nil && d.GreaterThan(*def.max):
		return Value{}, invalid("%s is above the maximum %s", d, def.max)
	case def.above != nil && !d.GreaterThan(*def.above):
		return Value{}, invalid("%s must be more than %s", d, def.above)
	}
	if def.typ == TypeInt {
		return Int(d.IntPart()), nil
	}
	return Dec(d), nil
}

func (def *inputDef) choices() string {
	s := strings.Join(def.values, ", ")
	if len(def.aliases) > 0 {
		var as []string
		for a := range def.aliases {
			as = append(as, a)
		}
		sortStrings(as)
		s += " (or " + strings.Join(as, ", ") + ")"
	}
	return s
}

func readBool(v Value) (Value, error) {
	switch v.kind {
	case kindText:
		switch v.s { // the common spellings, without folding case
		case "是", "1", "true", "TRUE":
			return Bool(true), nil
		case "否", "0", "false", "FALSE":
			return Bool(false), nil
		}
	case kindBool:
		return v, nil
	case kindInt:
		if v.n == 0 || v.n == 1 {
			return Bool(v.n == 1), nil
		}
	}
	if v.kind == kindText {
		switch strings.ToLower(strings.TrimSpace(v.s)) {
		case "true", "是", "1":
			return Bool(true), nil
		case "false", "否", "0":
			return Bool(false), nil
		case "":
			return Value{}, errMissing
		}
		return Value{}, invalid("%q is not true/false, 是/否 or 1/0", v.s)
	}
	return Value{}, invalid("%s is not true/false, 是/否 or 1/0", v)
}

// readNumber reads a money, decimal or int value exactly: text must be plain
// digits (thousands separated by commas allowed), never an exponent, NaN or
// Inf; money has at most 2 decimal places, int none.
func readNumber(v Value, t Type) (decimal.Decimal, error) {
	var d decimal.Decimal
	switch v.kind {
	case kindDec:
		d = v.d
	case kindInt:
		d = decimal.NewFromInt(v.n)
	case kindText:
		s := strings.TrimSpace(v.s)
		if s == "" {
			return d, errMissing
		}
		var err error
		if d, err = parsePlain(s); err != nil {
			return d, err
		}
	default:
		return d, invalid("%s is not a number", v)
	}
	switch {
	case t == TypeInt && !d.IsInteger():
		return d, invalid("%s is not a whole number", d)
	case t == TypeMoney && d.Exponent() < -2:
		return d, invalid("%s has more than 2 decimal places", d)
	}
	return d, nil
}

func parsePlain(s string) (decimal.Decimal, error) {
	t := s
	if strings.Contains(t, ",") {
		if !thousands(t) {
			return decimal.Decimal{}, invalid("%q is not a number written in plain digits", s)
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	digits, dot := 0, false
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' && !dot:
			dot = true
		case (r == '-' || r == '+') && i == 0:
		default:
			return decimal.Decimal{}, invalid("%q is not a number written in plain digits", s)
		}
	}
	if digits == 0 || digits > maxDigits {
		return decimal.Decimal{}, invalid("%q is not a number written in plain digits", s)
	}
	return decimal.NewFromString(t)
}

// thousands reports whether s groups its integer digits by three with commas.
func thousands(s string) bool {
	s = strings.TrimLeft(s, "+-")
	intPart, _, _ := strings.Cut(s, ".")
	groups := strings.Split(intPart, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}
