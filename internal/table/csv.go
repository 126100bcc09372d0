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

// sniffSize is how much of a CSV file is looked at to tell UTF-8 from
// GB18030.
const sniffSize = 64 << 10

type csvReader struct {
	c    io.Closer // the file, if the reader opened it
	r    *csv.Reader
	utf8 bool // the text is read as UTF-8 as is, so it must be valid
	rows rowSource
}

func openCSV(path, encoding string) (*csvReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newCSVReader(f, encoding)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.c = f
	return r, nil
}

// newCSVReader reads CSV from r: UTF-8 (a byte-order mark is dropped) or
// GB18030, told apart by the first 64 KiB unless encoding says which.
func newCSVReader(r io.Reader, encoding string) (*csvReader, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	c := &csvReader{utf8: true}
	var src io.Reader = br
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "auto":
		if !isUTF8Prefix(head) {
			c.utf8 = false
		}
	case "utf-8", "utf8":
	case "gb18030", "gbk", "gb2312":
		c.utf8 = false
	default:
		return nil, fmt.Errorf("unknown encoding %q (want utf-8 or gb18030)", encoding)
	}
	if !c.utf8 {
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	c.r = csv.NewReader(src)
	c.r.FieldsPerRecord = -1
	c.r.ReuseRecord = true
	c.rows.next = c.readRow
	c.rows.strict = true
	if err := c.rows.start("the file is empty: no header row"); err != nil {
		return nil, err
	}
	return c, nil
}

// isUTF8Prefix reports whether b, the start of a file, is UTF-8: valid,
// allowing for a character cut off at its end.
func isUTF8Prefix(b []byte) bool {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				b = b[:len(b)-i]
			}
			break
		}
	}
	return utf8.Valid(b)
}

// readRow returns the next raw record.
func (c *csvReader) readRow() (int, []string, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return pe.StartLine, nil, &rowProblem{line: pe.StartLine, err: pe.Err}
		}
		return 0, nil, err
	}
	line, _ := c.r.FieldPos(0)
	if c.utf8 {
		for i, s := range rec {
			if !utf8.ValidString(s) {
				return line, nil, &rowProblem{line: line, err: fmt.Errorf("cell %d is not UTF-8 text (if the file is GB18030, say so with the encoding option)", i+1)}
			}
		}
	}
	return line, rec, nil
}

func (c *csvReader) Header() []string { return c.rows.header }

func (c *csvReader) Next() (int, []string, error) { return c.rows.nextRecord() }

func (c *csvReader) Line() int { return c.rows.recLine }

func (c *csvReader) Close() error {
	if c.c != nil {
		return c.c.Close()
	}
	return nil
}

// utf8BOM starts a CSV file the writer creates, so that Excel opens it as
// UTF-8 rather than in the system's code page.
const utf8BOM = "\ufeff"

type csvWriter struct {
	out    committer
	buf    *bufio.Writer
	w      *csv.Writer
	cols   []Column
	rec    []string
	closed bool
}

func newCSVWriter(out committer, cols []Column, bom bool) (*csvWriter, error) {
	buf := bufio.NewWriterSize(out, 64<<10)
	w := &csvWriter{out: out, buf: buf, w: csv.NewWriter(buf), cols: cols, rec: make([]string, len(cols))}
	if bom {
		buf.WriteString(utf8BOM)
	}
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
	if w.closed {
		return errClosed
	}
	for i, col := range w.cols {
		var c Cell
		if i < len(cells) {
			c = cells[i]
		}
		w.rec[i] = c.Text
		if col.Kind == List || col.Kind == JSON {
			w.rec[i] = joinList(c.List)
		}
	}
	return w.w.Write(w.rec)
}

// joinList joins codes with ";", without allocating for zero or one code.
func joinList(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list, ";")
}

func (w *csvWriter) Close([][]string) error {
	if w.closed {
		return errClosed
	}
	w.closed = true
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

func (w *csvWriter) Abort() {
	w.closed = true
	w.out.Abort()
}
