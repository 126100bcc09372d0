package table_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bombPart is one part of a workbook built for a test: its name, and its
// text before and after n bytes of filler.
type bombPart struct {
	name, before, after string
	filler              string // repeated n bytes long
	n                   int
	// lie makes the archive declare the part declared bytes long,
	// compressed to declaredZip bytes, with a made-up checksum: a reader
	// must count what it inflates.
	lie                   bool
	declared, declaredZip uint64
}

const (
	bombWorkbook = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	bombRels     = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	sheetStart   = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>note</t></is></c></row>`
	sheetEnd     = `</sheetData></worksheet>`
)

// writeBomb streams a workbook into a file, deflating at the fastest
// level, so a part of gigabytes costs a second and a megabyte on disk.
func writeBomb(t *testing.T, parts ...bombPart) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bomb.xlsx")
	f, err := os.Create(p)
	require.NoError(t, err)
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	chunk := make([]byte, 1<<20) // a multiple of every filler's length
	for _, part := range append([]bombPart{{name: "xl/workbook.xml", before: bombWorkbook}, {name: "xl/_rels/workbook.xml.rels", before: bombRels}}, parts...) {
		var w io.Writer
		var raw *bytes.Buffer
		var fw *flate.Writer
		if part.lie {
			raw = &bytes.Buffer{}
			fw, err = flate.NewWriter(raw, flate.BestSpeed)
			w = fw
		} else {
			w, err = zw.Create(part.name)
		}
		require.NoError(t, err)
		_, err = io.WriteString(w, part.before)
		require.NoError(t, err)
		for i := 0; part.n > 0 && i < len(chunk); i++ {
			chunk[i] = part.filler[i%len(part.filler)]
		}
		for left := part.n; left > 0; left -= len(chunk) {
			_, err = w.Write(chunk[:min(left, len(chunk))])
			require.NoError(t, err)
		}
		_, err = io.WriteString(w, part.after)
		require.NoError(t, err)
		if part.lie {
			require.NoError(t, fw.Close())
			rw, err := zw.CreateRaw(&zip.FileHeader{Name: part.name, Method: zip.Deflate, CRC32: 1,
				CompressedSize64: max(part.declaredZip, uint64(raw.Len())), UncompressedSize64: part.declared})
			require.NoError(t, err)
			_, err = rw.Write(raw.Bytes())
			require.NoError(t, err)
		}
	}
	require.NoError(t, zw.Close())
	return p
}

// peakHeap runs f and returns the most heap memory in use while it ran,
// sampled every few milliseconds.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// readAll opens a workbook and reads it to the end; the first error that
// is not a row error ends it.
func readAll(path string) (rowErrs []error, err error) {
	r, err := table.Open(path, nil, table.ReadOptions{})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for {
		_, _, err := r.Next()
		var re *table.RowError
		switch {
		case err == io.EOF:
			return rowErrs, nil
		case errorsAs(err, &re):
			rowErrs = append(rowErrs, re)
		case err != nil:
			return rowErrs, err
		}
	}
}

// TestXLSXBombs reads workbooks built to exhaust memory: each ends with an
// error that says what is wrong, with the heap far under 200 MB.
func TestXLSXBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gigabyte parts")
	}
	const gib = 1 << 30
	tests := []struct {
		name  string
		parts []bombPart
		want  string
	}{
		{"1 GiB value", []bombPart{{name: "xl/worksheets/sheet1.xml",
			before: sheetStart + `<row r="2"><c r="A2"><v>`, filler: "7", n: gib, after: `</v></c></row>` + sheetEnd}},
			"part xl/worksheets/sheet1.xml would inflate"},
		{"1 GiB styles", []bombPart{{name: "xl/styles.xml",
			before: `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="`, filler: "0", n: gib, after: `"/></numFmts></styleSheet>`},
			{name: "xl/worksheets/sheet1.xml", before: sheetStart + sheetEnd}},
			"part xl/styles.xml would inflate to 1.0 GiB, more than the 16 MiB a workbook part may hold"},
		{"2 GiB shared string", []bombPart{{name: "xl/sharedStrings.xml",
			before: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>`, filler: "A", n: 2 * gib, after: `</t></si></sst>`},
			{name: "xl/worksheets/sheet1.xml", before: sheetStart + `<row r="2"><c r="A2" t="s"><v>0</v></c></row>` + sheetEnd}},
			"part xl/sharedStrings.xml would inflate"},
	}
	for _, tt := range tests[:3] {
		// The same parts in an archive that declares them small.
		lying := tt
		lying.name += ", sizes hidden"
		lying.parts = append([]bombPart(nil), tt.parts...)
		lying.parts[0].lie, lying.parts[0].declared = true, 1000
		lying.want = "part " + tt.parts[0].name + " inflates to more than the 1000 bytes the archive declares"
		tests = append(tests, lying)
	}
	// Sizes declared within every cap: the ratio of the bytes read tells.
	ratio := tests[0]
	ratio.name = "1 GiB value, sizes declared plausible"
	ratio.parts = []bombPart{{name: "xl/worksheets/sheet1.xml", before: sheetStart + `<row r="2">`, filler: "<x/>" + strings.Repeat("7", 1<<20-4), n: 1 << 30, after: `</row>` + sheetEnd}}
	ratio.parts[0].lie, ratio.parts[0].declared, ratio.parts[0].declaredZip = true, 3<<30, 16<<20
	ratio.want = "part xl/worksheets/sheet1.xml inflates more than 200 times"
	// A run of text longer than any cell, compressed no better than data.
	run := tests[0]
	run.name = "64 MiB of text without markup"
	run.parts = []bombPart{tests[0].parts[0]}
	run.parts[0].n = 64 << 20
	run.parts[0].lie, run.parts[0].declared, run.parts[0].declaredZip = true, 1<<30, 64<<20
	run.want = "part xl/worksheets/sheet1.xml holds more than 4 MiB of text without markup; a cell holds at most 32767 characters"
	tests = append(tests, ratio, run)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeBomb(t, tt.parts...)
			var err error
			start := time.Now()
			peak := peakHeap(func() { _, err = readAll(p) })
			assert.ErrorContains(t, err, tt.want)
			assert.Less(t, peak, uint64(200<<20), "peak heap in use")
			t.Logf("%s: %v in %v, peak heap %d MB", tt.name, err, time.Since(start).Round(time.Millisecond), peak>>20)
		})
	}
}

func errorsAs(err error, target **table.RowError) bool {
	re, ok := err.(*table.RowError)
	if ok {
		*target = re
	}
	return ok
}

// TestXLSXLongCells reads cells and shared strings longer than Excel
// allows: each makes its row an error that says so, and the other rows
// are read.
func TestXLSXLongCells(t *testing.T) {
	long := strings.Repeat("长", table.MaxCellChars+1)
	p := writeBomb(t,
		bombPart{name: "xl/sharedStrings.xml", before: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>ok</t></si><si><t>`,
			filler: "A", n: 1 << 20, after: `</t></si><si><t>` + long + `</t></si></sst>`},
		bombPart{name: "xl/worksheets/sheet1.xml", before: sheetStart +
			`<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>` +
			`<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>2</v></c></row>` +
			`<row r="4"><c r="A4" t="s"><v>0</v></c><c r="B4" t="inlineStr"><is><t>` + long + `</t></is></c></row>` +
			`<row r="5"><c r="A5" t="s"><v>0</v></c><c r="B5" t="s"><v>9</v></c></row>` +
			`<row r="6"><c r="A6" t="s"><v>0</v></c><c r="B6"><v>` + strings.Repeat("9", 200_000) + `</v></c></row>` +
			`<row r="7"><c r="A7" t="s"><v>0</v></c><c r="B7" t="s"><v>0</v></c></row>` + sheetEnd})
	r, err := table.Open(p, nil, table.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, `header (line 1): ["id" "note"]
1 (line 2): error: cell B2 uses shared string 1, which holds 1 MiB of text; a cell holds at most 32767 characters
2 (line 3): error: column "note" holds 32768 characters; a cell holds at most 32767
3 (line 4): error: column "note" holds 32768 characters; a cell holds at most 32767
4 (line 5): error: cell B5 refers to shared string 9, which the workbook does not have
5 (line 6): error: cell B6 holds more than 32767 characters, the most a cell may hold
6 (line 7): ["ok" "ok"]
`, dump(t, r))
}
