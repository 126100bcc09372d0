package table

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func itoa(n int) string { return strconv.Itoa(n) }

func quoteAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strconv.Quote(c)
	}
	return out
}

// sameErr reports whether two errors are both nil or say the same.
func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

// csvPieces are the bits random CSV text is made of: the characters
// encoding/csv treats specially, spaces it quotes at the start of a field,
// and text.
var csvPieces = []string{"a", "Z9", "是", "元", ",", "\"", "\r", "\n", "\r\n", " ", "\t", "\u3000", "\u00a0", `\.`, "\\", "'", "=1", "１２", "\xff"}

func randomField(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(5) {
		b.WriteString(csvPieces[rng.IntN(len(csvPieces))])
	}
	return b.String()
}

// TestRecordWriterMatchesEncodingCSV writes random records with the
// writer and with encoding/csv and requires the same bytes.
func TestRecordWriterMatchesEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var got, want bytes.Buffer
	bw := bufio.NewWriter(&got)
	w, cw := recordWriter{bw}, csv.NewWriter(&want)
	for i := 0; i < 20_000; i++ {
		rec := make([]string, 1+rng.IntN(6))
		for j := range rec {
			rec[j] = randomField(rng)
		}
		if i == 0 {
			rec = []string{`\.`, " x", "", "a\r\nb", `"`}
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := cw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	cw.Flush()
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := got.Bytes(), want.Bytes()
		n := 0
		for n < len(g) && n < len(w) && g[n] == w[n] {
			n++
		}
		t.Fatalf("output differs at byte %d: got %q, want %q", n, g[n:min(len(g), n+40)], w[n:min(len(w), n+40)])
	}
}

// TestPlainLinesMatchEncodingCSV reads random files, lines with and
// without quotes, blank lines, \r\n and a last line with no line end, and
// requires the rows (cells and line numbers) and the first error that
// encoding/csv reading the whole file gives.
func TestPlainLinesMatchEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 13))
	for f := 0; f < 2_000; f++ {
		var b strings.Builder
		b.WriteString("h1,h2\n")
		for range rng.IntN(12) {
			switch rng.IntN(8) {
			case 0:
				b.WriteString("\n") // blank
			case 1:
				b.WriteString(`"q,1",x` + "\n") // quoted, well formed
			case 2:
				b.WriteString(`a"b,c` + "\n") // a bare quote: an error from here
			default:
				for k := range 1 + rng.IntN(4) {
					if k > 0 {
						b.WriteString(",")
					}
					for range rng.IntN(4) {
						b.WriteString([]string{"a", "1.5", "是", " ", "\r", "\t", "\xff"}[rng.IntN(7)])
					}
				}
				b.WriteString([]string{"\n", "\r\n"}[rng.IntN(2)])
			}
		}
		text := b.String()
		if rng.IntN(2) == 0 {
			text = strings.TrimSuffix(text, "\n") // no line end on the last line
		}
		got, gotErr := readAllRows(t, text)
		want, wantErr := referenceRows(text)
		if got != want || !sameErr(gotErr, wantErr) {
			t.Fatalf("file %q:\n got %s err %v\nwant %s err %v", text, got, gotErr, want, wantErr)
		}
	}
}

// readAllRows reads text through the package's CSV reader: each row as its
// line and cells, or its problem, until the end or the first error that
// stops the file.
func readAllRows(t *testing.T, text string) (string, error) {
	t.Helper()
	r, err := newCSVReader(strings.NewReader(text), "utf-8")
	if err != nil {
		return "", err
	}
	return rowsOf(&r.rows, r.Line)
}

func rowsOf(s *rowSource, line func() int) (string, error) {
	var out strings.Builder
	for {
		_, cells, err := s.nextRecord()
		if errors.Is(err, io.EOF) {
			return out.String(), nil
		}
		var re *RowError
		if errors.As(err, &re) {
			out.WriteString(" " + itoa(re.Line) + ":" + re.Err.Error())
			continue
		}
		if err != nil {
			return out.String(), err
		}
		out.WriteString(" " + itoa(line()) + ":" + strings.Join(quoteAll(cells), "|"))
	}
}

// referenceRows reads text with encoding/csv alone, the whole text in one
// reader, through the same rows as the package's reader.
func referenceRows(text string) (string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	s := &rowSource{strict: true}
	s.next = func() (int, []string, error) {
		cells, err := r.Read()
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return 0, nil, &QuoteError{StartLine: pe.StartLine, Line: pe.Line, Column: pe.Column, Err: pe.Err}
		}
		if err != nil {
			return 0, nil, err
		}
		line, _ := r.FieldPos(0)
		for i, c := range cells {
			if !utf8.ValidString(c) {
				return line, nil, &rowProblem{line: line, err: fmt.Errorf("cell %d is not UTF-8 text (if the file is GB18030, say so with the encoding option)", i+1)}
			}
		}
		return line, cells, nil
	}
	if err := s.start("the file is empty: no header row"); err != nil {
		return "", err
	}
	return rowsOf(s, func() int { return s.recLine })
}

// FuzzCSVMatchesEncodingCSV reads any text with the package's reader and
// with encoding/csv reading the whole text, and requires the same rows,
// lines and first error.
func FuzzCSVMatchesEncodingCSV(f *testing.F) {
	f.Add("h1,h2\n1,2\r\n\n\"a\nb\",c\nx\"y,z\n")
	f.Add("h1,h2\n是,\xff\r\n,\r")
	f.Fuzz(func(t *testing.T, text string) {
		if !strings.HasPrefix(text, "h1,h2\n") || len(text) > 4096 {
			return // a header the two agree is one; short texts
		}
		got, gotErr := readAllRows(t, text)
		want, wantErr := referenceRows(text)
		if got != want || !sameErr(gotErr, wantErr) {
			t.Fatalf("text %q:\n got %s err %v\nwant %s err %v", text, got, gotErr, want, wantErr)
		}
	})
}

// TestBlankMatchesTrimSpace compares blank with strings.TrimSpace on
// every ASCII byte, Unicode spaces, invalid UTF-8 and random mixes.
func TestBlankMatchesTrimSpace(t *testing.T) {
	pieces := []string{" ", "\t", "\n", "\v", "\f", "\r", "\u0085", "\u00a0", "\u3000", "\u2028", "\ufeff", "\xff", "\xe3\x80", "a", "是", "\x00", "\x1c"}
	for c := 0; c < 256; c++ {
		pieces = append(pieces, string([]byte{byte(c)}))
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 100_000; i++ {
		var b strings.Builder
		for range rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := blank(s), strings.TrimSpace(s) == ""; got != want {
			t.Fatalf("blank(%q) = %t, want %t", s, got, want)
		}
	}
}
