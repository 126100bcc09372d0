package table_test

import (
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONLRowErrors(t *testing.T) {
	for line, want := range map[string]string{
		`[1]`:                 "a record must be a JSON object",
		`x`:                   "not JSON: a line must hold one object",
		`{"a":1}{}`:           "more than one JSON value on the line",
		`{"a":1} x`:           "not JSON: text after the object",
		`{"a":01}`:            `key "a": not JSON: '1' after the value`,
		`{"a":"\q"}`:          `key "a": not JSON: an unknown escape \q`,
		`{"a":1`:              "not JSON: the object is not closed",
		`{"a":1,"b":}`:        `key "b": not JSON: '}' cannot start a value`,
		`{"a":1,"a":2}`:       `key "a" twice`,
		`{"a":[1}`:            `key "a": not JSON: invalid character '}' after array element`,
		`{"a":[1],"b":2} x`:   "not JSON: text after the object",
		`{"a":{"b":1},"a":2}`: `key "a" twice`,
	} {
		r, err := table.NewReader(strings.NewReader(`{"a":"first"}`+"\n"+line+"\n"), table.JSONL, table.ReadOptions{})
		require.NoError(t, err)
		_, _, err = r.Next()
		require.NoError(t, err)
		n, _, err := r.Next()
		var re *table.RowError
		require.ErrorAs(t, err, &re, line)
		assert.Equal(t, 2, n)
		assert.Equal(t, 2, re.Line)
		assert.EqualError(t, re.Err, want, line)
	}
}

// TestJSONLFieldsTakeAnyKeyOrder reads loans whose records carry different
// keys, in either language, with nested repayments and keys no one reads.
func TestJSONLFieldsTakeAnyKeyOrder(t *testing.T) {
	in := `{"id":"L1","principal":50000.00,"start":"2021-09-01","note":"ignored"}
{"编号":"L2","贷款金额":"30000","extended_to":"2022-12-01","repayments":[{"date":"2021-12-01","amount":"1000.00"}]}

{"id":"L3","extra":{"deep":[1,2,{"x":null}]},"principal":null,"start":true}
{"id":"L4","编号":"L4again"}
`
	fields := [][]string{{"id", "编号"}, {"principal", "贷款金额"}, {"start", "放款日期"}, {"repayments", "还款记录"}, {"extended_to", "展期到期日"}}
	r, err := table.NewReader(strings.NewReader(in), table.JSONL, table.ReadOptions{Fields: fields})
	require.NoError(t, err)
	assert.Equal(t, `header (line 1): ["id" "principal" "start" "repayments" "extended_to"]
1 (line 1): ["L1" "50000.00" "2021-09-01" "" ""]
2 (line 2): ["L2" "30000" "" "[{\"date\":\"2021-12-01\",\"amount\":\"1000.00\"}]" "2022-12-01"]
3 (line 4): ["L3" "" "true" "" ""]
4 (line 5): error: keys "id" and "编号" both give id
`, dump(t, r))
}

func TestJSONLWithoutFieldsIgnoresLaterKeys(t *testing.T) {
	in := `{"a":"1","b":2.50}` + "\n" + `{"c":"x","b":3}` + "\n"
	r, err := table.NewReader(strings.NewReader(in), table.JSONL, table.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "header (line 1): [\"a\" \"b\"]\n1 (line 1): [\"1\" \"2.50\"]\n2 (line 2): [\"\" \"3\"]\n", dump(t, r))
}

func TestJSONLCellOverExcelsLimit(t *testing.T) {
	in := `{"a":"1","b":"x"}` + "\n" + `{"a":"2","b":"` + strings.Repeat("长", table.MaxCellChars+1) + `"}` + "\n" + `{"a":"3","b":"` + strings.Repeat("长", table.MaxCellChars) + `"}` + "\n"
	r, err := table.NewReader(strings.NewReader(in), table.JSONL, table.ReadOptions{})
	require.NoError(t, err)
	_, _, err = r.Next()
	require.NoError(t, err)
	_, _, err = r.Next()
	assert.EqualError(t, err, `row 2: column "b" holds 32768 characters; a cell holds at most 32767`)
	_, cells, err := r.Next()
	require.NoError(t, err, "a cell of exactly 32,767 characters is read")
	assert.Equal(t, "3", cells[0])
}
