package table

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// readAll reads every record, keeping row errors as "ERR: ..." lines.
func readAll(t *testing.T, r Reader) [][]string {
	t.Helper()
	var out [][]string
	for {
		n, cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			require.Equal(t, n, re.Row)
			out = append(out, []string{"ERR: " + re.Error()})
			continue
		}
		require.NoError(t, err)
		out = append(out, append([]string(nil), cells...))
	}
	require.NoError(t, r.Close())
	return out
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func TestCSVEncodings(t *testing.T) {
	const text = "姓名,证书工种类别,往返路费\n张三,B类,1286.50\n李四,A类,\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	require.NoError(t, err)
	tests := []struct {
		name, encoding string
		data           []byte
	}{
		{"utf-8", "", []byte(text)},
		{"utf-8 with BOM", "", append([]byte("\ufeff"), text...)},
		{"gb18030 detected", "", gb},
		{"gb18030 named", "gb18030", gb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(writeFile(t, "in.csv", tt.data), nil, ReadOptions{Encoding: tt.encoding})
			require.NoError(t, err)
			assert.Equal(t, []string{"姓名", "证书工种类别", "往返路费"}, r.Header())
			assert.Equal(t, [][]string{{"张三", "B类", "1286.50"}, {"李四", "A类", ""}}, readAll(t, r))
		})
	}
	_, err = Open(writeFile(t, "in.csv", []byte(text)), nil, ReadOptions{Encoding: "latin1"})
	assert.ErrorContains(t, err, "unknown encoding")
}

func TestCSVBadRowsAreReportedAndReadingGoesOn(t *testing.T) {
	data := "a,b\n1,2\n1,2,3\n\"unterminated,2\n"
	r, err := Open(writeFile(t, "in.csv", []byte(data)), nil, ReadOptions{})
	require.NoError(t, err)
	got := readAll(t, r)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"1", "2"}, got[0])
	assert.Equal(t, "ERR: row 2: 3 cells for 2 columns", got[1][0])
	assert.True(t, strings.HasPrefix(got[2][0], "ERR: row 3:"), got[2][0])
}

func TestCSVShortRowIsPadded(t *testing.T) {
	r, err := Open(writeFile(t, "in.csv", []byte("a,b,c\n1\n")), nil, ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"1", "", ""}}, readAll(t, r))
}

func TestJSONLValuesKeepTheirText(t *testing.T) {
	data := `{"id":"P1","travel_cost":1800.00,"big":1e3,"ok":true,"none":null,"tier":"B类"}
{"id":"P2","travel_cost":"300.10","ok":false}

{"id":"P3","extra":1}
{"id":"P4","travel_cost":[1]}
not json
`
	r, err := Open(writeFile(t, "in.jsonl", []byte(data)), nil, ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"id", "travel_cost", "big", "ok", "none", "tier"}, r.Header())
	got := readAll(t, r)
	assert.Equal(t, []string{"P1", "1800.00", "1e3", "true", "", "B类"}, got[0])
	assert.Equal(t, []string{"P2", "300.10", "", "false", "", ""}, got[1])
	assert.Equal(t, `ERR: row 3: key "extra" is not in the first record`, got[2][0])
	assert.Equal(t, `ERR: row 4: key "travel_cost": a list or object is not a value`, got[3][0])
	assert.True(t, strings.HasPrefix(got[4][0], "ERR: row 5: not JSON"), got[4][0])
}

func TestJSONLFromStdin(t *testing.T) {
	r, err := Open("-", strings.NewReader(`{"a":"1"}`+"\n"), ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"1"}}, readAll(t, r))
}

// TestXLSXNumbersReadAsExcelShowsThem writes numbers the way Excel stores
// them (binary doubles) and checks they read back as the text a person sees.
func TestXLSXNumbersReadAsExcelShowsThem(t *testing.T) {
	f := excelize.NewFile()
	set := func(cell string, v any) { require.NoError(t, f.SetCellValue("Sheet1", cell, v)) }
	set("A1", "编号")
	set("B1", "金额")
	set("C1", "日期")
	set("D1", "是否")
	rows := []struct {
		id   string
		f    float64
		want string
	}{
		{"computed", 1799.9999999999998, "1800"},
		{"tenths", 0.1 + 0.2, "0.3"},
		{"whole", 50000, "50000"},
		{"fen", 1800.5, "1800.5"},
		{"large", 123456789012.34, "123456789012.34"},
		{"tiny", 0.0001, "0.0001"},
	}
	for i, r := range rows {
		n := i + 2
		set("A"+itoa(n), r.id)
		// Excel stores the shortest text that reads back as the same double.
		require.NoError(t, f.SetCellDefault("Sheet1", "B"+itoa(n), strconv.FormatFloat(r.f, 'g', -1, 64)))
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	require.NoError(t, err)
	set("C2", 44440) // 2021-09-01
	require.NoError(t, f.SetCellStyle("Sheet1", "C2", "C2", date))
	set("D2", true)
	set("A9", "0012") // text stays text
	p := filepath.Join(t.TempDir(), "in.xlsx")
	require.NoError(t, f.SaveAs(p))

	r, err := Open(p, nil, ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"编号", "金额", "日期", "是否"}, r.Header())
	got := readAll(t, r)
	for i, want := range rows {
		assert.Equal(t, want.want, got[i][1], want.id)
	}
	assert.Equal(t, "2021-09-01", got[0][2])
	assert.Equal(t, "TRUE", got[0][3])
	assert.Equal(t, "0012", got[len(got)-1][0])

	_, err = Open(p, nil, ReadOptions{Sheet: "nosuch"})
	assert.ErrorContains(t, err, `no sheet "nosuch" (sheets: Sheet1)`)
}

func itoa(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func TestWritersRoundTrip(t *testing.T) {
	cols := []Column{{"row", Int}, {"id", Text}, {"pass", Bool}, {"amount", Number}, {"reasons", List}, {"error", Problem}}
	rows := [][]Cell{
		{{Text: "1"}, {Text: "P1"}, {Text: "true"}, {Text: "1800.00"}, {}, {}},
		{{Text: "2"}, {Text: "P2"}, {Text: "false"}, {Text: "0.00"}, {List: []string{"not-covered-population", "not-disaster-affected"}}, {}},
		{{Text: "3"}, {Text: "P3"}, {}, {}, {}, {Field: "months", Text: "months: \"2.5\" is not a whole number"}},
	}
	for _, ext := range []string{"csv", "xlsx"} {
		t.Run(ext, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "out."+ext)
			w, err := Create(p, nil, cols)
			require.NoError(t, err)
			for i, r := range rows {
				require.NoError(t, w.Write([]Status{OK, Failed, Error}[i], r))
			}
			require.NoError(t, w.Close([][]string{{"记录数", "3"}}))
			rd, err := Open(p, nil, ReadOptions{})
			require.NoError(t, err)
			assert.Equal(t, []string{"row", "id", "pass", "amount", "reasons", "error"}, rd.Header())
			got := readAll(t, rd)
			require.Len(t, got, 3)
			assert.Equal(t, "1800.00", got[0][3], "money keeps its places")
			assert.Equal(t, "P2", got[1][1])
			assert.Equal(t, "not-covered-population;not-disaster-affected", got[1][4])
			assert.Equal(t, `months: "2.5" is not a whole number`, got[2][5])
		})
	}
}

func TestJSONLOutputShape(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, JSONL, []Column{{"row", Int}, {"pass", Bool}, {"amount", Number}, {"reasons", List}, {"error", Problem}})
	require.NoError(t, err)
	require.NoError(t, w.Write(OK, []Cell{{Text: "1"}, {Text: "true"}, {Text: "2000.00"}, {List: []string{}}, {}}))
	require.NoError(t, w.Write(Error, []Cell{{Text: "2"}, {}, {}, {}, {Field: "months", Text: "bad <months>"}}))
	require.NoError(t, w.Close(nil))
	assert.Equal(t, `{"row":1,"pass":true,"amount":"2000.00","reasons":[],"error":null}
{"row":2,"pass":null,"amount":"","reasons":[],"error":{"field":"months","message":"bad \u003cmonths\u003e"}}
`, b.String())
}

func TestXLSXOutputIsMarkedAndSummarised(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.xlsx")
	w, err := Create(p, nil, []Column{{"id", Text}, {"pass", Bool}})
	require.NoError(t, err)
	require.NoError(t, w.Write(OK, []Cell{{Text: "a"}, {Text: "true"}}))
	require.NoError(t, w.Write(Failed, []Cell{{Text: "b"}, {Text: "false"}}))
	require.NoError(t, w.Write(Error, []Cell{{Text: "c"}, {}}))
	require.NoError(t, w.Close([][]string{{"记录数", "3"}, {"通过", "1"}}))

	f, err := excelize.OpenFile(p)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{"结果", "汇总"}, f.GetSheetList())
	panes, err := f.GetPanes("结果")
	require.NoError(t, err)
	assert.True(t, panes.Freeze, "header frozen")
	fill := func(cell string) string {
		id, err := f.GetCellStyle("结果", cell)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		if len(st.Fill.Color) == 0 {
			return ""
		}
		return st.Fill.Color[0]
	}
	assert.Equal(t, "", fill("A2"))
	assert.Equal(t, "FFF2CC", fill("A3"), "a failing row is yellow")
	assert.Equal(t, "F4CCCC", fill("A4"), "an error row is red")
	v, err := f.GetCellValue("汇总", "B2")
	require.NoError(t, err)
	assert.Equal(t, "1", v)
}

func TestAtomicWriteLeavesNothingOnAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	w, err := Create(p, nil, []Column{{"a", Text}})
	require.NoError(t, err)
	require.NoError(t, w.Write(OK, []Cell{{Text: "x"}}))
	_, err = os.Stat(p)
	assert.True(t, os.IsNotExist(err), "nothing at the target before Close")
	w.Abort()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the temporary file is removed")
}

func TestFormatOf(t *testing.T) {
	for p, want := range map[string]Format{"a.csv": CSV, "B.XLSX": XLSX, "c.jsonl": JSONL, "-": JSONL} {
		f, err := FormatOf(p)
		require.NoError(t, err)
		assert.Equal(t, want, f, p)
	}
	_, err := FormatOf("a.xls")
	assert.ErrorContains(t, err, `unknown file type ".xls"`)
}

func FuzzCSVRead(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("\ufeffa\n\"x\n"))
	f.Add([]byte{0xd5, 0xc5, ',', 0xc8, 0xfd, '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := newCSVReader(bytes.NewReader(data), "")
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			if _, _, err := r.Next(); errors.Is(err, io.EOF) {
				return
			}
		}
	})
}

func FuzzJSONLRead(f *testing.F) {
	f.Add([]byte(`{"a":1800.00,"b":"是"}` + "\n" + `{"a":null}` + "\n"))
	f.Add([]byte(`{"a":[1]}`))
	f.Add([]byte("{\"a\":\"\\u00e9\"}\n{\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := newJSONLReader(io.NopCloser(bytes.NewReader(data)))
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			_, cells, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err == nil && len(cells) != len(r.Header()) {
				t.Fatalf("%d cells for %d columns", len(cells), len(r.Header()))
			}
		}
	})
}
