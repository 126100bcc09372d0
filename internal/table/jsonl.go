package table

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonlReader reads one JSON object per line: an object of plain values
// with parseObject, checked against encoding/json by a fuzz target and
// five times faster, any other with encoding/json. Values are read from their JSON text, never through a float: strings as they
// are, numbers as written (1800.00 stays "1800.00", 1e3 stays "1e3"),
// true/false as "true"/"false", null as "", a list or an object as its
// JSON text without spaces (so a caller can decode it: a loan's
// repayments). Blank lines are skipped.
//
// The header is [ReadOptions].Fields when given: a record's cell for a
// field is the value of whichever of its names the record has, and other
// keys are ignored. Otherwise it is the keys of the first record; a later
// record may leave keys out (their cells are "") and its keys not in the
// header are ignored. A key twice in one record, or two names of one
// field, is a row error.
type jsonlReader struct {
	c       io.Closer // the file, if the reader opened it
	br      *bufio.Reader
	header  []string
	index   map[string]int // every name of every column -> the column
	from    []string       // per column, the key its cell came from
	keys    []string       // the keys of the record being read, in order
	vals    []string       // and their values
	str     []byte         // a string being unescaped
	line    int            // lines read
	row     int            // records returned
	recAt   int            // line of the last record returned
	cells   []string
	first   []string // the first record, read with the header
	long    []byte   // a line longer than the reader's buffer
	src     bytes.Reader
	compact bytes.Buffer
}

func openJSONL(path string, fields [][]string) (*jsonlReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newJSONLReader(f, fields)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.c = f
	return r, nil
}

func newJSONLReader(rd io.Reader, fields [][]string) (*jsonlReader, error) {
	r := &jsonlReader{br: bufio.NewReaderSize(rd, 64<<10), index: map[string]int{}}
	for _, names := range fields {
		if len(names) == 0 {
			continue
		}
		for _, n := range names {
			if _, dup := r.index[n]; !dup {
				r.index[n] = len(r.header)
			}
		}
		r.header = append(r.header, names[0])
	}
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
		if len(fields) == 0 {
			// The header is the first record's keys, in its order.
			if err := r.parseLine(line); err != nil {
				return nil, fmt.Errorf("line %d: %v", r.line, err)
			}
			for _, k := range r.keys {
				if _, dup := r.index[k]; dup {
					return nil, fmt.Errorf("line %d: key %q twice", r.line, short(k))
				}
				r.index[k] = len(r.header)
				r.header = append(r.header, k)
			}
		}
		r.cells = make([]string, len(r.header))
		r.from = make([]string, len(r.header))
		if err := r.fill(line); err != nil {
			return nil, fmt.Errorf("line %d: %v", r.line, err)
		}
		r.first = append([]string(nil), r.cells...)
		r.recAt = r.line
		return r, nil
	}
}

// errLineTooLong is the problem with a line over maxRecord bytes.
var errLineTooLong = fmt.Errorf("the line is longer than %d MiB", maxRecord>>20)

// readLine returns the next line without its end or surrounding spaces,
// valid until the next call; errLineTooLong (after skipping the line) for
// one too long; io.EOF at the end.
func (r *jsonlReader) readLine() ([]byte, error) {
	r.long = r.long[:0]
	tooLong := false
	for {
		b, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong && len(r.long)+len(b) <= maxRecord {
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
		if tooLong || len(r.long)+len(b) > maxRecord {
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

// fill decodes a line into the cells, by the header.
func (r *jsonlReader) fill(line []byte) error {
	if err := r.parseLine(line); err != nil {
		return err
	}
	clear(r.cells)
	clear(r.from)
	for i, k := range r.keys {
		j, ok := r.index[k]
		if !ok {
			continue // a key no one reads, like an extra CSV column
		}
		switch prev := r.from[j]; {
		case prev == k:
			return fmt.Errorf("key %q twice", short(k))
		case prev != "":
			return fmt.Errorf("keys %q and %q both give %s", short(prev), short(k), r.header[j])
		}
		r.from[j], r.cells[j] = k, r.vals[i]
	}
	return checkCells(r.header, r.cells)
}

// errNested stops parseObject at a list or an object as a value.
var errNested = errors.New("a list or object as a value")

// parseLine reads the JSON object in line into r.keys and r.vals, in
// order: with parseObject, or with encoding/json when a value is a list
// or an object, which is kept as its JSON text without spaces.
func (r *jsonlReader) parseLine(line []byte) error {
	err := r.parseObject(line)
	if !errors.Is(err, errNested) {
		return err
	}
	r.keys, r.vals = r.keys[:0], r.vals[:0]
	return r.decode(line, func(key string, raw []byte) error {
		text, err := r.valueText(raw)
		if err != nil {
			return fmt.Errorf("key %q: %v", short(key), err)
		}
		r.keys, r.vals = append(r.keys, key), append(r.vals, text)
		return nil
	})
}

// decode reads the object in line with encoding/json, token by token,
// calling visit with each key and its value's raw JSON in order.
func (r *jsonlReader) decode(line []byte, visit func(key string, raw []byte) error) error {
	r.src.Reset(line)
	dec := json.NewDecoder(&r.src)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("a record must be a JSON object")
	}
	var raw json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not JSON: %v", err)
		}
		key, _ := tok.(string) // a key is always a string here
		raw = raw[:0]
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("key %q: not JSON: %v", short(key), err)
		}
		if err := visit(key, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("not JSON: text after the object")
	}
	return nil
}

// valueText is a value's cell text: see [jsonlReader].
func (r *jsonlReader) valueText(raw []byte) (string, error) {
	switch raw[0] {
	case '"':
		if in := raw[1 : len(raw)-1]; bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
			return string(in), nil // nothing to unescape
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case '[', '{':
		r.compact.Reset()
		if err := json.Compact(&r.compact, raw); err != nil {
			return "", err
		}
		return r.compact.String(), nil
	}
	return string(raw), nil // a number or a bool, as written
}

func (r *jsonlReader) Close() error {
	if r.c != nil {
		return r.c.Close()
	}
	return nil
}

// parseObject reads one JSON object of plain values into r.keys and
// r.vals, keeping the keys in order and each value as text: a string
// decoded, a number, true, false as written, null as "". It accepts
// exactly the objects encoding/json accepts, and decodes strings as it
// does (invalid UTF-8 and lone surrogates become U+FFFD), at a fifth of
// its cost (see BENCHMARKS.md); FuzzParseLine checks it against
// encoding/json. A list or an object as a value stops it with errNested,
// and parseLine reads that line with encoding/json instead.
func (r *jsonlReader) parseObject(line []byte) error {
	r.keys, r.vals = r.keys[:0], r.vals[:0]
	p := skipSpace(line, 0)
	if p == len(line) || line[p] != '{' {
		if p < len(line) && startsValue(line[p:]) {
			return errors.New("a record must be a JSON object")
		}
		return errors.New("not JSON: a line must hold one object")
	}
	p = skipSpace(line, p+1)
	if p < len(line) && line[p] == '}' {
		return r.endObject(line, p+1)
	}
	for {
		if p == len(line) || line[p] != '"' {
			return errors.New("not JSON: an object key must be a string")
		}
		key, q, err := r.parseString(line, p)
		if err != nil {
			return fmt.Errorf("not JSON: %v", err)
		}
		p = skipSpace(line, q)
		if p == len(line) || line[p] != ':' {
			return fmt.Errorf("key %q: not JSON: no colon after the key", key)
		}
		p = skipSpace(line, p+1)
		val, q, err := r.parseValue(line, p)
		if errors.Is(err, errNested) {
			return err
		}
		if err != nil {
			return fmt.Errorf("key %q: %v", key, err)
		}
		r.keys = append(r.keys, key)
		r.vals = append(r.vals, val)
		p = skipSpace(line, q)
		if p == len(line) {
			return errors.New("not JSON: the object is not closed")
		}
		switch line[p] {
		case ',':
			p = skipSpace(line, p+1)
		case '}':
			return r.endObject(line, p+1)
		default:
			return fmt.Errorf("key %q: not JSON: %q after the value", key, line[p])
		}
	}
}

// endObject checks that nothing but spaces follows the object.
func (r *jsonlReader) endObject(line []byte, p int) error {
	p = skipSpace(line, p)
	switch {
	case p == len(line):
		return nil
	case startsValue(line[p:]) || line[p] == '{':
		return errors.New("more than one JSON value on the line")
	}
	return errors.New("not JSON: text after the object")
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n') {
		p++
	}
	return p
}

// startsValue reports whether b starts like a JSON value other than an
// object.
func startsValue(b []byte) bool {
	c := b[0]
	return c == '[' || c == '"' || c == '-' || c >= '0' && c <= '9' ||
		bytes.HasPrefix(b, []byte("true")) || bytes.HasPrefix(b, []byte("false")) || bytes.HasPrefix(b, []byte("null"))
}

// parseValue reads the value at line[p] and returns its text and the
// position after it.
func (r *jsonlReader) parseValue(line []byte, p int) (string, int, error) {
	if p == len(line) {
		return "", p, errors.New("not JSON: no value")
	}
	switch c := line[p]; {
	case c == '"':
		s, q, err := r.parseString(line, p)
		if err != nil {
			return "", q, fmt.Errorf("not JSON: %v", err)
		}
		return s, q, nil
	case c == '[' || c == '{':
		return "", p, errNested
	case c == 't' && bytes.HasPrefix(line[p:], []byte("true")):
		return "true", p + 4, nil
	case c == 'f' && bytes.HasPrefix(line[p:], []byte("false")):
		return "false", p + 5, nil
	case c == 'n' && bytes.HasPrefix(line[p:], []byte("null")):
		return "", p + 4, nil
	case c == '-' || c >= '0' && c <= '9':
		q, ok := scanNumber(line, p)
		if !ok {
			return "", q, errors.New("not JSON: a malformed number")
		}
		return string(line[p:q]), q, nil
	}
	return "", p, fmt.Errorf("not JSON: %q cannot start a value", line[p])
}

// scanNumber returns the end of the JSON number at b[p]:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, p int) (int, bool) {
	digits := func(p int) int {
		for p < len(b) && b[p] >= '0' && b[p] <= '9' {
			p++
		}
		return p
	}
	if b[p] == '-' {
		p++
	}
	switch {
	case p < len(b) && b[p] == '0':
		p++
	case p < len(b) && b[p] >= '1' && b[p] <= '9':
		p = digits(p)
	default:
		return p, false
	}
	if p < len(b) && b[p] == '.' {
		q := digits(p + 1)
		if q == p+1 {
			return q, false
		}
		p = q
	}
	if p < len(b) && (b[p] == 'e' || b[p] == 'E') {
		p++
		if p < len(b) && (b[p] == '+' || b[p] == '-') {
			p++
		}
		q := digits(p)
		if q == p {
			return q, false
		}
		p = q
	}
	return p, true
}

// parseString decodes the JSON string starting at line[p] (a quote) and
// returns it and the position after its closing quote.
func (r *jsonlReader) parseString(line []byte, p int) (string, int, error) {
	p++
	start := p
	// The usual case: no escapes, valid UTF-8.
	for p < len(line) {
		c := line[p]
		if c == '"' {
			if utf8.Valid(line[start:p]) {
				return string(line[start:p]), p + 1, nil
			}
			break
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p++
	}
	b := append(r.str[:0], line[start:p]...)
	defer func() { r.str = b[:0] }()
	if !utf8.Valid(b) {
		b = appendValidUTF8(b[:0], line[start:p])
	}
	for p < len(line) {
		c := line[p]
		switch {
		case c == '"':
			return string(b), p + 1, nil
		case c < 0x20:
			return "", p, errors.New("a control character in a string")
		case c == '\\':
			if p+1 == len(line) {
				return "", p, errors.New("the string is not closed")
			}
			p++
			switch e := line[p]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r1, ok := hex4(line, p+1)
				if !ok {
					return "", p, errors.New(`a malformed \u escape`)
				}
				p += 4
				if utf16.IsSurrogate(r1) {
					if r2, ok := hex4(line, p+3); ok && p+2 < len(line) && line[p+1] == '\\' && line[p+2] == 'u' {
						if d := utf16.DecodeRune(r1, r2); d != utf8.RuneError {
							b = utf8.AppendRune(b, d)
							p += 6
							break
						}
					}
					r1 = utf8.RuneError
				}
				b = utf8.AppendRune(b, r1)
			default:
				return "", p, fmt.Errorf("an unknown escape \\%c", e)
			}
			p++
		case c < utf8.RuneSelf:
			b = append(b, c)
			p++
		default:
			rr, size := utf8.DecodeRune(line[p:])
			b = utf8.AppendRune(b, rr) // U+FFFD for a byte that is not UTF-8
			p += size
		}
	}
	return "", p, errors.New("the string is not closed")
}

// appendValidUTF8 appends s with each byte that is not UTF-8 replaced by
// U+FFFD, as encoding/json decodes it.
func appendValidUTF8(b, s []byte) []byte {
	for len(s) > 0 {
		rr, size := utf8.DecodeRune(s)
		b = utf8.AppendRune(b, rr)
		s = s[size:]
	}
	return b
}

// hex4 reads four hex digits at b[p].
func hex4(b []byte, p int) (rune, bool) {
	if p < 0 || p+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[p : p+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

type jsonlWriter struct {
	out    committer
	buf    *bufio.Writer
	cols   []Column
	keys   [][]byte // each column name, JSON-quoted, with its colon
	line   []byte
	closed bool
}

func newJSONLWriter(out committer, cols []Column) *jsonlWriter {
	w := &jsonlWriter{out: out, buf: bufio.NewWriterSize(out, 64<<10), cols: cols}
	for _, c := range cols {
		w.keys = append(w.keys, append(appendJSONString(nil, c.Name), ':'))
	}
	return w
}

func (w *jsonlWriter) Write(status Status, cells []Cell) error {
	if w.closed {
		return errClosed
	}
	w.line = w.Encode(w.line[:0], cells)
	return w.WriteEncoded(status, w.line)
}

// Encode appends the line Write writes for cells to dst: the one JSON
// object of an Object column, else an object of every column. It reads
// only the columns, so it may run on any goroutine.
func (w *jsonlWriter) Encode(dst []byte, cells []Cell) []byte {
	return w.encode(dst, 0, len(w.cols), cells)
}

// EncodeFields appends the members of columns from, from+1, … of the line
// Encode makes: the object's opening before column 0, each member after
// its comma, and the object's end and the newline after the last column.
func (w *jsonlWriter) EncodeFields(dst []byte, from int, cells []Cell) []byte {
	to, ok := partEnd(len(w.cols), from, len(cells))
	if !ok {
		return dst
	}
	return w.encode(dst, from, to, cells)
}

// encode appends the members of columns from to to-1, cells[0] being
// column from's (missing cells are null or empty), with the object's
// opening if from is 0 and its end if to is the last column.
func (w *jsonlWriter) encode(dst []byte, from, to int, cells []Cell) []byte {
	if len(w.cols) == 1 && w.cols[0].Kind == Object {
		if len(cells) == 0 || len(cells[0].Text) == 0 || cells[0].Text[0] != '{' {
			return dst // WriteEncoded refuses a line that is not an object
		}
		return append(append(dst, cells[0].Text...), '\n')
	}
	b := dst
	if from == 0 {
		b = append(b, '{')
	}
	for i := from; i < to; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, w.keys[i]...)
		var c Cell
		if i-from < len(cells) {
			c = cells[i-from]
		}
		switch col := w.cols[i]; col.Kind {
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
	if to == len(w.cols) {
		b = append(b, '}', '\n')
	}
	return b
}

// WriteEncoded writes a line [jsonlWriter.Encode] made, or one JSON object
// and its newline made otherwise.
func (w *jsonlWriter) WriteEncoded(_ Status, line []byte) error {
	if w.closed {
		return errClosed
	}
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '\n' {
		return errors.New("table: an Object cell must hold one JSON object")
	}
	_, err := w.buf.Write(line)
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

func (w *jsonlWriter) Abort() {
	w.closed = true
	w.out.Abort()
}
