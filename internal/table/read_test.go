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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// dump reads every record and renders the header, each record with its
// number and line, and each row error, one per line, for golden files.
func dump(t *testing.T, r table.Reader) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "header (line %d): %q\n", r.Line(), r.Header())
	want := 1
	for {
		n, cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var qe *table.QuoteError
		if errors.As(err, &qe) {
			fmt.Fprintf(&b, "stop: %v\n", err)
			require.NoError(t, r.Close())
			return b.String()
		}
		require.Equal(t, want, n, "records are numbered in order")
		want++
		var re *table.RowError
		if errors.As(err, &re) {
			require.Equal(t, n, re.Row)
			require.Equal(t, r.Line(), re.Line)
			fmt.Fprintf(&b, "%d (line %d): error: %v\n", n, re.Line, re.Err)
			continue
		}
		require.NoError(t, err)
		require.Len(t, cells, len(r.Header()), "one cell per column")
		fmt.Fprintf(&b, "%d (line %d): %q\n", n, r.Line(), cells)
	}
	_, _, err := r.Next()
	require.ErrorIs(t, err, io.EOF, "EOF again after the end")
	require.NoError(t, r.Close())
	return b.String()
}

func readFile(t *testing.T, path string, opts table.ReadOptions) string {
	t.Helper()
	r, err := table.Open(path, nil, opts)
	require.NoError(t, err)
	return dump(t, r)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// gb18030 encodes UTF-8 text as Excel on Chinese Windows saves it.
func gb18030(t *testing.T, text []byte) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes(text)
	require.NoError(t, err)
	return b
}

// TestReadGolden reads each file in testdata/read and compares what it
// gives with the .txt beside it (go test -update rewrites them).
func TestReadGolden(t *testing.T) {
	utf8, err := os.ReadFile("testdata/read/utf8.csv")
	require.NoError(t, err)
	// The committed GB18030 fixture is utf8.csv as x/text encodes it.
	golden.Check(t, "testdata/read/gb18030.csv", gb18030(t, utf8))

	tests := []struct {
		file, golden string
		opts         table.ReadOptions
	}{
		{"utf8.csv", "utf8.txt", table.ReadOptions{}},
		{"utf8-bom.csv", "utf8.txt", table.ReadOptions{}},
		{"utf8.csv", "utf8.txt", table.ReadOptions{Encoding: "UTF-8"}},
		{"gb18030.csv", "utf8.txt", table.ReadOptions{}},
		{"gb18030.csv", "utf8.txt", table.ReadOptions{Encoding: "gb18030"}},
		{"gb18030.csv", "utf8.txt", table.ReadOptions{Encoding: "GBK"}},
		{"ragged.csv", "ragged.txt", table.ReadOptions{}},
		{"badquote.csv", "badquote.txt", table.ReadOptions{}},
		{"openquote.csv", "openquote.txt", table.ReadOptions{}},
		{"title.csv", "title.txt", table.ReadOptions{}},
		{"single.csv", "single.txt", table.ReadOptions{}},
		{"values.jsonl", "values.txt", table.ReadOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.opts.Encoding, func(t *testing.T) {
			got := readFile(t, filepath.Join("testdata/read", tt.file), tt.opts)
			golden.Check(t, filepath.Join("testdata/read", tt.golden), []byte(got))
		})
	}
}

func TestCSVEncodingErrors(t *testing.T) {
	p := writeTemp(t, "in.csv", []byte("a,b\n1,2\n"))
	_, err := table.Open(p, nil, table.ReadOptions{Encoding: "latin1"})
	assert.ErrorContains(t, err, `unknown encoding "latin1"`)

	// GB18030 read as UTF-8 because the caller said so: each row with
	// GB18030 text is an error, not garbled text.
	gb := gb18030(t, []byte("编号,姓名\nP1,张三\nP2,li\n"))
	r, err := table.Open(writeTemp(t, "gb.csv", gb), nil, table.ReadOptions{Encoding: "utf-8"})
	require.Error(t, err, "the header itself is not UTF-8")
	assert.ErrorContains(t, err, "not UTF-8")
	assert.Nil(t, r)
}

// TestCSVGB18030AfterTheSniffedPart: a file that is ASCII for its first
// 64 KiB is read as UTF-8; a later row in GB18030 is a row error.
func TestCSVGB18030AfterTheSniffedPart(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("id,name\n")
	for i := 0; b.Len() < 70<<10; i++ {
		fmt.Fprintf(&b, "P%05d,ascii\n", i)
	}
	b.Write(gb18030(t, []byte("P99999,张三\n")))
	b.WriteString("P100000,after\n")
	r, err := table.NewReader(&b, table.CSV, table.ReadOptions{})
	require.NoError(t, err)
	var errs []string
	var last []string
	for {
		_, cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		last = append(last[:0], cells...)
	}
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "not UTF-8")
	assert.Equal(t, []string{"P100000", "after"}, last, "reading goes on")
}

func TestCSVCellsAreReusedButRecordsAreNot(t *testing.T) {
	r, err := table.NewReader(strings.NewReader("a,b\n1,2\n3,4\n"), table.CSV, table.ReadOptions{})
	require.NoError(t, err)
	_, first, err := r.Next()
	require.NoError(t, err)
	kept := first[0]
	_, second, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, "1", kept, "a cell's string stays valid")
	assert.Equal(t, []string{"3", "4"}, second)
}

func TestEmptyInputs(t *testing.T) {
	for name, data := range map[string]string{"e.csv": "", "blank.csv": "\n\n,,\n", "e.jsonl": "\n  \n"} {
		_, err := table.Open(writeTemp(t, name, []byte(data)), nil, table.ReadOptions{})
		assert.ErrorContains(t, err, "empty", name)
	}
	_, err := table.Open(filepath.Join(t.TempDir(), "missing.csv"), nil, table.ReadOptions{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestJSONLFromStdin(t *testing.T) {
	r, err := table.Open("-", strings.NewReader("\ufeff"+`{"a":"1","b":2.50}`+"\n"+`{"b":3}`), table.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "header (line 1): [\"a\" \"b\"]\n1 (line 1): [\"1\" \"2.50\"]\n2 (line 2): [\"\" \"3\"]\n", dump(t, r))

	_, err = table.Open("-", strings.NewReader(`{"a":1,"a":2}`), table.ReadOptions{})
	assert.ErrorContains(t, err, `key "a" twice`)
	_, err = table.Open("-", strings.NewReader("[1]\n"), table.ReadOptions{})
	assert.ErrorContains(t, err, "line 1: a record must be a JSON object")
}

func TestJSONLLongLine(t *testing.T) {
	long := `{"a":"` + strings.Repeat("x", 17<<20) + `"}`
	in := `{"a":"1"}` + "\n" + long + "\n" + `{"a":"3"}` + "\n"
	r, err := table.NewReader(strings.NewReader(in), table.JSONL, table.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "header (line 1): [\"a\"]\n1 (line 1): [\"1\"]\n2 (line 2): error: the line is longer than 16 MiB\n3 (line 3): [\"3\"]\n", dump(t, r))

	// A line longer than the buffer but within the limit is read whole.
	mid := `{"a":"` + strings.Repeat("y", 30<<10) + `","pad":"` + strings.Repeat("z", 200<<10) + `"}`
	r, err = table.NewReader(strings.NewReader(`{"a":"1"}`+"\n"+mid), table.JSONL, table.ReadOptions{})
	require.NoError(t, err)
	_, _, err = r.Next()
	require.NoError(t, err)
	_, cells, err := r.Next()
	require.NoError(t, err)
	assert.Len(t, cells[0], 30<<10)
}

func TestNewReaderRefusesXLSX(t *testing.T) {
	_, err := table.NewReader(strings.NewReader(""), table.XLSX, table.ReadOptions{})
	assert.ErrorContains(t, err, "xlsx cannot be read from a stream")
}

func TestFormatOf(t *testing.T) {
	for p, want := range map[string]table.Format{"a.csv": table.CSV, "B.XLSX": table.XLSX, "c.jsonl": table.JSONL, "d.ndjson": table.JSONL, "-": table.JSONL} {
		f, err := table.FormatOf(p)
		require.NoError(t, err)
		assert.Equal(t, want, f, p)
	}
	_, err := table.FormatOf("a.xls")
	assert.ErrorContains(t, err, `unknown file type ".xls"`)
	assert.Equal(t, "jsonl", table.JSONL.String())
}

func FuzzCSVRead(f *testing.F) {
	for _, name := range []string{"utf8.csv", "ragged.csv", "badquote.csv", "openquote.csv", "title.csv", "single.csv", "gb18030.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata/read", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\ufeffa\n\"x\n"))
	f.Add([]byte{0xd5, 0xc5, ',', 0xc8, 0xfd, '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := table.NewReader(bytes.NewReader(data), table.CSV, table.ReadOptions{})
		if err != nil {
			return
		}
		for want := 1; want < 10000; want++ {
			n, cells, err := r.Next()
			var re *table.RowError
			var qe *table.QuoteError
			if errors.Is(err, io.EOF) || errors.As(err, &qe) {
				return
			}
			if n != want {
				t.Fatalf("record %d numbered %d", want, n)
			}
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("record %d: %v is not a row error", n, err)
			}
			if err == nil && len(cells) != len(r.Header()) {
				t.Fatalf("%d cells for %d columns", len(cells), len(r.Header()))
			}
		}
	})
}

func FuzzJSONLRead(f *testing.F) {
	b, err := os.ReadFile("testdata/read/values.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"a":1800.00,"b":"是"}` + "\n" + `{"a":null}` + "\n"))
	f.Add([]byte(`{"a":[1]}`))
	f.Add([]byte("{\"a\":\"\\u00e9\"}\n{\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := table.NewReader(bytes.NewReader(data), table.JSONL, table.ReadOptions{})
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			_, cells, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *table.RowError
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("%v is not a row error", err)
			}
			if err == nil && len(cells) != len(r.Header()) {
				t.Fatalf("%d cells for %d columns", len(cells), len(r.Header()))
			}
		}
	})
}

// gb18030Bytes appends text encoded as GB18030 to dst.
func gb18030Bytes(text, dst []byte) ([]byte, error) {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes(text)
	return append(dst, b...), err
}

// repeatReader gives n bytes of c, so a test can read a huge cell without
// holding it.
type repeatReader struct {
	c byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.c
	}
	r.n -= k
	return k, nil
}

func TestCSVRecordOverTheCap(t *testing.T) {
	in := io.MultiReader(
		strings.NewReader("id,note\n1,short\n2,\""),
		&repeatReader{c: 'x', n: 20 << 20},
		strings.NewReader("\nstill the note\"\n3,\""+strings.Repeat("长", table.MaxCellChars+1)+"\"\n4,last\n"))
	r, err := table.NewReader(in, table.CSV, table.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, `header (line 1): ["id" "note"]
1 (line 2): ["1" "short"]
2 (line 3): error: the record (lines 3 to 4) holds 20.0 MiB, more than the 16 MiB a record may hold
3 (line 5): error: column "note" holds 32768 characters; a cell holds at most 32767
4 (line 6): ["4" "last"]
`, dump(t, r))
}
