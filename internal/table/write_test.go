package table_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/internal/golden"
	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// resultCols are the columns of a decision, as the tool writes them after
// the input's own columns.
var resultCols = []table.Column{
	{Name: "row", Kind: table.Int}, {Name: "id", Kind: table.Text}, {Name: "pass", Kind: table.Bool},
	{Name: "amount", Kind: table.Money}, {Name: "share", Kind: table.Number},
	{Name: "reasons", Kind: table.List}, {Name: "error", Kind: table.Problem},
}

type record struct {
	status table.Status
	cells  []table.Cell
}

// results are decisions of each kind: passed, failed with two reasons,
// an input error, and amounts at the edges of what a double holds.
var results = []record{
	{table.OK, []table.Cell{{Text: "1"}, {Text: "P1"}, {Text: "true"}, {Text: "1800.00"}, {Text: "0.1500"}, {}, {}}},
	{table.Failed, []table.Cell{{Text: "2"}, {Text: "P2"}, {Text: "false"}, {Text: "0.00"}, {Text: "0.0000"},
		{List: []string{"not-covered-population", "not-disaster-affected"}}, {}}},
	{table.Error, []table.Cell{{Text: "3"}, {Text: "P3, \"王\""}, {}, {}, {}, {},
		{Field: "months", Text: `months (培训月数): "2.5" is not a whole number <0-6>`}}},
	{table.OK, []table.Cell{{Text: "4"}, {Text: "0012"}, {Text: "true"}, {Text: "123456789012.34"}, {}, {}, {}}},
	{table.OK, []table.Cell{{Text: "5"}, {Text: "P5"}, {Text: "true"}, {Text: "12345678901234567.89"}, {}, {}, {}}},
	{table.Failed, []table.Cell{{Text: "6"}, {Text: "P6"}, {Text: "false"}, {Text: "0.10"},
		{}, {List: []string{"not-disaster-affected"}}, {}}},
}

func writeAll(t *testing.T, w table.Writer, recs []record) {
	t.Helper()
	for _, r := range recs {
		require.NoError(t, w.Write(r.status, r.cells))
	}
}

// TestWriteGolden writes the same records as CSV and JSONL, to a stream
// and to a file (testdata/write).
func TestWriteGolden(t *testing.T) {
	for _, f := range []table.Format{table.CSV, table.JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			var b bytes.Buffer
			w, err := table.NewWriter(&b, f, resultCols)
			require.NoError(t, err)
			writeAll(t, w, results)
			require.NoError(t, w.Close(nil))
			golden.Check(t, "testdata/write/results."+f.String(), b.Bytes())

			p := filepath.Join(t.TempDir(), "out."+f.String())
			w, err = table.Create(p, nil, resultCols)
			require.NoError(t, err)
			writeAll(t, w, results)
			require.NoError(t, w.Close(nil))
			file, err := os.ReadFile(p)
			require.NoError(t, err)
			if f == table.CSV {
				assert.Equal(t, "\ufeff"+b.String(), string(file), "a CSV file starts with a BOM for Excel")
			} else {
				assert.Equal(t, b.String(), string(file))
			}
		})
	}
}

// TestEncodedRecordsWriteTheSameBytes encodes the records on goroutines
// of their own, as the tool does, and writes them in order: the bytes are
// the golden file's, which Write gives. An Object line that is not an
// object is refused when written.
func TestEncodedRecordsWriteTheSameBytes(t *testing.T) {
	for _, f := range []table.Format{table.CSV, table.JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			var b bytes.Buffer
			w, err := table.NewWriter(&b, f, resultCols)
			require.NoError(t, err)
			enc, ok := w.(table.Encoder)
			require.True(t, ok, "the %s writer encodes apart", f)
			encoded := make([][]byte, len(results))
			done := make(chan int)
			for i, r := range results {
				go func() { encoded[i] = enc.Encode(nil, r.cells); done <- i }()
			}
			for range results {
				<-done
			}
			for i, r := range results {
				require.NoError(t, enc.WriteEncoded(r.status, encoded[i]))
			}
			require.NoError(t, w.Close(nil))
			golden.Check(t, "testdata/write/results."+f.String(), b.Bytes())
		})
	}
	w, err := table.NewWriter(io.Discard, table.JSONL, []table.Column{{Kind: table.Object}})
	require.NoError(t, err)
	enc := w.(table.Encoder)
	assert.Empty(t, enc.Encode(nil, []table.Cell{{Text: "[1]"}}))
	require.EqualError(t, enc.WriteEncoded(table.OK, nil), "table: an Object cell must hold one JSON object")
	line := enc.Encode(nil, []table.Cell{{Text: `{"a":1}`}})
	assert.Equal(t, "{\"a\":1}\n", string(line))
	require.NoError(t, enc.WriteEncoded(table.OK, line))
}

// TestRecordsAreTheirPartsJoined encodes each record in two parts, split
// at every column, and requires the parts joined to be the record.
func TestRecordsAreTheirPartsJoined(t *testing.T) {
	inputs := append([]table.Column{{Name: "编号", Input: true}}, resultCols...)
	for _, f := range []table.Format{table.CSV, table.JSONL} {
		for _, cols := range [][]table.Column{resultCols, inputs, {{Kind: table.Object}}} {
			w, err := table.NewWriter(io.Discard, f, cols)
			require.NoError(t, err)
			enc := w.(table.Encoder)
			for _, r := range append(results, record{cells: []table.Cell{{Text: `{"a":"=1"}`}}}) {
				given := r.cells
				if cols[0].Input {
					given = append([]table.Cell{{Text: "=SUM(A1)"}}, given...)
				}
				cells := make([]table.Cell, len(cols))
				copy(cells, given)
				whole := enc.Encode(nil, cells)
				for k := 0; k <= len(cols); k++ {
					joined := enc.EncodeFields(enc.EncodeFields(nil, 0, cells[:k]), k, cells[k:])
					require.Equal(t, string(whole), string(joined), "%s, %d columns, split before column %d", f, len(cols), k)
				}
			}
			assert.Empty(t, enc.EncodeFields(nil, len(cols), []table.Cell{{Text: "x"}}), "no column past the last")
			assert.Empty(t, enc.EncodeFields(nil, -1, []table.Cell{{Text: "x"}}))
		}
	}
	w, err := table.NewWriter(io.Discard, table.CSV, resultCols)
	require.NoError(t, err)
	part := w.(table.Encoder).EncodeFields(nil, 1, []table.Cell{{Text: "P,1"}, {Text: "true"}})
	assert.Equal(t, `,"P,1",true`, string(part), "a part in the middle: each field after its comma, no line end")
}

func TestJSONLToStdout(t *testing.T) {
	var b bytes.Buffer
	w, err := table.Create("-", &b, []table.Column{{Name: "pass", Kind: table.Bool}, {Name: "periods", Kind: table.JSON}})
	require.NoError(t, err)
	require.NoError(t, w.Write(table.OK, []table.Cell{{Text: "true"}, {Text: `[{"from":"2021-09-01"}]`, List: []string{"ignored"}}}))
	require.NoError(t, w.Write(table.Error, nil))
	require.NoError(t, w.Close(nil))
	assert.Equal(t, `{"pass":true,"periods":[{"from":"2021-09-01"}]}`+"\n"+`{"pass":null,"periods":null}`+"\n", b.String())
}

// TestXLSXRoundTrip reads a CSV, writes its columns and the results to
// XLSX, and reads that back: the input columns come back as they were
// read, and every result has the same value (amounts as equal decimals).
func TestXLSXRoundTrip(t *testing.T) {
	in, err := table.Open("testdata/read/utf8.csv", nil, table.ReadOptions{})
	require.NoError(t, err)
	defer in.Close()
	var cols []table.Column
	for _, h := range in.Header() {
		cols = append(cols, table.Column{Name: h, Kind: table.Text})
	}
	cols = append(cols, resultCols...)
	p := filepath.Join(t.TempDir(), "out.xlsx")
	w, err := table.Create(p, nil, cols)
	require.NoError(t, err)
	var inputs [][]string
	for i := 0; ; i++ {
		_, cells, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *table.RowError
		if errors.As(err, &re) {
			cells = make([]string, len(in.Header()))
		} else {
			require.NoError(t, err)
		}
		inputs = append(inputs, append([]string(nil), cells...))
		row := make([]table.Cell, 0, len(cols))
		for _, c := range cells {
			row = append(row, table.Cell{Text: c})
		}
		r := results[i%len(results)]
		require.NoError(t, w.Write(r.status, append(row, r.cells...)))
	}
	require.NoError(t, w.Close(nil))

	back, err := table.Open(p, nil, table.ReadOptions{})
	require.NoError(t, err)
	defer back.Close()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	assert.Equal(t, names, back.Header())
	n := len(in.Header())
	for i := 0; ; i++ {
		_, cells, err := back.Next()
		if errors.Is(err, io.EOF) {
			assert.Equal(t, len(inputs), i)
			break
		}
		require.NoError(t, err)
		assert.Equal(t, inputs[i], cells[:n], "input columns as read")
		want := results[i%len(results)].cells
		for j, col := range resultCols {
			got, c := cells[n+j], want[j]
			switch col.Kind {
			case table.Money, table.Number, table.Int:
				if c.Text == "" {
					assert.Empty(t, got)
					continue
				}
				assert.True(t, decimal.RequireFromString(c.Text).Equal(decimal.RequireFromString(got)), "%s: got %s want %s", col.Name, got, c.Text)
			case table.List:
				assert.Equal(t, strings.Join(c.List, ";"), got, col.Name)
			default:
				assert.Equal(t, c.Text, got, col.Name)
			}
		}
	}
}

// TestXLSXOutput checks what a person opening the workbook sees: the
// header frozen, failing rows yellow and error rows red, amounts as
// numbers with their places, text as text, and the summary sheet
// (testdata/write/summary.txt).
func TestXLSXOutput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.xlsx")
	w, err := table.Create(p, nil, resultCols)
	require.NoError(t, err)
	writeAll(t, w, results)
	require.NoError(t, w.Close(nil))

	f, err := excelize.OpenFile(p)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{"结果", "汇总"}, f.GetSheetList())
	panes, err := f.GetPanes("结果")
	require.NoError(t, err)
	assert.True(t, panes.Freeze, "header frozen")
	assert.Equal(t, 1, panes.YSplit)

	style := func(cell string) *excelize.Style {
		id, err := f.GetCellStyle("结果", cell)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		return st
	}
	fill := func(cell string) string {
		if c := style(cell).Fill.Color; len(c) > 0 {
			return c[0]
		}
		return ""
	}
	assert.Equal(t, "", fill("B2"), "a passing row has no fill")
	assert.Equal(t, "FFF2CC", fill("B3"), "a failing row is yellow")
	assert.Equal(t, "F4CCCC", fill("B4"), "an error row is red")
	assert.Equal(t, "F4CCCC", fill("D4"), "empty cells of an error row too")

	cellType := func(cell string) excelize.CellType {
		ct, err := f.GetCellType("结果", cell)
		require.NoError(t, err)
		return ct
	}
	raw := func(cell string) string {
		v, err := f.GetCellValue("结果", cell, excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		return v
	}
	shown := func(cell string) string {
		v, err := f.GetCellValue("结果", cell)
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, excelize.CellTypeUnset, cellType("D2"), "an amount is a number cell")
	assert.Equal(t, "1800", raw("D2"))
	assert.Equal(t, "1,800.00", shown("D2"), "shown with its places")
	assert.Equal(t, "0.1500", shown("E2"))
	assert.Equal(t, "123,456,789,012.34", shown("D5"))
	assert.Equal(t, "12345678901234567.89", raw("D6"), "19 significant digits stay text")
	assert.NotEqual(t, excelize.CellTypeUnset, cellType("D6"))
	assert.Equal(t, "0012", raw("B5"), "text stays text")
	assert.Equal(t, "1", raw("A2"))
	require.NotNil(t, style("A2").CustomNumFmt)
	assert.Equal(t, "0", *style("A2").CustomNumFmt, "a row number has no thousands separator")

	var b strings.Builder
	rows, err := f.GetRows("汇总")
	require.NoError(t, err)
	for _, r := range rows {
		fmt.Fprintf(&b, "%s\n", strings.Join(r, "\t"))
	}
	golden.Check(t, "testdata/write/summary.txt", []byte(b.String()))
}

func TestXLSXCallerSummary(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.xlsx")
	w, err := table.Create(p, nil, resultCols)
	require.NoError(t, err)
	writeAll(t, w, results[:1])
	require.NoError(t, w.Close([][]string{{"规则 rule", "training-grant"}, {"记录数 records", "1"}, {"SHA-256", "00ab"}}))
	f, err := excelize.OpenFile(p)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("汇总")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"规则 rule", "training-grant"}, {"记录数 records", "1"}, {"SHA-256", "00ab"}}, rows)
	ct, err := f.GetCellType("汇总", "B2")
	require.NoError(t, err)
	assert.Equal(t, excelize.CellTypeUnset, ct, "a count is a number")
}

func TestTally(t *testing.T) {
	tl := table.NewTally(resultCols)
	for _, r := range results {
		require.NoError(t, tl.Add(r.status, r.cells))
	}
	for range 10 {
		require.NoError(t, tl.Add(table.OK, []table.Cell{{}, {}, {}, {Text: "0.10"}}))
	}
	assert.Equal(t, 16, tl.Records)
	assert.Equal(t, 13, tl.Passed)
	assert.Equal(t, 2, tl.Failed)
	assert.Equal(t, 1, tl.Errors)
	sum, ok := tl.Sum("amount")
	require.True(t, ok)
	assert.Equal(t, "12345802358025381.33", sum.StringFixed(2), "exact: ten 0.10 make 1.00")
	_, ok = tl.Sum("share")
	assert.False(t, ok, "only Money columns are summed")
	assert.Equal(t, map[string]int{"not-covered-population": 1, "not-disaster-affected": 2}, tl.Codes("reasons"))

	err := tl.Add(table.OK, []table.Cell{{}, {}, {}, {Text: "1e3"}})
	assert.ErrorContains(t, err, `column "amount": "1e3" is not an amount`)
	assert.Equal(t, 16, tl.Records, "a refused record is not counted")
}

func TestProgressIsQuietOffATerminal(t *testing.T) {
	var b bytes.Buffer
	p := table.NewProgress(&b, "in.csv", false)
	p.Add(table.ProgressAfter * 2)
	p.Finish()
	assert.Empty(t, b.String(), "a buffer is not a terminal")

	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	p = table.NewProgress(f, "in.csv", false)
	p.Add(table.ProgressAfter * 2)
	p.Finish()
	fi, err := f.Stat()
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "a file is not a terminal")

	var none *table.Progress
	none.Add(1)
	none.Finish()
}

func TestJSONLObjectColumnWritesTheLineAsGiven(t *testing.T) {
	var b bytes.Buffer
	w, err := table.NewWriter(&b, table.JSONL, []table.Column{{Kind: table.Object}})
	require.NoError(t, err)
	line := `{"row":1,"amount":"1800.00","note":"<&>"}`
	require.NoError(t, w.Write(table.OK, []table.Cell{{Text: line}}))
	assert.Error(t, w.Write(table.OK, []table.Cell{{Text: "[1]"}}), "only an object is a record")
	assert.Error(t, w.Write(table.OK, nil))
	require.NoError(t, w.Close(nil))
	assert.Equal(t, line+"\n", b.String())
}
