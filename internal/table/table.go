// Package table reads and writes the record files county staff work with:
// CSV (UTF-8 with or without BOM, or GB18030 as Excel on Chinese Windows
// writes it), XLSX and JSONL, chosen by file extension, with "-" meaning
// JSONL on stdin or stdout. Readers stream one record at a time; writers
// stream and commit the file atomically (temp file, then rename) on Close.
package table

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Format is a file format.
type Format int

// The formats a file may have.
const (
	CSV Format = iota
	XLSX
	JSONL
)

func (f Format) String() string {
	return [...]string{"csv", "xlsx", "jsonl"}[f]
}

// FormatOf returns the format of path by its extension; "-" is JSONL.
func FormatOf(path string) (Format, error) {
	if path == "-" {
		return JSONL, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV, nil
	case ".xlsx":
		return XLSX, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("%s: unknown file type %q (want .csv, .xlsx or .jsonl)", path, filepath.Ext(path))
}

// Reader yields the records of a table after its header row.
type Reader interface {
	// Header returns the column names, trimmed, without a byte-order mark.
	Header() []string
	// Next returns the next record's 1-based number (the first record
	// after the header is 1) and its cells, one per header column (missing
	// trailing cells are ""). A record that cannot be read gives a
	// *RowError and reading continues with the next; the end is io.EOF.
	// The cells are only valid until the next call.
	Next() (row int, cells []string, err error)
	Close() error
}

// RowError reports a record that could not be read. The record still
// counts: callers write a result for it.
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// ReadOptions choose what to read.
type ReadOptions struct {
	Sheet    string // XLSX: the sheet by name; default the first
	Encoding string // CSV: "utf-8", "gb18030" or "" to detect
}

// Open opens a table file for reading; path "-" reads JSONL from stdin.
func Open(path string, stdin io.Reader, opts ReadOptions) (Reader, error) {
	f, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	switch f {
	case CSV:
		return openCSV(path, opts.Encoding)
	case XLSX:
		return openXLSX(path, opts.Sheet)
	}
	if path == "-" {
		return newJSONLReader(io.NopCloser(stdin))
	}
	return openJSONL(path)
}

// Kind says how a writer renders a column.
type Kind int

// The kinds of column.
const (
	Text    Kind = iota // a string
	Bool                // true/false: a JSON bool
	Number              // a decimal as text: a JSON string, so no reader makes it a float
	Int                 // a whole number: a JSON number
	List                // codes: a JSON array, ";"-joined in CSV and XLSX
	Problem             // an error: null or {"field", "message"} in JSON, the message in CSV and XLSX
	JSON                // Text is raw JSON in JSONL (null if empty); List, ";"-joined, in CSV and XLSX
)

// Column is one output column.
type Column struct {
	Name string
	Kind Kind
}

// Status marks a row in XLSX output.
type Status int

// Row statuses.
const (
	OK     Status = iota
	Failed        // decided, not eligible: a yellow fill
	Error         // could not be decided: a red fill
)

// Cell is one value to write. Text holds Text, Bool ("true"/"false"),
// Number and Int columns; List a List column; Field and Text a Problem
// column (an empty Text is no problem); Text (JSON) and List (text) a JSON
// column.
type Cell struct {
	Text  string
	List  []string
	Field string
}

// Writer writes records after a header.
type Writer interface {
	Write(status Status, cells []Cell) error
	// Close commits the file. summary, if not nil, is written as a second
	// sheet (XLSX) and ignored by the other formats.
	Close(summary [][]string) error
	// Abort removes what was written. It is safe after Close.
	Abort()
}

// Create creates a table file for writing with the given columns; path
// "-" writes JSONL to stdout.
func Create(path string, stdout io.Writer, cols []Column) (Writer, error) {
	f, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	if path == "-" {
		return newJSONLWriter(nopCommitter{stdout}, cols), nil
	}
	out, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	switch f {
	case CSV:
		return newCSVWriter(out, cols)
	case XLSX:
		return newXLSXWriter(out, cols)
	}
	return newJSONLWriter(out, cols), nil
}

// NewWriter writes format f to w, which the caller owns.
func NewWriter(w io.Writer, f Format, cols []Column) (Writer, error) {
	c := nopCommitter{w}
	switch f {
	case CSV:
		return newCSVWriter(c, cols)
	case XLSX:
		return newXLSXWriter(c, cols)
	}
	return newJSONLWriter(c, cols), nil
}

var errClosed = errors.New("table: writer is closed")
