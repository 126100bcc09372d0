package table

import (
	"bufio"

	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

type csvReader struct {
	f      *os.File
	r      *csv.Reader
	header []string
	row    int
	cells  []string
}

func openCSV(path, encoding string) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newCSVReader(f, encoding)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.f = f
	return r, nil
}

// newCSVReader reads CSV from r: UTF-8 (a BOM is dropped) or GB18030,
// detected from the first 64 KiB unless encoding says which.
func newCSVReader(r io.Reader, encoding string) (*csvReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	var src io.Reader = br
	switch strings.ToLower(encoding) {
	case "", "auto":
		if !utf8.Valid(trimPartialRune(head)) {
			src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
		}
	case "utf-8", "utf8":
	case "gb18030", "gbk", "gb2312":
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	default:
		return nil, fmt.Errorf("unknown encoding %q (want utf-8 or gb18030)", encoding)
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty: no header row")
		}
		return nil, fmt.Errorf("header: %v", err)
	}
	h := make([]string, len(header))
	for i, c := range header {
		h[i] = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
	}
	return &csvReader{r: cr, header: h, cells: make([]string, len(h))}, nil
}

// trimPartialRune drops a UTF-8 sequence cut off at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) Next() (int, []string, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		c.row++
		var pe *csv.ParseError
		if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
			return c.row, nil, &RowError{Row: c.row, Err: pe.Err}
		}
		return c.row, nil, &RowError{Row: c.row, Err: err}
	}
	c.row++
	if len(rec) > len(c.header) {
		return c.row, nil, &RowError{Row: c.row, Err: fmt.Errorf("%d cells for %d columns", len(rec), len(c.header))}
	}
	n := copy(c.cells, rec)
	clear(c.cells[n:])
	return c.row, c.cells, nil
}

func (c *csvReader) Close() error {
	if c.f != nil {
		return c.f.Close()
	}
	return nil
}

type csvWriter struct {
	out  committer
	buf  *bufio.Writer
	w    *csv.Writer
	cols []Column
	rec  []string
}

func newCSVWriter(out committer, cols []Column) (*csvWriter, error) {
	buf := bufio.NewWriterSize(out, 64<<10)
	w := &csvWriter{out: out, buf: buf, w: csv.NewWriter(buf), cols: cols, rec: make([]string, len(cols))}
	for i, c := range cols {
		w.rec[i] = c.Name
	}
	if err := w.w.Write(w.rec); err != nil {
		out.Abort()
		return nil, err
	}
	return w, nil
}

func (w *csvWriter) Write(_ Status, cells []Cell) error {
	for i := range w.cols {
		var c Cell
		if i < len(cells) {
			c = cells[i]
		}
		if w.cols[i].Kind == List || w.cols[i].Kind == JSON {
			w.rec[i] = strings.Join(c.List, ";")
		} else {
			w.rec[i] = c.Text
		}
	}
	return w.w.Write(w.rec)
}

func (w *csvWriter) Close([][]string) error {
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		w.out.Abort()
		return err
	}
	if err := w.buf.Flush(); err != nil {
		w.out.Abort()
		return err
	}
	return w.out.Commit()
}

func (w *csvWriter) Abort() { w.out.Abort() }
