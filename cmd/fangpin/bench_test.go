package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/ruralrelief/fangpin/internal/table"
)

const benchRows = 100_000

// benchInput writes a training-grant sheet of benchRows rows with Chinese
// headers and returns its path.
func benchInput(b *testing.B) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "in.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintln(f, "编号,脱贫人口,监测对象,因灾受损,证书工种类别")
	yn := []string{"是", "否"}
	tiers := []string{"A类", "B类", "C类", "A", "B", "C"}
	for i := 0; i < benchRows; i++ {
		fmt.Fprintf(f, "P%07d,%s,%s,%s,%s\n", i, yn[i%2], yn[i/2%2], yn[i/7%2], tiers[i%len(tiers)])
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// labourInput writes a work-relief labour-share sheet of benchRows
// projects whose amounts differ on every row and returns its path.
func labourInput(b *testing.B) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "labour.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintln(f, "编号,项目财政资金,劳务报酬发放金额")
	for i := 0; i < benchRows; i++ {
		fiscal := 100_000 + int64(i)*9_973 + int64(i*7919%9_973)
		labour := fiscal * int64(500+i*31%2_000) / 10_000
		fmt.Fprintf(f, "WR%07d,%d.%02d,%d.%02d\n", i, fiscal/100, fiscal%100, labour/100, labour%100)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkEvalLabourCSV runs `fangpin eval work-relief-labour-share` over
// a sheet whose amounts differ on every row.
func BenchmarkEvalLabourCSV(b *testing.B) {
	toolGC(b)
	in := labourInput(b)
	out := filepath.Join(b.TempDir(), "out.csv")
	e := &env{stdout: io.Discard, stderr: io.Discard, today: nil}
	for b.Loop() {
		if err := e.run(context.Background(), []string{"eval", "work-relief-labour-share", in, "--on", "2021-09-30", "-o", out, "-q"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// toolGC runs a benchmark with the garbage collector set as main sets it
// for the tool, and restores it after.
func toolGC(b *testing.B) {
	old := debug.SetGCPercent(gcPercent)
	oldLimit := debug.SetMemoryLimit(memoryLimit)
	b.Cleanup(func() {
		debug.SetGCPercent(old)
		debug.SetMemoryLimit(oldLimit)
	})
}

// BenchmarkEvalCSV runs `fangpin eval training-grant` over the sheet.
func BenchmarkEvalCSV(b *testing.B) {
	toolGC(b)
	in := benchInput(b)
	out := filepath.Join(b.TempDir(), "out.csv")
	e := &env{stdout: io.Discard, stderr: io.Discard, today: nil}
	for b.Loop() {
		if err := e.run(context.Background(), []string{"eval", "training-grant", in, "--on", "2021-09-30", "-o", out, "-q"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCopyCSV only reads the same sheet and writes as many columns as
// eval writes, through the same readers and writers: the ceiling eval's
// throughput is measured against.
func BenchmarkCopyCSV(b *testing.B) {
	toolGC(b)
	in := benchInput(b)
	out := filepath.Join(b.TempDir(), "out.csv")
	cols := []table.Column{{Name: "row", Kind: table.Int}, {Name: "id"}, {Name: "rule"}, {Name: "pass", Kind: table.Bool},
		{Name: "amount", Kind: table.Number}, {Name: "reasons", Kind: table.List}, {Name: "error", Kind: table.Problem}}
	cells := make([]table.Cell, len(cols))
	for b.Loop() {
		r, err := table.Open(in, nil, table.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		w, err := table.Create(out, nil, cols)
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
			cells[0].Text, cells[1].Text, cells[2].Text = strconv.Itoa(row), c[0], c[4]
			cells[3].Text, cells[4].Text = c[1], c[3]
			if err := w.Write(table.OK, cells); err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
		if err := w.Close(nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
