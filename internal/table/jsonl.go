package table

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"
)

// maxLine is the longest JSONL line read; a longer one is a row error.
const maxLine = 16 << 20

// jsonlReader reads one JSON object per line. The keys of the first object
// are the header, in its order; a later object may leave keys out (their
// cells are "") but a key not in the header, or a key twice, is a row
// error. Values are read from their JSON text, never through a float:
// strings as they are, numbers as written (1800.00 stays "1800.00", 1e3
// stays "1e3"), true/false as "true"/"false", null as "". A list or object
// as a value is a row error naming the key. Blank lines are skipped.
type jsonlReader struct {
	c      io.Closer // the file, if the reader opened it
	br     *bufio.Reader
	header []string
	index  map[string]int
	line   int // lines read
	row    int // records returned
	recAt  int // line of the last record returned
	cells  []string
	seen   []bool
	first  []string // the first record, read with the header
	long   []byte   // a line longer than the reader's buffer
	keys   []string
	vals   []string
}

func openJSONL(path string) (*jsonlReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newJSONLReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.c = f
	return r, nil
}

func newJSONLReader(rd io.Reader) (*jsonlReader, error) {
	r := &jsonlReader{br: bufio.NewReaderSize(rd, 64<<10), index: map[string]int{}}
	for {
		line, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the input is empty: no record")
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", r.line, err)
		}
		if len(line) == 0 {
			continue
		}
		if err := r.parseObject(line); err != nil {
			return nil, fmt.Errorf("line %d: %v", r.line, err)
		}
		for i, k := range r.keys {
			if _, dup := r.index[k]; dup {
				return nil, fmt.Errorf("line %d: key %q twice", r.line, k)
			}
			r.index[k] = i
		}
		r.header = append([]string(nil), r.keys...)
		r.first = append([]string(nil), r.vals...)
		r.cells = make([]string, len(r.header))
		r.seen = make([]bool, len(r.header))
		r.recAt = r.line
		return r, nil
	}
}

// errLineTooLong is the problem with a line over maxLine bytes.
var errLineTooLong = fmt.Errorf("the line is longer than %d MiB", maxLine>>20)

// readLine returns the next line without its end or surrounding spaces,
// valid until the next call; errLineTooLong (after skipping the line) for
// one too long; io.EOF at the end.
func (r *jsonlReader) readLine() ([]byte, error) {
	r.long = r.long[:0]
	tooLong := false
	for {
		b, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong && len(r.long)+len(b) <= maxLine {
				r.long = append(r.long, b...)
			} else {
				tooLong, r.long = true, r.long[:0]
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if errors.Is(err, io.EOF) && len(b) == 0 && len(r.long) == 0 && !tooLong {
			return nil, io.EOF
		}
		r.line++
		if tooLong || len(r.long)+len(b) > maxLine {
			return nil, errLineTooLong
		}
		if len(r.long) > 0 {
			r.long = append(r.long, b...)
			b = r.long
		}
		if r.line == 1 {
			b = bytes.TrimPrefix(b, []byte(utf8BOM))
		}
		return bytes.TrimSpace(b), nil
	}
}

func (r *jsonlReader) Header() []string { return r.header }

func (r *jsonlReader) Line() int { return r.recAt }

func (r *jsonlReader) Next() (int, []string, error) {
	if r.first != nil {
		r.row = 1
		copy(r.cells, r.first)
		r.first = nil
		return 1, r.cells, nil
	}
	for {
		line, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		if errors.Is(err, errLineTooLong) {
			r.row++
			r.recAt = r.line
			return r.row, nil, &RowError{Row: r.row, Line: r.line, Err: err}
		}
		if err != nil {
			return 0, nil, err
		}
		if len(line) == 0 {
			continue
		}
		r.row++
		r.recAt = r.line
		if err := r.fill(line); err != nil {
			return r.row, nil, &RowError{Row: r.row, Line: r.line, Err: err}
		}
		return r.row, r.cells, nil
	}
}

// fill parses a line into the cells, by the header.
func (r *jsonlReader) fill(line []byte) error {
	if err := r.parseObject(line); err != nil {
		return err
	}
	clear(r.cells)
	clear(r.seen)
	for i, k := range r.keys {
		j, ok := r.index[k]
		if !ok {
			return fmt.Errorf("key %q is not in the first record", k)
		}
		if r.seen[j] {
			return fmt.Errorf("key %q twice", k)
		}
		r.seen[j] = true
		r.cells[j] = r.vals[i]
	}
	return nil
}

func (r *jsonlReader) Close() error {
	if r.c != nil {
		return r.c.Close()
	}
	return nil
}

// parseObject reads one JSON object into r.keys and r.vals, keeping the
// keys in order and each value as text.
func (r *jsonlReader) parseObject(line []byte) error {
	r.keys, r.vals = r.keys[:0], r.vals[:0]
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return errors.New("a record must be a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not JSON: %v", err)
		}
		key, ok := t.(string)
		if !ok {
			return errors.New("not JSON: an object key must be a string")
		}
		t, err = dec.Token()
		if err != nil {
			return fmt.Errorf("key %q: not JSON: %v", key, err)
		}
		var v string
		switch t := t.(type) {
		case string:
			v = t
		case json.Number: // its text exactly
			v = string(t)
		case bool:
			v = strconv.FormatBool(t)
		case nil:
		case json.Delim:
			return fmt.Errorf("key %q: a list or object is not a value", key)
		}
		r.keys = append(r.keys, key)
		r.vals = append(r.vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more than one JSON value on the line")
	}
	return nil
}

type jsonlWriter struct {
	out  committer
	buf  *bufio.Writer
	cols []Column
	keys [][]byte // each column name, JSON-quoted, with its colon
	line []byte
}

func newJSONLWriter(out committer, cols []Column) *jsonlWriter {
	w := &jsonlWriter{out: out, buf: bufio.NewWriterSize(out, 64<<10), cols: cols}
	for _, c := range cols {
		w.keys = append(w.keys, append(appendJSONString(nil, c.Name), ':'))
	}
	return w
}

func (w *jsonlWriter) Write(_ Status, cells []Cell) error {
	b := append(w.line[:0], '{')
	for i, col := range w.cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, w.keys[i]...)
		var c Cell
		if i < len(cells) {
			c = cells[i]
		}
		switch col.Kind {
		case Bool, Int, JSON:
			if c.Text == "" {
				b = append(b, "null"...)
			} else {
				b = append(b, c.Text...)
			}
		case List:
			b = append(b, '[')
			for j, s := range c.List {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, s)
			}
			b = append(b, ']')
		case Problem:
			if c.Text == "" {
				b = append(b, "null"...)
				continue
			}
			b = append(b, `{"field":`...)
			b = appendJSONString(b, c.Field)
			b = append(b, `,"message":`...)
			b = appendJSONString(b, c.Text)
			b = append(b, '}')
		default:
			b = appendJSONString(b, c.Text)
		}
	}
	b = append(b, '}', '\n')
	w.line = b
	_, err := w.buf.Write(b)
	return err
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it: non-ASCII text as is; ", \ and control characters escaped;
// <, >, & and U+2028, U+2029 as \u escapes; invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func (w *jsonlWriter) Close([][]string) error {
	if err := w.buf.Flush(); err != nil {
		w.out.Abort()
		return err
	}
	return w.out.Commit()
}

func (w *jsonlWriter) Abort() { w.out.Abort() }
