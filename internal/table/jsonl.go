package table

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// jsonlReader reads one JSON object per line. The keys of the first object
// are the header; a later object with a key not in it is a row error.
// Values are read from their JSON text: numbers keep their digits (1800.00
// stays "1800.00"), true/false become "true"/"false", null is "".
type jsonlReader struct {
	rc     io.ReadCloser
	sc     *bufio.Scanner
	header []string
	index  map[string]int
	row    int
	cells  []string
	first  []string // the first record, read with the header
	err    error
}

func openJSONL(path string) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newJSONLReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func newJSONLReader(rc io.ReadCloser) (*jsonlReader, error) {
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	r := &jsonlReader{rc: rc, sc: sc, index: map[string]int{}}
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		keys, vals, err := parseObject(line)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("line 1: %v", err)
		}
		for i, k := range keys {
			if _, dup := r.index[k]; dup {
				rc.Close()
				return nil, fmt.Errorf("line 1: key %q twice", k)
			}
			r.index[k] = i
		}
		r.header = keys
		r.first = vals
		r.cells = make([]string, len(keys))
		return r, nil
	}
	if err := sc.Err(); err != nil {
		rc.Close()
		return nil, err
	}
	rc.Close()
	return nil, errors.New("the input is empty: no record")
}

func (r *jsonlReader) Header() []string { return r.header }

func (r *jsonlReader) Next() (int, []string, error) {
	if r.first != nil {
		r.row = 1
		copy(r.cells, r.first)
		r.first = nil
		return 1, r.cells, nil
	}
	for r.sc.Scan() {
		line := bytes.TrimSpace(r.sc.Bytes())
		if len(line) == 0 {
			continue
		}
		r.row++
		keys, vals, err := parseObject(line)
		if err != nil {
			return r.row, nil, &RowError{Row: r.row, Err: err}
		}
		clear(r.cells)
		for i, k := range keys {
			j, ok := r.index[k]
			if !ok {
				return r.row, nil, &RowError{Row: r.row, Err: fmt.Errorf("key %q is not in the first record", k)}
			}
			r.cells[j] = vals[i]
		}
		return r.row, r.cells, nil
	}
	if err := r.sc.Err(); err != nil {
		return 0, nil, err
	}
	return 0, nil, io.EOF
}

func (r *jsonlReader) Close() error { return r.rc.Close() }

// parseObject reads one JSON object, keeping its keys in order and each
// value as text.
func parseObject(line []byte) (keys, vals []string, err error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("not JSON: %v", err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("a record must be a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("not JSON: %v", err)
		}
		key := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("key %q: %v", key, err)
		}
		var v string
		switch raw[0] {
		case '"':
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, nil, fmt.Errorf("key %q: %v", key, err)
			}
		case 'n':
			v = ""
		case '[', '{':
			return nil, nil, fmt.Errorf("key %q: a list or object is not a value", key)
		default: // a number, true or false: its text exactly
			v = string(raw)
		}
		keys = append(keys, key)
		vals = append(vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("not JSON: %v", err)
	}
	if dec.More() {
		return nil, nil, errors.New("more than one JSON value on the line")
	}
	return keys, vals, nil
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
		k, _ := json.Marshal(c.Name)
		w.keys = append(w.keys, append(k, ':'))
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
		case Bool, Int:
			if c.Text == "" {
				b = append(b, "null"...)
			} else {
				b = append(b, c.Text...)
			}
		case JSON:
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

// appendJSONString appends s as a JSON string, keeping non-ASCII text as is.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

func (w *jsonlWriter) Close([][]string) error {
	if err := w.buf.Flush(); err != nil {
		w.out.Abort()
		return err
	}
	return w.out.Commit()
}

func (w *jsonlWriter) Abort() { w.out.Abort() }
