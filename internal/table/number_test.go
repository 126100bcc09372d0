package table

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
)

func TestGeneralText(t *testing.T) {
	tests := []struct {
		name, stored, want string
	}{
		{"whole", "50000", "50000"},
		{"whole with a zero", "2000", "2000"},
		{"fen", "1800.5", "1800.5"},
		{"large with fen", "123456789012.34", "123456789012.34"},
		{"computed just below", "1799.9999999999998", "1800"},
		{"computed just above", "1800.0000000000002", "1800"},
		{"0.1+0.2", "0.30000000000000004", "0.3"},
		{"14 significant digits are a real value", "1800.0000000001", "1800.0000000001"},
		{"15 significant digits are shown", "1800.00000000001", "1800.00000000001"},
		{"the 16th digit rounds half up", "1800.000000000005", "1800.00000000001"},
		{"the 16th digit rounds down", "1800.000000000004", "1800"},
		{"rounding carries into a new digit", "9999.9999999999995", "10000"},
		{"negative rounds away from zero", "-0.30000000000000004", "-0.3"},
		{"negative half", "-2.000000000000005", "-2.00000000000001"},
		{"tiny", "0.0001", "0.0001"},
		{"exponent", "1.2345678901234567E+20", "123456789012346000000"},
		{"negative exponent", "1.5E-3", "0.0015"},
		{"small exponent, noise", "3.0000000000000004E-5", "0.00003"},
		{"zero", "0", "0"},
		{"negative zero", "-0", "0"},
		{"trailing zeros", "1800.50", "1800.5"},
		{"leading zeros", "007", "7"},
		{"plus sign", "+5", "5"},
		{"not a number", "#N/A", "#N/A"},
		{"empty", "", ""},
		{"a huge exponent stays as stored", "1E+999", "1E+999"},
		{"16 nines", "0.9999999999999999", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, generalText(tt.stored), "generalText(%q)", tt.stored)
		})
	}
}

// TestGeneralTextOfDoubles stores the shortest text of doubles, as Excel
// and excelize do, and checks the text shown against the value rounded to
// 15 significant digits with decimal arithmetic.
func TestGeneralTextOfDoubles(t *testing.T) {
	for _, f := range []float64{0.1 + 0.2, 1.1 * 1.1, 1800 * 1.1, 3 * 1.15, 100.0 / 3, 2.0 / 3, 1e15 + 0.3, 1286.5 - 1e-13, 0.07 * 100, 4.35 * 100} {
		stored := strconv.FormatFloat(f, 'g', -1, 64)
		assert.Equal(t, round15(t, stored), generalText(stored), "generalText(%q)", stored)
	}
}

// round15 rounds decimal text to 15 significant digits with shopspring's
// decimal, as an independent reference.
func round15(t testing.TB, s string) string {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		return s
	}
	if d.IsZero() {
		return "0"
	}
	adj := d.NumDigits() + int(d.Exponent()) // digits before the point
	return d.Round(int32(excelDigits - adj)).String()
}

func FuzzGeneralText(f *testing.F) {
	for _, s := range []string{"1799.9999999999998", "0.30000000000000004", "1E-7", "-12.5", "1e400", "abc", "0.000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := generalText(s)
		if _, ok := parseNumber(s, nil); !ok {
			assert.Equal(t, s, got)
			return
		}
		if len(s) > 60 {
			return // the reference is slow on long digit strings; the property is the same
		}
		d, err := decimal.NewFromString(s)
		if err != nil || d.Exponent() > maxPoint || d.Exponent() < -2*maxPoint {
			return
		}
		n, _ := parseNumber(s, nil)
		if n.point > maxPoint || n.point < -maxPoint {
			assert.Equal(t, s, got)
			return
		}
		assert.Equal(t, round15(t, s), got, "generalText(%q)", s)
	})
}

func TestSerialDates(t *testing.T) {
	tests := []struct {
		stored   string
		date1904 bool
		want     string
	}{
		{"44440", false, "2021-09-01"},
		{"44440.5", false, "2021-09-01 12:00:00"},
		{"44440.99999999999", false, "2021-09-02"}, // within half a second of midnight
		{"1", false, "1900-01-01"},
		{"59", false, "1900-02-28"},
		{"60", false, "1900-02-29"}, // the day Excel invents
		{"61", false, "1900-03-01"},
		{"0", false, "1900-01-00"},
		{"42978", true, "2021-09-01"},
		{"2958465", false, "9999-12-31"},
	}
	for _, tt := range tests {
		days, secs, ok := serialParts(tt.stored)
		if !assert.True(t, ok, tt.stored) {
			continue
		}
		got := serialDate(days, tt.date1904)
		if secs != 0 {
			got += " " + clockText(secs)
		}
		assert.Equal(t, tt.want, got, "serial %s (1904: %v)", tt.stored, tt.date1904)
	}
	for _, bad := range []string{"-1", "2958466", "x", "1e9"} {
		_, _, ok := serialParts(bad)
		assert.False(t, ok, bad)
	}
}

func TestFormatKind(t *testing.T) {
	tests := []struct {
		id   int
		code string
		want cellKind
	}{
		{0, "", plainNumber},
		{2, "", plainNumber},
		{4, "", plainNumber},
		{10, "", plainNumber},
		{14, "", dateCell},
		{22, "", dateCell},
		{20, "", timeCell},
		{31, "", dateCell}, // yyyy"年"m"月"d"日"
		{32, "", timeCell}, // h"时"mm"分"
		{49, "", plainNumber},
		{164, "yyyy-mm-dd", dateCell},
		{164, `yyyy"年"m"月"d"日"`, dateCell},
		{164, "[$-804]yyyy/m/d;@", dateCell},
		{164, "m/d", dateCell},
		{164, "mmm", dateCell},
		{164, "yyyy-mm-dd hh:mm", dateCell},
		{164, "h:mm AM/PM", timeCell},
		{164, "[h]:mm", timeCell},
		{164, "mm:ss", timeCell},
		{164, "General", plainNumber},
		{164, "#,##0.00_ ", plainNumber},
		{164, `#,##0.00 "元"`, plainNumber},
		{164, "[$-zh-CN]#,##0.00", plainNumber},
		{164, "[Red]0.00;[Blue]-0.00", plainNumber},
		{164, "0.00E+00", plainNumber},
		{164, `0\d`, plainNumber},
		{164, "0.00%", plainNumber},
		{164, "¥#,##0.00;¥-#,##0.00", plainNumber},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatKind(tt.id, tt.code), "formatKind(%d, %q)", tt.id, tt.code)
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "是否", `a"b\c`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "<>&", "\u2028\u2029", "bad \xff utf8", "\xe6\x98"} {
		want, err := json.Marshal(s)
		assert.NoError(t, err)
		assert.Equal(t, string(want), string(appendJSONString(nil, s)), "%q", s)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("是 <a> \"b\" \xff")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		assert.Equal(t, string(want), string(appendJSONString(nil, s)))
	})
}

func TestPlainDecimal(t *testing.T) {
	for s, want := range map[string]int{"0": 0, "1800.00": 2, "-3.5": 1, "0.0385": 4} {
		places, ok := plainDecimal(s)
		assert.True(t, ok, s)
		assert.Equal(t, want, places, s)
	}
	for _, s := range []string{"", "-", ".5", "5.", "1e3", "+1", "1,800.00", "1.2.3", " 1"} {
		_, ok := plainDecimal(s)
		assert.False(t, ok, s)
	}
}
