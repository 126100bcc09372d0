package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
	"github.com/shopspring/decimal"
)

// Type is the declared type of an input or parameter.
type Type string

// The types an input or parameter may have.
const (
	TypeBool    Type = "bool"    // true/false; also 是/否 and 1/0
	TypeMoney   Type = "money"   // yuan, exactly 2 decimal places
	TypeDecimal Type = "decimal" // any exact decimal, such as a rate 0.0385
	TypeInt     Type = "int"     // a whole number, such as months
	TypeDate    Type = "date"    // a calendar day, 1900 to 2200, as ParseDate reads it
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
	kind valueKind // the small fields first: 56 bytes in all, not 64
	b    bool
	day  Date
	n    int64
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
		} else if n, err := parsePlain(t); err == nil && plainDigits(t) {
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

// plainDigits reports whether s holds only ASCII digits, a point and signs.
func plainDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' {
			return false
		}
	}
	return true
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
	min, max, above          *decimal.Decimal

	// Set when the rules are linked, for [inputDef.bind]'s fast paths: the
	// enum's codes and aliases need no trimming, and the bounds as numbers.
	linked                bool
	plainCodes            bool
	lo, hi, over          dexpr.Num
	hasLo, hasHi, hasOver bool
}

// prepare fills what bind's fast paths need. It is called once, at load.
func (def *inputDef) prepare() {
	if def.linked {
		return
	}
	def.plainCodes = true
	for _, c := range def.values {
		def.plainCodes = def.plainCodes && strings.TrimSpace(c) == c
	}
	for a := range def.aliases {
		def.plainCodes = def.plainCodes && strings.TrimSpace(a) == a
	}
	if def.min != nil {
		def.lo, def.hasLo = dexpr.NumOf(*def.min), true
	}
	if def.max != nil {
		def.hi, def.hasHi = dexpr.NumOf(*def.max), true
	}
	if def.above != nil {
		def.over, def.hasOver = dexpr.NumOf(*def.above), true
	}
	def.linked = true
}

// bind reads v as [inputDef.read] does and stores it in slot at of f. Text
// in the common spellings (是/否, true/false, 1/0, an enum's code or alias as
// declared, plain digits), a Bool for a bool and an Int for an int without
// bounds are read here without building a Value; anything else, and every
// error, goes through read.
func (def *inputDef) bind(f *dexpr.Frame, at int, v Value) error {
	if v.kind == kindText && def.linked {
		switch def.typ {
		case TypeBool:
			switch v.s {
			case "是", "1", "true", "TRUE":
				f.Flags[at] = true
				return nil
			case "否", "0", "false", "FALSE":
				f.Flags[at] = false
				return nil
			}
		case TypeEnum:
			if def.plainCodes {
				for _, c := range def.values {
					if v.s == c {
						f.Texts[at] = c
						return nil
					}
				}
				if c, ok := def.aliases[v.s]; ok {
					f.Texts[at] = c
					return nil
				}
			}
		case TypeMoney, TypeDecimal, TypeInt:
			if n, ok := def.plainNumber(v.s); ok {
				f.Nums[at] = n
				return nil
			}
		}
	}
	if def.linked {
		switch {
		case v.kind == kindBool && def.typ == TypeBool:
			f.Flags[at] = v.b
			return nil
		case v.kind == kindInt && def.typ == TypeInt && !def.hasLo && !def.hasHi && !def.hasOver:
			f.Nums[at] = dexpr.IntNum(v.n)
			return nil
		}
	}
	x, err := def.read(v)
	if err != nil {
		return err
	}
	bindInput(f, at, def, x)
	return nil
}

// maxPlainDigits is how many digits a number read by plainNumber may have:
// money scaled to fen stays within 18 digits, which an int64 holds.
const maxPlainDigits = 16

// plainNumber reads text written as [-]digits[.digits] with at most
// maxPlainDigits digits, within the input's bounds, as exactly the number
// readNumber and NumOf would give: money as fen over 100, a decimal as its
// digits over 10^places, an int (no point) over 1. ok is false for anything
// else, which the caller reads the long way.
func (def *inputDef) plainNumber(s string) (n dexpr.Num, ok bool) {
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		i, neg = 1, true
	}
	var v int64
	digits, places, point := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			digits++
			if point {
				places++
			}
		case c == '.' && !point && digits > 0:
			point = true
		default:
			return n, false
		}
	}
	if digits == 0 || digits > maxPlainDigits || (point && places == 0) {
		return n, false
	}
	if neg {
		v = -v
	}
	switch def.typ {
	case TypeInt:
		if point {
			return n, false
		}
		n = dexpr.IntNum(v)
	case TypeMoney:
		if places > moneyPlaces {
			return n, false
		}
		for ; places < moneyPlaces; places++ {
			v *= 10
		}
		n = dexpr.ScaledNum(v, moneyPlaces)
	default:
		n = dexpr.ScaledNum(v, int32(places))
	}
	switch {
	case def.hasLo && dexpr.Cmp(n, def.lo) < 0, def.hasHi && dexpr.Cmp(n, def.hi) > 0, def.hasOver && dexpr.Cmp(n, def.over) <= 0:
		return n, false // out of bounds: read says why
	}
	return n, true
}

// ParseValue reads text as a value of type t with the same rules as inputs:
// booleans as true/false, 是/否 or 1/0; numbers in digits, with thousands
// commas in groups of three before the point (1,234.50) and full-width
// digits allowed, never an exponent; money with at most 2 non-zero decimal
// places, kept at exactly 2 (1.100 is 1.10), and optionally a leading ￥ or
// ¥ or a trailing 元; whole numbers that fit in 64 bits; dates as
// [ParseDate] reads them. Empty text wraps [ErrMissing], anything else that
// cannot be read [ErrInvalid], with a message that quotes the text. Enums
// need their declaration: use the policy's inputs.
func ParseValue(t Type, text string) (Value, error) {
	if t == TypeEnum || !t.valid() {
		return Value{}, fmt.Errorf("ParseValue: type %q needs a declaration", t)
	}
	return (&inputDef{typ: t}).read(Text(text))
}

// maxDigits bounds the length of a number an input may carry.
const maxDigits = 30

// moneyPlaces is the number of decimal places a money value has.
const moneyPlaces = 2

var (
	maxInt64 = decimal.NewFromInt(math.MaxInt64)
	minInt64 = decimal.NewFromInt(math.MinInt64)
)

// read checks v against the declaration and returns it in its typed form.
func (def *inputDef) read(v Value) (Value, error) {
	if v.kind == kindNone {
		return Value{}, errMissing
	}
	switch def.typ {
	case TypeBool:
		return readBool(v)
	case TypeDate:
		return readDate(v)
	case TypeEnum:
		return def.readEnum(v)
	}
	d, err := readNumber(v, def.typ)
	if err != nil {
		return Value{}, err
	}
	switch {
	case def.min != nil && d.LessThan(*def.min):
		return Value{}, invalid("%s is below the minimum %s", typed(v), def.min)
	case def.max != nil && d.GreaterThan(*def.max):
		return Value{}, invalid("%s is above the maximum %s", typed(v), def.max)
	case def.above != nil && !d.GreaterThan(*def.above):
		return Value{}, invalid("%s must be more than %s", typed(v), def.above)
	}
	if def.typ == TypeInt {
		return Int(d.IntPart()), nil
	}
	return Dec(d), nil
}

// typed returns v as the user gave it, for messages: text in quotes (a
// short prefix and the length when it is long), other values as written.
func typed(v Value) string {
	if v.kind == kindText {
		return ruledoc.Quote(v.s)
	}
	return v.String()
}

func readDate(v Value) (Value, error) {
	switch v.kind {
	case kindDate:
		if v.day.IsZero() {
			return Value{}, errMissing
		}
		return v, nil
	case kindText:
		s := strings.TrimSpace(v.s)
		if s == "" {
			return Value{}, errMissing
		}
		d, err := ParseDate(s)
		if err != nil {
			return Value{}, err
		}
		return Day(d), nil
	}
	return Value{}, invalid("%s is not a date", typed(v))
}

func (def *inputDef) readEnum(v Value) (Value, error) {
	if v.kind != kindText {
		return Value{}, invalid("%s is not one of %s", typed(v), def.choices())
	}
	s := strings.TrimSpace(v.s)
	if s == "" {
		return Value{}, errMissing
	}
	for _, c := range def.values {
		if s == c {
			return Text(c), nil
		}
	}
	if c, ok := def.aliases[s]; ok {
		return Text(c), nil
	}
	return Value{}, invalid("%s is not one of %s", typed(v), def.choices())
}

// maxChoices is how many of an enum's codes and aliases a message lists.
const maxChoices = 12

// choices lists the codes of an enum input and, in brackets, its aliases,
// at most maxChoices of each.
func (def *inputDef) choices() string {
	s := list(def.values)
	if len(def.aliases) > 0 {
		as := make([]string, 0, len(def.aliases))
		for a := range def.aliases {
			as = append(as, a)
		}
		sortStrings(as)
		s += " (or " + list(as) + ")"
	}
	return s
}

// list joins names with commas, the first maxChoices of them.
func list(names []string) string {
	if len(names) <= maxChoices {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … (%d in all)", strings.Join(names[:maxChoices], ", "), len(names))
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
	}
	return Value{}, invalid("%s is not true/false, 是/否 or 1/0", typed(v))
}

// readNumber reads a money, decimal or int value exactly. Text is read by
// [parseNumber]; money may also carry a leading ￥ or ¥ or a trailing 元.
// An int must be whole and fit in 64 bits; money may have at most 2
// non-zero decimal places and is returned with exactly 2 (1.100 is 1.10).
func readNumber(v Value, t Type) (decimal.Decimal, error) {
	var d decimal.Decimal
	switch v.kind {
	case kindDec:
		d = v.d
	case kindInt:
		d = decimal.NewFromInt(v.n)
	case kindText:
		if strings.TrimSpace(v.s) == "" {
			return d, errMissing
		}
		var err error
		if d, err = parseNumber(v.s, t == TypeMoney); err != nil {
			return d, err
		}
	default:
		return d, invalid("%s is not a number", typed(v))
	}
	switch t {
	case TypeInt:
		if !d.IsInteger() {
			return d, invalid("%s is not a whole number", typed(v))
		}
		if d.Cmp(maxInt64) > 0 || d.Cmp(minInt64) < 0 {
			return d, invalid("%s is too large for a whole number (at most %d)", typed(v), int64(math.MaxInt64))
		}
	case TypeMoney:
		r := d.Round(moneyPlaces)
		if !r.Equal(d) {
			return d, invalid("%s has more than %d decimal places", typed(v), moneyPlaces)
		}
		d = r
	}
	return d, nil
}

// parsePlain reads a number written as [parseNumber] accepts, without a
// currency sign.
func parsePlain(s string) (decimal.Decimal, error) { return parseNumber(s, false) }

// parseNumber reads a number as Chinese sheets write it: an optional sign,
// digits with optional thousands commas (only in groups of three before the
// point: 1,234.50), an optional point and decimals; full-width digits,
// point, comma and sign (１，２３４．５０) are read as their ASCII forms, and
// spaces around the number are ignored. With money set, a leading ￥ or ¥
// (before or after the sign) and a trailing 元 are allowed. At most
// maxDigits digits; never an exponent, NaN or Inf. Errors quote text as
// given.
func parseNumber(text string, money bool) (decimal.Decimal, error) {
	s := strings.TrimSpace(text)
	if money {
		s = cutCurrency(s)
	}
	t := strings.Map(halfWidth, s)
	digits, problem := scanNumber(t)
	switch problem {
	case numberComma:
		return decimal.Decimal{}, invalid("%s has a comma that does not separate thousands (write 1,234.50)", ruledoc.Quote(text))
	case numberLong:
		return decimal.Decimal{}, invalid("%s has too many digits (%d; at most %d)", ruledoc.Quote(text), digits, maxDigits)
	case numberNot:
		if money {
			return decimal.Decimal{}, invalid("%s is not an amount (write digits such as 1,234.50, ￥1,234.50 or 1234.50元)", ruledoc.Quote(text))
		}
		return decimal.Decimal{}, invalid("%s is not a number (write digits such as 1,234.50)", ruledoc.Quote(text))
	}
	d, err := decimal.NewFromString(strings.ReplaceAll(t, ",", ""))
	if err != nil { // scanNumber accepts only what NewFromString reads
		return decimal.Decimal{}, invalid("%s is not a number", ruledoc.Quote(text))
	}
	return d, nil
}

// cutCurrency removes a trailing 元 and a leading ￥ or ¥, which may come
// before or after the sign, with any spaces next to them.
func cutCurrency(s string) string {
	if rest, ok := strings.CutSuffix(s, "元"); ok {
		s = strings.TrimSpace(rest)
	}
	sign, rest := "", s
	if r, n := utf8.DecodeRuneInString(s); r == '-' || r == '+' || r == '－' || r == '＋' {
		sign, rest = s[:n], s[n:]
	}
	for _, y := range []string{"￥", "¥"} {
		if after, ok := strings.CutPrefix(rest, y); ok {
			return sign + strings.TrimSpace(after)
		}
	}
	return s
}

// halfWidth maps the full-width forms of digits, point, comma and signs to
// ASCII and leaves every other character as it is.
func halfWidth(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return '0' + (r - '０')
	case r == '．':
		return '.'
	case r == '，':
		return ','
	case r == '－':
		return '-'
	case r == '＋':
		return '+'
	}
	return r
}

type numberProblem uint8

const (
	numberOK    numberProblem = iota
	numberNot                 // not a number at all
	numberComma               // a comma that is not a thousands separator
	numberLong                // more than maxDigits digits
)

// scanNumber checks that t is [+-]digits[.digits], with the digits before
// the point either plain or grouped by three with commas, and at least one
// digit in all. It returns the number of digits.
func scanNumber(t string) (int, numberProblem) {
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	whole, group, grouped := 0, 0, false
	for ; i < len(t); i++ {
		c := t[i]
		if c >= '0' && c <= '9' {
			whole++
			group++
			continue
		}
		if c != ',' {
			break
		}
		if group == 0 || group > 3 || (grouped && group != 3) {
			return whole, numberComma
		}
		grouped, group = true, 0
	}
	if grouped && group != 3 {
		return whole, numberComma
	}
	frac := 0
	if i < len(t) && t[i] == '.' {
		for i++; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			frac++
		}
	}
	switch {
	case i < len(t) && t[i] == ',' && whole+frac > 0:
		return whole + frac, numberComma
	case i < len(t) || whole+frac == 0:
		return whole + frac, numberNot
	case whole+frac > maxDigits:
		return whole + frac, numberLong
	}
	return whole + frac, numberOK
}
