package table_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ruralrelief/fangpin/internal/table"
)

const benchRows = 100_000

// benchCSV returns a training-grant sheet of benchRows rows with Chinese
// headers, as county staff would export it.
func benchCSV(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	buf.WriteString("编号,姓名,脱贫人口,监测对象,因灾受损,证书工种类别,往返路费\n")
	yn := []string{"是", "否"}
	tiers := []string{"A类", "B类", "C类", "A", "B", "C"}
	for i := range benchRows {
		fmt.Fprintf(&buf, "P%07d,张三%d,%s,%s,%s,%s,%d.%02d\n", i, i%100, yn[i%2], yn[i/2%2], yn[i/7%2], tiers[i%len(tiers)], 100+i%3000, i%100)
	}
	return buf.Bytes()
}

func readEvery(b *testing.B, r table.Reader) int {
	n := 0
	for {
		_, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func reportRows(b *testing.B) {
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCSVRead reads a 100,000-row sheet from memory.
func BenchmarkCSVRead(b *testing.B) {
	data := benchCSV(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := table.NewReader(bytes.NewReader(data), table.CSV, table.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if n := readEvery(b, r); n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	reportRows(b)
}

// BenchmarkCSVReadGB18030 reads the same sheet encoded as GB18030.
func BenchmarkCSVReadGB18030(b *testing.B) {
	data := benchCSV(b)
	gb := make([]byte, 0, len(data))
	gb, err := gb18030Bytes(data, gb)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(gb)))
	for b.Loop() {
		r, err := table.NewReader(bytes.NewReader(gb), table.CSV, table.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if n := readEvery(b, r); n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	reportRows(b)
}

// decisionCells fills the cells of one decision, as the tool writes it.
func decisionCells(cells []table.Cell, i int, id string) table.Status {
	cells[0].Text, cells[1].Text, cells[2].Text = strconv.Itoa(i+1), id, "training-grant"
	cells[5].List, cells[6] = nil, table.Cell{}
	switch i % 3 {
	case 0:
		cells[3].Text, cells[4].Text = "true", "1800.00"
		return table.OK
	case 1:
		cells[3].Text, cells[4].Text = "false", "0.00"
		cells[5].List = []string{"not-disaster-affected"}
		return table.Failed
	}
	cells[3].Text, cells[4].Text = "", ""
	cells[6] = table.Cell{Field: "certificate_tier", Text: `certificate_tier (证书工种类别): "D" is not A, B or C`}
	return table.Error
}

var benchCols = []table.Column{{Name: "row", Kind: table.Int}, {Name: "id"}, {Name: "rule"}, {Name: "pass", Kind: table.Bool},
	{Name: "amount", Kind: table.Money}, {Name: "reasons", Kind: table.List}, {Name: "error", Kind: table.Problem}}

func benchWrite(b *testing.B, f table.Format) {
	cells := make([]table.Cell, len(benchCols))
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("P%07d", i)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		w, err := table.NewWriter(&buf, f, benchCols)
		if err != nil {
			b.Fatal(err)
		}
		for i := range benchRows {
			if err := w.Write(decisionCells(cells, i, ids[i%len(ids)]), cells); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
	reportRows(b)
}

// BenchmarkCSVWrite writes 100,000 decisions to memory.
func BenchmarkCSVWrite(b *testing.B) { benchWrite(b, table.CSV) }

// BenchmarkJSONLWrite writes 100,000 decisions to memory.
func BenchmarkJSONLWrite(b *testing.B) { benchWrite(b, table.JSONL) }

// BenchmarkCSVCopyFile reads the sheet from a file and writes a decision
// per row to a file through Create: the tool's work without deciding.
func BenchmarkCSVCopyFile(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, benchCSV(b), 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	cells := make([]table.Cell, len(benchCols))
	b.ReportAllocs()
	for b.Loop() {
		r, err := table.Open(in, nil, table.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		w, err := table.Create(out, nil, benchCols)
		if err != nil {
			b.Fatal(err)
		}
		for {
			row, c, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := w.Write(decisionCells(cells, row-1, c[0]), cells); err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
		if err := w.Close(nil); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b)
}

// BenchmarkJSONLRead reads 100,000 records from memory.
func BenchmarkJSONLRead(b *testing.B) {
	var buf bytes.Buffer
	for i := range benchRows {
		fmt.Fprintf(&buf, `{"编号":"P%07d","脱贫人口":"是","监测对象":false,"因灾受损":true,"证书工种类别":"B类","往返路费":%d.50}`+"\n", i, 100+i%3000)
	}
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		r, err := table.NewReader(bytes.NewReader(buf.Bytes()), table.JSONL, table.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if n := readEvery(b, r); n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	reportRows(b)
}

// BenchmarkXLSXWriteRead writes 100,000 decisions to an XLSX file and reads
// them back.
func BenchmarkXLSXWriteRead(b *testing.B) {
	p := filepath.Join(b.TempDir(), "out.xlsx")
	cells := make([]table.Cell, len(benchCols))
	b.ReportAllocs()
	for b.Loop() {
		w, err := table.Create(p, nil, benchCols)
		if err != nil {
			b.Fatal(err)
		}
		for i := range benchRows {
			if err := w.Write(decisionCells(cells, i, "P0000001"), cells); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(nil); err != nil {
			b.Fatal(err)
		}
		r, err := table.Open(p, nil, table.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if n := readEvery(b, r); n != benchRows {
			b.Fatalf("%d rows", n)
		}
		r.Close()
	}
	reportRows(b)
}
