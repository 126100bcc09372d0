package table

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// sniffSize is how much of a CSV file is looked at to tell UTF-8 from
// GB18030.
const sniffSize = 64 << 10

// csvReader reads CSV with encoding/csv, one record at a time: a splitter
// first finds where each record ends (at a line end outside quotes) and
// how long it is, so a record over maxRecord is skipped as a row error
// without being held in memory, and encoding/csv then parses the record.
type csvReader struct {
	c    io.Closer // the file, if the reader opened it
	src  *bufio.Reader
	r    *csv.Reader
	feed feeder
	utf8 bool // the text is read as UTF-8 as is, so it must be valid
	rows rowSource
	line int    // lines split so far
	rec  []byte // a record that spans buffers or lines
	// the cells of the last record read without encoding/csv, reused as
	// encoding/csv reuses its record
	fields []string
}

// feeder gives encoding/csv one record at a time, then io.EOF until the
// next is loaded.
type feeder struct {
	b  []byte
	nl int // line ends to give before b, for a record skipped
}

var newlines = []byte(strings.Repeat("\n", 512))

func (f *feeder) Read(p []byte) (int, error) {
	if f.nl > 0 {
		n := copy(p, newlines[:min(f.nl, len(newlines))])
		f.nl -= n
		return n, nil
	}
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

func openCSV(path, encoding string) (*csvReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newCSVReader(f, encoding)
	if err != nil {
		_ = f.Close()
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
	c := &csvReader{utf8: true, src: br}
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
		c.src = bufio.NewReaderSize(transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), sniffSize)
	}
	c.r = csv.NewReader(&c.feed)
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

// readRow returns the next raw record. A record over maxRecord bytes is a
// *rowProblem; a quote encoding/csv cannot read is an error that ends the
// reading: where a quote closes decides where every later record starts,
// so nothing after it can be trusted.
func (c *csvReader) readRow() (int, []string, error) {
	start := c.line + 1
	rec, long, err := c.split()
	if err != nil {
		return 0, nil, err
	}
	if long > 0 {
		c.feed.nl += c.line - start + 1 // encoding/csv counts the lines skipped
		return start, nil, &rowProblem{line: start, err: fmt.Errorf("the record (lines %d to %d) holds %s, more than the %s a record may hold", start, c.line, byteSize(uint64(long)), byteSize(maxRecord))}
	}
	if rec == nil {
		return 0, nil, io.EOF
	}
	if bytes.IndexByte(rec, '"') < 0 {
		return c.plainRow(start, rec)
	}
	c.feed.b = rec
	fields, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return start, nil, nil // a blank line
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return 0, nil, &QuoteError{StartLine: pe.StartLine, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	if err != nil {
		return 0, nil, err
	}
	if c.utf8 {
		for i, s := range fields {
			if !utf8.ValidString(s) {
				return start, nil, &rowProblem{line: start, err: fmt.Errorf("cell %d is not UTF-8 text (if the file is GB18030, say so with the encoding option)", i+1)}
			}
		}
	}
	return start, fields, nil
}

// plainRow reads a record without quotes, which is one line, as
// encoding/csv would: a line end (\n, \r\n, or a \r at the end of the
// file) is not part of it, an empty line is a blank line, and the cells are
// what lies between commas. encoding/csv is told of the line, so the lines
// it reports in later errors stay right.
func (c *csvReader) plainRow(start int, line []byte) (int, []string, error) {
	c.feed.nl++
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return start, nil, nil // a blank line
	}
	text := string(line)
	fields := c.fields[:0]
	cell := 0
	for i := 0; i < len(text); i++ { // cells are short: a loop beats a call for each
		if text[i] == ',' {
			fields = append(fields, text[cell:i])
			cell = i + 1
		}
	}
	fields = append(fields, text[cell:])
	c.fields = fields
	if c.utf8 && !utf8.Valid(line) {
		for i, s := range fields {
			if !utf8.ValidString(s) {
				return start, nil, &rowProblem{line: start, err: fmt.Errorf("cell %d is not UTF-8 text (if the file is GB18030, say so with the encoding option)", i+1)}
			}
		}
	}
	return start, fields, nil
}

// split reads the next record's bytes: lines up to one that ends outside
// quotes (an even count of '"' since the record's start), or the end of
// the file. rec is nil at the end. A record over maxRecord bytes is read
// to its end but not kept: long is its length. A quote still open at the
// end of the file gives the bytes to encoding/csv, whose error says where
// the quote opened.
func (c *csvReader) split() (rec []byte, long int, err error) {
	c.rec = c.rec[:0]
	start := c.line + 1
	size, quotes := 0, 0
	for {
		b, err := c.src.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, io.EOF) {
			return nil, 0, err
		}
		eof := errors.Is(err, io.EOF)
		size += len(b)
		quotes += bytes.Count(b, []byte{'"'})
		ended := len(b) > 0 && b[len(b)-1] == '\n'
		if ended || (eof && len(b) > 0) {
			c.line++
		}
		done := (ended || eof) && quotes%2 == 0
		switch {
		case size == 0 && eof:
			return nil, 0, nil
		case size > maxRecord:
			c.rec = c.rec[:0]
		case done && size == len(b):
			return b, 0, nil // one line: no copy
		default:
			c.rec = append(c.rec, b...)
		}
		switch {
		case (done || eof) && size > maxRecord && quotes%2 == 1:
			return nil, 0, &QuoteError{StartLine: start, Line: c.line, Err: csv.ErrQuote}
		case (done || eof) && size > maxRecord:
			return nil, size, nil
		case done || eof:
			return c.rec, 0, nil
		}
	}
}

// QuoteError reports a quote in a CSV file that cannot be read: one never
// closed, one in the middle of an unquoted cell, or text after a closing
// quote. Where a quote closes decides where every later record starts, so
// reading stops here rather than guess; [Reader.Next] returns it.
type QuoteError struct {
	StartLine int   // the line of the record with the quote
	Line      int   // the line where the problem was found
	Column    int   // the 1-based byte column there, 0 if not known
	Err       error // csv.ErrQuote or csv.ErrBareQuote
}

func (e *QuoteError) Error() string {
	what := `a cell's opening quote (") is not closed right before a comma or the end of a line`
	if errors.Is(e.Err, csv.ErrBareQuote) {
		what = `a quote (") inside a cell that does not start with one (write the cell in quotes and the quote twice: "a""b")`
	}
	at := fmt.Sprintf("line %d", e.StartLine)
	switch {
	case e.Line != e.StartLine:
		at += fmt.Sprintf(" (still open at line %d)", e.Line)
	case e.Column > 0:
		at += fmt.Sprintf(", column %d", e.Column)
	}
	return fmt.Sprintf("%s: %s; nothing after it is read", at, what)
}

func (e *QuoteError) Unwrap() error { return e.Err }

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
	w      recordWriter
	cols   []Column
	closed bool
}

func newCSVWriter(out committer, cols []Column, bom bool) (*csvWriter, error) {
	buf := bufio.NewWriterSize(out, 64<<10)
	w := &csvWriter{out: out, buf: buf, w: recordWriter{buf}, cols: cols}
	if bom {
		buf.WriteString(utf8BOM)
	}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	if err := w.w.Write(header); err != nil {
		out.Abort()
		return nil, err
	}
	return w, nil
}

func (w *csvWriter) Write(_ Status, cells []Cell) error {
	if w.closed {
		return errClosed
	}
	// The record is built in the buffer's free space and written once.
	_, err := w.buf.Write(w.Encode(w.buf.AvailableBuffer(), cells))
	return err
}

// Encode appends the record Write writes for cells to dst. It reads only
// the columns, so it may run on any goroutine.
func (w *csvWriter) Encode(dst []byte, cells []Cell) []byte {
	return w.encode(dst, 0, len(w.cols), cells)
}

// EncodeFields appends the fields of columns from, from+1, … of the record
// Encode makes, each after its comma, and the line end after the last
// column.
func (w *csvWriter) EncodeFields(dst []byte, from int, cells []Cell) []byte {
	to, ok := partEnd(len(w.cols), from, len(cells))
	if !ok {
		return dst
	}
	return w.encode(dst, from, to, cells)
}

// encode appends the fields of columns from to to-1, cells[0] being
// column from's (missing cells are empty), and the line end if to is the
// last column.
func (w *csvWriter) encode(dst []byte, from, to int, cells []Cell) []byte {
	for i := from; i < to; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		var c Cell
		if i-from < len(cells) {
			c = cells[i-from]
		}
		text := c.Text
		col := w.cols[i]
		if col.Kind == List || col.Kind == JSON {
			text = joinList(c.List)
		}
		if col.Input {
			text = defuse(text)
		}
		dst = appendField(dst, text)
	}
	if to == len(w.cols) {
		dst = append(dst, '\n')
	}
	return dst
}

// WriteEncoded writes a record [csvWriter.Encode] made.
func (w *csvWriter) WriteEncoded(_ Status, rec []byte) error {
	if w.closed {
		return errClosed
	}
	_, err := w.buf.Write(rec)
	return err
}

// recordWriter writes records exactly as an encoding/csv Writer with its
// defaults (a comma, \n line ends) writes them, straight into the
// buffered output instead of through a buffer of its own.
type recordWriter struct{ w *bufio.Writer }

func (r recordWriter) Write(record []string) error {
	b := r.w.AvailableBuffer()
	for n, field := range record {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendField(b, field)
	}
	b = append(b, '\n')
	_, err := r.w.Write(b)
	return err
}

// appendField appends one field as encoding/csv writes it: quoted when it
// needs quotes, with each " doubled.
func appendField(b []byte, field string) []byte {
	if !fieldNeedsQuotes(field) {
		return append(b, field...)
	}
	b = append(b, '"')
	for len(field) > 0 {
		i := strings.IndexByte(field, '"')
		if i < 0 {
			i = len(field)
		}
		b = append(b, field[:i]...) // \r and \n are kept as they are
		field = field[i:]
		if len(field) > 0 {
			b = append(b, '"', '"')
			field = field[1:]
		}
	}
	return append(b, '"')
}

// quoteBytes are the bytes that make a field quoted wherever they are.
var quoteBytes = [256]bool{'\n': true, '\r': true, '"': true, ',': true}

// fieldNeedsQuotes is encoding/csv's rule for a comma-separated field.
func fieldNeedsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` {
		return true
	}
	for i := 0; i < len(field); i++ {
		if quoteBytes[field[i]] {
			return true
		}
	}
	if c := field[0]; c < utf8.RuneSelf {
		return c == ' ' || (c >= '\t' && c <= '\r')
	}
	r1, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r1)
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

// defuse returns text a spreadsheet would run as a formula (it starts with
// =, +, -, @, a tab or a carriage return) with a ' in front, which Excel
// and WPS show as text and do not display; other text as it is.
func defuse(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
