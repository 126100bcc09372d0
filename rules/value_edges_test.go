package rules

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlainNumberEdges reads text on bind's quick path at each of its
// edges: digits at both ends of 0-9, the most digits, the places money
// may have, a point without digits on one side, and each bound met
// exactly. "no" is text left to the long way.
func TestPlainNumberEdges(t *testing.T) {
	dec := decimal.RequireFromString
	lo, hi, zero := dec("-5.5"), dec("1000000"), dec("0")
	money := &inputDef{typ: TypeMoney}
	decimalDef := &inputDef{typ: TypeDecimal}
	whole := &inputDef{typ: TypeInt}
	bounded := &inputDef{typ: TypeMoney, min: &lo, max: &hi}
	above := &inputDef{typ: TypeDecimal, above: &zero}
	for _, def := range []*inputDef{money, decimalDef, whole, bounded, above} {
		def.prepare()
	}
	tests := []struct {
		def  *inputDef
		text string
		want string // n/d, or "no"
	}{
		{money, "1800", "180000/100"},
		{money, "1800.5", "180050/100"},
		{money, "1800.50", "180050/100"},
		{money, "1800.505", "no"},
		{money, "-0.5", "-50/100"},
		{money, "0", "0/100"},
		{money, "9", "900/100"},
		{money, "1234567890123456", "123456789012345600/100"},
		{money, "12345678901234.56", "1234567890123456/100"},
		{money, "12345678901234567", "no"},
		{money, "1.", "no"},
		{money, ".5", "no"},
		{money, "", "no"},
		{money, "-", "no"},
		{money, "1.2.3", "no"},
		{money, "+1", "no"},
		{money, "1,000", "no"},
		{money, "1/2", "no"},
		{money, "1:2", "no"},
		{decimalDef, "0.0385", "385/10000"},
		{decimalDef, "1.234567890123456", "1234567890123456/1000000000000000"},
		{decimalDef, "1.2345678901234567", "no"},
		{decimalDef, "90", "90/1"},
		{whole, "7", "7/1"},
		{whole, "-7", "-7/1"},
		{whole, "7.0", "no"},
		{bounded, "-5.50", "-550/100"},
		{bounded, "-5.51", "no"},
		{bounded, "1000000", "100000000/100"},
		{bounded, "1000000.01", "no"},
		{above, "0", "no"},
		{above, "0.01", "1/100"},
		{above, "-1", "no"},
	}
	for _, tt := range tests {
		n, ok := tt.def.plainNumber(tt.text)
		got := "no"
		if ok {
			p, q, _ := n.Parts()
			got = fmt.Sprintf("%d/%d", p, q)
		}
		assert.Equal(t, tt.want, got, "%s %q", tt.def.typ, tt.text)
	}
}

// TestScanNumberEdges checks the shapes of number text: thousands groups,
// the point, signs and the most digits.
func TestScanNumberEdges(t *testing.T) {
	tests := []struct {
		text    string
		digits  int
		problem numberProblem
	}{
		{"1,234.50", 6, numberOK},
		{"12,345,678", 8, numberOK},
		{"123,456", 6, numberOK},
		{"1234,567", 4, numberComma},
		{"1,23", 3, numberComma},
		{"1,2345", 5, numberComma},
		{",123", 0, numberComma},
		{"1,,234", 1, numberComma},
		{"123,", 3, numberComma},
		{"1.5,0", 2, numberComma},
		{"-.5", 1, numberOK},
		{"+7", 1, numberOK},
		{"+", 0, numberNot},
		{".", 0, numberNot},
		{"", 0, numberNot},
		{"1e5", 1, numberNot},
		{"12.5x", 3, numberNot},
		{".,", 0, numberNot}, // a comma after no digits is not a misplaced separator
		{"--1", 0, numberNot},
		{strings.Repeat("9", 30), 30, numberOK},
		{strings.Repeat("9", 31), 31, numberLong},
		{strings.Repeat("9", 15) + "." + strings.Repeat("9", 15), 30, numberOK},
		{strings.Repeat("9", 16) + "." + strings.Repeat("9", 15), 31, numberLong},
		{"0", 1, numberOK},
		{"9", 1, numberOK},
	}
	for _, tt := range tests {
		digits, problem := scanNumber(tt.text)
		assert.Equal(t, [2]int{tt.digits, int(tt.problem)}, [2]int{digits, int(problem)}, "scanNumber(%q)", tt.text)
	}
}

func TestHalfWidth(t *testing.T) {
	assert.Equal(t, "0123456789.,-+", strings.Map(halfWidth, "０１２３４５６７８９．，－＋"))
	assert.Equal(t, "／：ａ1", strings.Map(halfWidth, "／：ａ1"), "the characters next to the digits stay")
}

func TestCutCurrency(t *testing.T) {
	tests := []struct{ in, want string }{
		{"￥1,234.50", "1,234.50"},
		{"¥ 5", "5"},
		{"5 元", "5"},
		{"-￥5", "-5"},
		{"+¥5", "+5"},
		{"－￥5", "－5"},
		{"＋￥ 5元", "＋5"},
		{"$5", "$5"},
		{"-5", "-5"},
		{"5元元", "5元"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, cutCurrency(tt.in), "cutCurrency(%q)", tt.in)
	}
}

// TestValueUnmarshalJSONEdges: a string is a date, a decimal when written
// in plain digits (0 to 9, a point, signs), and text otherwise.
func TestValueUnmarshalJSONEdges(t *testing.T) {
	tests := []struct{ in, kind, want string }{
		{`null`, "none", ""},
		{`true`, "bool", "true"},
		{`false`, "bool", "false"},
		{`12`, "int", "12"},
		{`-9223372036854775808`, "int", "-9223372036854775808"},
		{`"2024-02-29"`, "date", "2024-02-29"},
		{`"10"`, "dec", "10"},
		{`"90"`, "dec", "90"},
		{`"+1.50"`, "dec", "1.50"},
		{`"-0.5"`, "dec", "-0.5"},
		{`"1,000"`, "text", "1,000"},
		{`"１"`, "text", "１"},
		{`"A类"`, "text", "A类"},
		{`""`, "text", ""},
	}
	kinds := map[valueKind]string{kindNone: "none", kindBool: "bool", kindInt: "int", kindDate: "date", kindDec: "dec", kindText: "text"}
	for _, tt := range tests {
		var v Value
		require.NoError(t, json.Unmarshal([]byte(tt.in), &v), tt.in)
		assert.Equal(t, tt.kind, kinds[v.kind], tt.in)
		assert.Equal(t, tt.want, v.String(), tt.in)
	}
	var v Value
	assert.EqualError(t, v.UnmarshalJSON([]byte("1.5")), "value 1.5 is not null, a boolean, a whole number or a string")
	assert.Error(t, v.UnmarshalJSON([]byte(`"unterminated`)))
	assert.EqualError(t, v.UnmarshalJSON(nil), "value  is not null, a boolean, a whole number or a string")
	assert.True(t, plainDigits("0123456789.-+"))
	for _, s := range []string{"/", ":", "1e5", "1,0"} {
		assert.False(t, plainDigits(s), s)
	}
}

// TestValueConversions reads each kind of value as a decimal, a whole
// number, a date, text and JSON.
func TestValueConversions(t *testing.T) {
	dec := decimal.RequireFromString
	third := Value{kind: kindRatio, q: big.NewRat(1, 3)}
	tests := []struct {
		name       string
		v          Value
		decimal    string
		whole      int64
		text, json string
	}{
		{"none", Value{}, "0", 0, "", "null"},
		{"text", Text(" 12.5 "), "12.5", 0, " 12.5 ", `" 12.5 "`},
		{"text not a number", Text("x"), "0", 0, "x", `"x"`},
		{"bool", Bool(true), "0", 0, "true", "true"},
		{"whole", Int(-3), "-3", -3, "-3", "-3"},
		{"decimal with places", Dec(dec("2000.00")), "2000", 2000, "2000.00", `"2000.00"`},
		{"decimal not whole", Dec(dec("5.5")), "5.5", 0, "5.5", `"5.5"`},
		{"decimal of positive exponent", Dec(decimal.New(5, 2)), "500", 500, "500", `"500"`},
		{"computed", Value{kind: kindComputed, d: dec("2000.00")}, "2000", 2000, "2000", `"2000"`},
		{"computed not whole", Value{kind: kindComputed, d: dec("0.25")}, "0.25", 0, "0.25", `"0.25"`},
		{"ratio", third, "0.3333333333333333333333333333", 0, "1/3 ≈ 0.333333333333", `"1/3 ≈ 0.333333333333"`},
		{"date", Day(MustDate("2024-02-29")), "0", 0, "2024-02-29", `"2024-02-29"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.decimal, tt.v.Decimal().String())
			assert.Equal(t, tt.whole, tt.v.Int())
			assert.Equal(t, tt.text, tt.v.String())
			b, err := json.Marshal(tt.v)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(b))
			assert.Equal(t, tt.v.kind == kindNone, tt.v.IsZero())
			assert.Equal(t, tt.v.kind == kindBool && tt.v.b, tt.v.Bool())
		})
	}
	assert.Equal(t, "2024-02-29", Day(MustDate("2024-02-29")).Date().String())
	assert.True(t, Text("2024-02-29").Date().IsZero())
}

func TestTypes(t *testing.T) {
	for _, ty := range []Type{TypeBool, TypeMoney, TypeDecimal, TypeInt, TypeDate, TypeEnum} {
		assert.True(t, ty.valid(), ty)
		assert.Equal(t, ty == TypeMoney || ty == TypeDecimal || ty == TypeInt, ty.numeric(), ty)
	}
	assert.False(t, Type("float").valid())
	_, err := ParseValue(TypeEnum, "A")
	assert.EqualError(t, err, `ParseValue: type "enum" needs a declaration`)
	_, err = ParseValue("float", "1")
	assert.EqualError(t, err, `ParseValue: type "float" needs a declaration`)
}

// TestReadEdges checks read at the edges of whole numbers, bounds,
// booleans, dates and enums.
func TestReadEdges(t *testing.T) {
	dec := decimal.RequireFromString
	lo, hi, zero := dec("-5.5"), dec("100"), dec("0")
	tests := []struct {
		name string
		def  *inputDef
		v    Value
		want string // the value read, or the error
	}{
		{"the largest whole number", &inputDef{typ: TypeInt}, Text("9223372036854775807"), "9223372036854775807"},
		{"one past it", &inputDef{typ: TypeInt}, Text("9223372036854775808"), `"9223372036854775808" is too large for a whole number (at most 9223372036854775807)`},
		{"the smallest whole number", &inputDef{typ: TypeInt}, Text("-9223372036854775808"), "-9223372036854775808"},
		{"one below it", &inputDef{typ: TypeInt}, Text("-9223372036854775809"), `"-9223372036854775809" is too large for a whole number (at most 9223372036854775807)`},
		{"a whole decimal as int", &inputDef{typ: TypeInt}, Dec(dec("4.00")), "4"},
		{"a fraction as int", &inputDef{typ: TypeInt}, Dec(dec("4.5")), "4.5 is not a whole number"},
		{"at the minimum", &inputDef{typ: TypeMoney, min: &lo}, Text("-5.50"), "-5.50"},
		{"below the minimum", &inputDef{typ: TypeMoney, min: &lo}, Text("-5.51"), `"-5.51" is below the minimum -5.5`},
		{"at the maximum", &inputDef{typ: TypeMoney, max: &hi}, Int(100), "100.00"},
		{"above the maximum", &inputDef{typ: TypeMoney, max: &hi}, Int(101), "101 is above the maximum 100"},
		{"at the floor that is excluded", &inputDef{typ: TypeDecimal, above: &zero}, Dec(dec("0")), "0 must be more than 0"},
		{"above the floor", &inputDef{typ: TypeDecimal, above: &zero}, Dec(dec("0.001")), "0.001"},
		{"money of three places", &inputDef{typ: TypeMoney}, Dec(dec("1.005")), "1.005 has more than 2 decimal places"},
		{"money of zeros past two places", &inputDef{typ: TypeMoney}, Dec(dec("1.100")), "1.10"},
		{"a bool as a number", &inputDef{typ: TypeMoney}, Bool(true), "true is not a number"},
		{"blank text as a number", &inputDef{typ: TypeMoney}, Text("  "), "missing value"},
		{"no value", &inputDef{typ: TypeMoney}, Value{}, "missing value"},
		{"0 as a bool", &inputDef{typ: TypeBool}, Int(0), "false"},
		{"1 as a bool", &inputDef{typ: TypeBool}, Int(1), "true"},
		{"2 as a bool", &inputDef{typ: TypeBool}, Int(2), "2 is not true/false, 是/否 or 1/0"},
		{"True with spaces", &inputDef{typ: TypeBool}, Text(" True "), "true"},
		{"FALSE", &inputDef{typ: TypeBool}, Text("FALSE"), "false"},
		{"否 with spaces", &inputDef{typ: TypeBool}, Text(" 否 "), "false"},
		{"blank bool", &inputDef{typ: TypeBool}, Text(" "), "missing value"},
		{"yes", &inputDef{typ: TypeBool}, Text("yes"), `"yes" is not true/false, 是/否 or 1/0`},
		{"a decimal as a bool", &inputDef{typ: TypeBool}, Dec(dec("1")), "1 is not true/false, 是/否 or 1/0"},
		{"the zero date", &inputDef{typ: TypeDate}, Day(Date{}), "missing value"},
		{"blank date", &inputDef{typ: TypeDate}, Text(" "), "missing value"},
		{"a date with spaces", &inputDef{typ: TypeDate}, Text(" 2024-02-29 "), "2024-02-29"},
		{"a number as a date", &inputDef{typ: TypeDate}, Int(20240229), "20240229 is not a date"},
		{"an alias", &inputDef{typ: TypeEnum, values: []string{"A", "B"}, aliases: map[string]string{"乙": "B"}}, Text(" 乙 "), "B"},
		{"a code with spaces", &inputDef{typ: TypeEnum, values: []string{"A", "B"}}, Text(" A "), "A"},
		{"blank code", &inputDef{typ: TypeEnum, values: []string{"A", "B"}}, Text(""), "missing value"},
		{"an unknown code", &inputDef{typ: TypeEnum, values: []string{"A", "B"}, aliases: map[string]string{"乙": "B", "甲": "A"}}, Text("C"), `"C" is not one of A, B (or 乙, 甲)`},
		{"a number as a code", &inputDef{typ: TypeEnum, values: []string{"A"}}, Int(1), "1 is not one of A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.def.read(tt.v)
			if err != nil {
				assert.Equal(t, tt.want, err.Error())
				return
			}
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestChoicesListTwelve(t *testing.T) {
	codes := make([]string, 13)
	for i := range codes {
		codes[i] = fmt.Sprintf("c%d", i+1)
	}
	assert.Equal(t, strings.Join(codes[:12], ", "), list(codes[:12]))
	assert.Equal(t, strings.Join(codes[:12], ", ")+", … (13 in all)", list(codes))
	def := &inputDef{typ: TypeEnum, values: codes[:2], aliases: map[string]string{"z": "c1", "a": "c2"}}
	assert.Equal(t, "c1, c2 (or a, z)", def.choices())
	assert.Equal(t, "c1, c2", (&inputDef{values: codes[:2]}).choices())
}

// TestBindQuickPaths: bind reads the common spellings into the slot
// itself, and everything else as read does.
func TestBindQuickPaths(t *testing.T) {
	dec := decimal.RequireFromString
	zero := dec("0")
	tests := []struct {
		name string
		def  *inputDef
		v    Value
		want string
	}{
		{"是", &inputDef{typ: TypeBool}, Text("是"), "true"},
		{"否", &inputDef{typ: TypeBool}, Text("否"), "false"},
		{"a Bool", &inputDef{typ: TypeBool}, Bool(true), "true"},
		{"True the long way", &inputDef{typ: TypeBool}, Text("True"), "true"},
		{"an Int", &inputDef{typ: TypeInt}, Int(-4), "-4"},
		{"an Int with a floor", &inputDef{typ: TypeInt, above: &zero}, Int(-4), "-4 must be more than 0"},
		{"an Int with a minimum", &inputDef{typ: TypeInt, min: &zero}, Int(-4), "-4 is below the minimum 0"},
		{"an Int with a maximum", &inputDef{typ: TypeInt, max: &zero}, Int(4), "4 is above the maximum 0"},
		{"a code", &inputDef{typ: TypeEnum, values: []string{"A", "B"}}, Text("B"), "B"},
		{"an alias", &inputDef{typ: TypeEnum, values: []string{"A", "B"}, aliases: map[string]string{"乙": "B"}}, Text("乙"), "B"},
		{"a code declared with spaces is read the long way, trimmed", &inputDef{typ: TypeEnum, values: []string{" A", "B"}}, Text(" A"), `" A" is not one of  A, B`},
		{"an alias declared with spaces", &inputDef{typ: TypeEnum, values: []string{"A", "B"}, aliases: map[string]string{" 乙": "B"}}, Text("乙"), `"乙" is not one of A, B (or  乙)`},
		{"codes all declared with spaces", &inputDef{typ: TypeEnum, values: []string{" A", " B"}}, Text(" A"), `" A" is not one of  A,  B`},
		{"an alias declared with spaces, given as declared", &inputDef{typ: TypeEnum, values: []string{"A", "B"}, aliases: map[string]string{" 乙": "B"}}, Text(" 乙"), `" 乙" is not one of A, B (or  乙)`},
		{"money", &inputDef{typ: TypeMoney}, Text("12.5"), "12.50"},
		{"money the long way", &inputDef{typ: TypeMoney}, Text("1,212.5"), "1212.50"},
		{"a date", &inputDef{typ: TypeDate}, Text("2024-02-29"), "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.def.prepare()
			f := &dexpr.Frame{Nums: make([]dexpr.Num, 1), Flags: make([]bool, 1), Texts: make([]string, 1), Days: make([]dexpr.Day, 1)}
			if err := tt.def.bind(f, 0, tt.v); err != nil {
				assert.Equal(t, tt.want, err.Error())
				return
			}
			assert.Equal(t, tt.want, input(f, 0, tt.def).String())
		})
	}
}
