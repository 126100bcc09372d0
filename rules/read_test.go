package rules_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseValueMoney reads amounts as Chinese sheets write them. want is
// the value as it prints (money keeps exactly 2 places); errText is a part
// of the message, which must quote what was typed.
func TestParseValueMoney(t *testing.T) {
	tests := []struct {
		name, text, want string
		errText          string
	}{
		{"plain", "1234.50", "1234.50", ""},
		{"one place gets two", "1234.5", "1234.50", ""},
		{"whole yuan gets two places", "1800", "1800.00", ""},
		{"thousands", "1,234.50", "1234.50", ""},
		{"two thousands groups", "1,234,567.89", "1234567.89", ""},
		{"yen sign full-width", "￥1,234.50", "1234.50", ""},
		{"yen sign half-width", "¥1234.50", "1234.50", ""},
		{"trailing 元", "1234.5元", "1234.50", ""},
		{"sign and yen sign", "￥ 12元", "12.00", ""},
		{"minus before yen sign", "-￥5", "-5.00", ""},
		{"minus after yen sign", "￥-5", "-5.00", ""},
		{"full-width digits and point", "１２３４．５０", "1234.50", ""},
		{"full-width comma", "１，２３４．５", "1234.50", ""},
		{"full-width minus", "－１", "-1.00", ""},
		{"spaces around", "  12.30 ", "12.30", ""},
		{"full-width space around", "\u300012.30\u3000", "12.30", ""},
		{"trailing zeros are exact", "1.100", "1.10", ""},
		{"many trailing zeros", "7.50000000", "7.50", ""},
		{"leading point", ".5", "0.50", ""},
		{"30 digits", strings.Repeat("9", 28) + ".00", strings.Repeat("9", 28) + ".00", ""},

		{"comma after the point", "12.3,4", "", `"12.3,4" has a comma that does not separate thousands`},
		{"comma in decimals", "1.2,3", "", `"1.2,3" has a comma that does not separate thousands`},
		{"group of two", "1,23", "", `"1,23" has a comma`},
		{"first group of four", "1234,567", "", `"1234,567" has a comma`},
		{"leading comma", ",123", "", `",123" has a comma`},
		{"double comma", "1,,234", "", `"1,,234" has a comma`},
		{"three places", "1.005", "", `"1.005" has more than 2 decimal places`},
		{"three places with zeros after", "1.0050", "", `"1.0050" has more than 2 decimal places`},
		{"31 digits", strings.Repeat("1", 31), "", `has too many digits (31; at most 30)`},
		{"exponent", "1e3", "", `"1e3" is not an amount`},
		{"NaN", "NaN", "", `"NaN" is not an amount`},
		{"letters", "abc", "", `"abc" is not an amount`},
		{"two points", "1.2.3", "", `"1.2.3" is not an amount`},
		{"sign only", "-", "", `"-" is not an amount`},
		{"yen sign only", "￥", "", `"￥" is not an amount`},
		{"two signs", "--5", "", `"--5" is not an amount`},
		{"two yen signs", "￥￥5", "", `"￥￥5" is not an amount`},
		{"元 first", "元5", "", `"元5" is not an amount`},
		{"space inside", "1 234", "", `"1 234" is not an amount`},
		{"full-width text quoted as typed", "１２３４．５６７", "", `"１２３４．５６７" has more than 2 decimal places`},
		{"long text quoted as a prefix", strings.Repeat("x", 100000), "", `"` + strings.Repeat("x", 32) + `…" (100000 characters) is not an amount`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.ParseValue(rules.TypeMoney, tt.text)
			if tt.errText != "" {
				require.Error(t, err, "ParseValue(money, %q) = %s", tt.text, got)
				assert.True(t, errors.Is(err, rules.ErrInvalid), "ParseValue(money, %q): %v is not ErrInvalid", tt.text, err)
				assert.Contains(t, err.Error(), tt.errText)
				assert.Less(t, len(err.Error()), 200, "message repeats too much of the text")
				return
			}
			require.NoError(t, err, "ParseValue(money, %q)", tt.text)
			assert.Equal(t, tt.want, got.String(), "ParseValue(money, %q)", tt.text)
			assertDecimal(t, tt.want, got.Decimal())
		})
	}
}

// TestParseValueNumbers reads decimals and whole numbers: the same forms as
// money, without a currency, and whole numbers only within 64 bits.
func TestParseValueNumbers(t *testing.T) {
	tests := []struct {
		name    string
		typ     rules.Type
		text    string
		want    string
		errText string
	}{
		{"rate keeps its places", rules.TypeDecimal, "0.0385", "0.0385", ""},
		{"rate keeps trailing zeros", rules.TypeDecimal, "0.0350", "0.0350", ""},
		{"decimal with thousands", rules.TypeDecimal, "1,234.5678", "1234.5678", ""},
		{"decimal full-width", rules.TypeDecimal, "０．５", "0.5", ""},
		{"decimal has no currency", rules.TypeDecimal, "￥5", "", `"￥5" is not a number`},
		{"decimal has no 元", rules.TypeDecimal, "5元", "", `"5元" is not a number`},
		{"int", rules.TypeInt, "9", "9", ""},
		{"int with thousands", rules.TypeInt, "1,000", "1000", ""},
		{"int full-width", rules.TypeInt, "１２", "12", ""},
		{"int written with zero places", rules.TypeInt, "6.00", "6", ""},
		{"largest int", rules.TypeInt, "9223372036854775807", "9223372036854775807", ""},
		{"smallest int", rules.TypeInt, "-9223372036854775808", "-9223372036854775808", ""},
		{"2^63", rules.TypeInt, "9223372036854775808", "", `"9223372036854775808" is too large for a whole number`},
		{"2^64+1", rules.TypeInt, "18446744073709551617", "", `"18446744073709551617" is too large for a whole number`},
		{"below -2^63", rules.TypeInt, "-9223372036854775809", "", `"-9223372036854775809" is too large for a whole number`},
		{"int not whole", rules.TypeInt, "2.5", "", `"2.5" is not a whole number`},
		{"int has no currency", rules.TypeInt, "6元", "", `"6元" is not a number`},
		{"int exponent", rules.TypeInt, "1e2", "", `"1e2" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.ParseValue(tt.typ, tt.text)
			if tt.errText != "" {
				require.Error(t, err, "ParseValue(%s, %q) = %s", tt.typ, tt.text, got)
				assert.True(t, errors.Is(err, rules.ErrInvalid), "ParseValue(%s, %q): %v is not ErrInvalid", tt.typ, tt.text, err)
				assert.Contains(t, err.Error(), tt.errText)
				return
			}
			require.NoError(t, err, "ParseValue(%s, %q)", tt.typ, tt.text)
			assert.Equal(t, tt.want, got.String(), "ParseValue(%s, %q)", tt.typ, tt.text)
		})
	}
}

// TestParseValueDates reads the date forms of Chinese sheets and refuses
// years the policy cannot mean.
func TestParseValueDates(t *testing.T) {
	tests := []struct {
		name, text, want string
		errText          string
	}{
		{"ISO", "2021-09-01", "2021-09-01", ""},
		{"ISO without leading zeros", "2021-9-1", "2021-09-01", ""},
		{"slashes", "2021/9/1", "2021-09-01", ""},
		{"slashes with zeros", "2021/09/01", "2021-09-01", ""},
		{"Chinese", "2021年9月1日", "2021-09-01", ""},
		{"Chinese with zeros", "2021年09月01日", "2021-09-01", ""},
		{"full-width digits", "２０２１年９月１日", "2021-09-01", ""},
		{"full-width separators", "２０２１／９／１", "2021-09-01", ""},
		{"spaces around", " 2021-9-1 ", "2021-09-01", ""},
		{"first year", "1900-01-01", "1900-01-01", ""},
		{"last year", "2200-12-31", "2200-12-31", ""},
		{"leap day", "2024-02-29", "2024-02-29", ""},

		{"year 0", "0000-12-31", "", `date "0000-12-31" is outside the years 1900 to 2200`},
		{"year 1899", "1899-12-31", "", `is outside the years 1900 to 2200`},
		{"year 2201", "2201-01-01", "", `date "2201-01-01" is outside the years 1900 to 2200`},
		{"no leap day", "2021-02-29", "", `date "2021-02-29" does not exist`},
		{"month 13", "2021/13/1", "", `date "2021/13/1" does not exist`},
		{"day 0", "2021年9月0日", "", `date "2021年9月0日" does not exist`},
		{"mixed separators", "2021-9/1", "", `date "2021-9/1" is not written as YYYY-MM-DD`},
		{"two-digit year", "21-9-1", "", `is not written as`},
		{"five-digit year", "20211-9-1", "", `is not written as`},
		{"three-digit day", "2021-09-001", "", `is not written as`},
		{"no 日", "2021年9月1", "", `is not written as`},
		{"trailing text", "2021-09-01T00:00", "", `is not written as`},
		{"dots", "2021.9.1", "", `is not written as`},
		{"long text quoted as a prefix", strings.Repeat("2", 5000), "", `(5000 characters) is not written as`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.ParseValue(rules.TypeDate, tt.text)
			if tt.errText != "" {
				require.Error(t, err, "ParseValue(date, %q) = %s", tt.text, got)
				assert.True(t, errors.Is(err, rules.ErrInvalid), "ParseValue(date, %q): %v is not ErrInvalid", tt.text, err)
				assert.Contains(t, err.Error(), tt.errText)
				return
			}
			require.NoError(t, err, "ParseValue(date, %q)", tt.text)
			assert.Equal(t, tt.want, got.String(), "ParseValue(date, %q)", tt.text)
		})
	}
}

// TestParseDateRange checks ParseDate, which the CLI's --on uses, refuses
// year 0 rather than returning the zero Date.
func TestParseDateRange(t *testing.T) {
	d, err := rules.ParseDate("0000-12-31")
	require.Error(t, err)
	assert.True(t, d.IsZero(), "ParseDate(0000-12-31) = %s", d)
	assert.True(t, errors.Is(err, rules.ErrInvalid), "%v", err)

	var u rules.Date
	require.Error(t, u.UnmarshalText([]byte("2201-01-01")))
	require.NoError(t, u.UnmarshalText([]byte("2021年9月1日")))
	assert.Equal(t, "2021-09-01", u.String())
}

// TestEvalInputErrors checks that through Eval an input error names the
// field and quotes the text: an as-of date of year 0 is invalid, not
// missing, and months past int64 never wrap.
func TestEvalInputErrors(t *testing.T) {
	s := mustCompile(t, numberRule("a + n"))
	tests := []struct {
		name, field, text string
		sentinel          error
		errText           string
	}{
		{"as_of year 0", rules.AsOf, "0000-12-31", rules.ErrInvalid, `date "0000-12-31" is outside the years 1900 to 2200`},
		{"as_of 2201", rules.AsOf, "2201-01-01", rules.ErrInvalid, `outside the years`},
		{"months 2^63", "n", "9223372036854775808", rules.ErrInvalid, `n (月数): "9223372036854775808" is too large for a whole number`},
		{"months 2^64+1", "n", "18446744073709551617", rules.ErrInvalid, `n (月数): "18446744073709551617" is too large`},
		{"months below the minimum", "n", "-1", rules.ErrInvalid, `n (月数): "-1" is below the minimum 0`},
		{"money quoted as typed", "a", "1.005", rules.ErrInvalid, `a (甲): "1.005" has more than 2 decimal places`},
		{"money missing", "a", "  ", rules.ErrMissing, `a (甲) is missing`},
		{"enum quoted as typed", "tier", "C类", rules.ErrInvalid, `tier (类别): "C类" is not one of A, B (or A类, B类)`},
		{"enum missing", "tier", " ", rules.ErrMissing, `is missing`},
		{"date missing", "day", "", rules.ErrMissing, `is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := facts()
			in[tt.field] = rules.Text(tt.text)
			_, err := s.Eval(context.Background(), "r", in)
			var ie *rules.InputError
			require.ErrorAs(t, err, &ie, "Eval with %s=%q", tt.field, tt.text)
			assert.Equal(t, tt.field, ie.Field)
			assert.True(t, errors.Is(err, tt.sentinel), "Eval with %s=%q: %v", tt.field, tt.text, err)
			assert.Contains(t, err.Error(), tt.errText)
		})
	}
}

// TestEvalNumbersAsSheetsWrite decides with amounts written as sheets
// write them and checks the exact values the rule saw.
func TestEvalNumbersAsSheetsWrite(t *testing.T) {
	s := mustCompile(t, numberRule("a + b"))
	in := facts()
	in["a"] = rules.Text("￥1,234.50")
	in["b"] = rules.Text("１．１００元")
	in["n"] = rules.Text("１２")
	in[rules.AsOf] = rules.Text("2024年6月1日")
	res, err := s.Eval(context.Background(), "r", in)
	require.NoError(t, err)
	assertDecimal(t, "1235.60", output(t, res, "x"))
	ex := res.Explanation()
	assert.Equal(t, "2024-06-01", ex.AsOf.String())
	got := map[string]string{}
	for _, v := range ex.Inputs {
		got[v.Name] = v.Value.String()
	}
	assert.Equal(t, "1234.50", got["a"])
	assert.Equal(t, "1.10", got["b"])
	assert.Equal(t, "12", got["n"])
}

// TestGoValuesAreChecked gives inputs as Go values rather than text: money
// keeps 2 places, an int-typed decimal past int64 is refused.
func TestGoValuesAreChecked(t *testing.T) {
	s := mustCompile(t, numberRule("a + n"))
	in := facts()
	in["a"] = rules.Dec(decimal.RequireFromString("5.5"))
	in["n"] = rules.Dec(decimal.RequireFromString("18446744073709551617"))
	_, err := s.Eval(context.Background(), "r", in)
	require.ErrorIs(t, err, rules.ErrInvalid)
	assert.Contains(t, err.Error(), "18446744073709551617 is too large for a whole number")

	in["n"] = rules.Int(3)
	res, err := s.Eval(context.Background(), "r", in)
	require.NoError(t, err)
	assertDecimal(t, "8.50", output(t, res, "x"))
	assert.Equal(t, "5.50", res.Explanation().Inputs[0].Value.String())

	in["a"] = rules.Dec(decimal.RequireFromString("5.555"))
	_, err = s.Eval(context.Background(), "r", in)
	assert.ErrorIs(t, err, rules.ErrInvalid)
	in["a"] = rules.Bool(true)
	_, err = s.Eval(context.Background(), "r", in)
	require.ErrorIs(t, err, rules.ErrInvalid)
	assert.Contains(t, err.Error(), "true is not a number")
}

// TestInputMax reads an input that declares max in the rule file: the
// maximum itself is accepted, one more is an error quoting the text.
func TestInputMax(t *testing.T) {
	src := strings.Replace(numberRule("n"), `n: {type: int, label: 月数, min: "0"}`, `n: {type: int, label: 月数, min: "0", max: "120"}`, 1)
	s := mustCompile(t, src)
	in := facts()
	in["n"] = rules.Text("120")
	res, err := s.Eval(context.Background(), "r", in)
	require.NoError(t, err)
	assertDecimal(t, "120", output(t, res, "x"))

	in["n"] = rules.Text("121")
	_, err = s.Eval(context.Background(), "r", in)
	require.ErrorIs(t, err, rules.ErrInvalid)
	assert.Contains(t, err.Error(), `n (月数): "121" is above the maximum 120`)

	in["n"] = rules.Text("1,000")
	_, err = s.Eval(context.Background(), "r", in)
	require.ErrorIs(t, err, rules.ErrInvalid)
	assert.Contains(t, err.Error(), `"1,000" is above the maximum 120`)

	_, err = compile(t, strings.Replace(src, `max: "120"`, `max: "12 0"`, 1))
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "bad-number", ds[0].Code)
	_, err = compile(t, strings.Replace(src, `day: {type: date, label: 日期}`, `day: {type: date, label: 日期, max: "2"}`, 1))
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "bad-bound", ds[0].Code)
}

// TestReadBool checks the spellings of booleans and that others are quoted.
func TestReadBool(t *testing.T) {
	for text, want := range map[string]bool{"是": true, "否": false, "1": true, "0": false, "TRUE": true, "False": false, " 是 ": true} {
		got, err := rules.ParseValue(rules.TypeBool, text)
		require.NoError(t, err, "ParseValue(bool, %q)", text)
		assert.Equal(t, want, got.Bool(), "ParseValue(bool, %q)", text)
	}
	_, err := rules.ParseValue(rules.TypeBool, "对")
	require.ErrorIs(t, err, rules.ErrInvalid)
	assert.Contains(t, err.Error(), `"对" is not true/false, 是/否 or 1/0`)
	_, err = rules.ParseValue(rules.TypeBool, "")
	assert.ErrorIs(t, err, rules.ErrMissing)
	_, err = rules.ParseValue(rules.TypeEnum, "A")
	assert.Error(t, err)
}

// TestEnumErrorListsAFewChoices checks that an enum with many codes is
// listed in part, with the count.
func TestEnumErrorListsAFewChoices(t *testing.T) {
	var codes []string
	for i := range 40 {
		codes = append(codes, fmt.Sprintf("c%d", i))
	}
	src := strings.Replace(numberRule("a"), "values: [A, B], aliases: {A类: A, B类: B}", "values: ["+strings.Join(codes, ", ")+"]", 1)
	s := mustCompile(t, src)
	in := facts()
	in["tier"] = rules.Text("x")
	_, err := s.Eval(context.Background(), "r", in)
	require.ErrorIs(t, err, rules.ErrInvalid)
	assert.Contains(t, err.Error(), `"x" is not one of c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, … (40 in all)`)
}
