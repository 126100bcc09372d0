package table

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// MaxCellChars is the most characters one cell may hold, Excel's own
// limit. A longer cell, in any format, makes its record a [RowError]:
// its text is neither kept nor cut short.
const MaxCellChars = 32767

// maxRecord is the most bytes one record may hold: a JSONL line, a CSV
// record (quoted line breaks included), the text of a sheet row. A longer
// record is a [RowError]; reading goes on with the next.
const maxRecord = 16 << 20

// checkCells returns the problem with the first cell longer than
// MaxCellChars, naming its column.
func checkCells(header, cells []string) error {
	for i, c := range cells {
		if len(c) <= MaxCellChars {
			continue
		}
		if n := utf8.RuneCountInString(c); n > MaxCellChars {
			col := fmt.Sprintf("cell %d", i+1)
			if i < len(header) && header[i] != "" {
				col = fmt.Sprintf("column %q", short(header[i]))
			}
			return fmt.Errorf("%s holds %d characters; a cell holds at most %d", col, n, MaxCellChars)
		}
	}
	return nil
}

// shortLen is how many characters of a rejected text a message quotes.
const shortLen = 40

// short returns s, or its first shortLen characters and "…" with the
// length of the whole, so a message never echoes a long text whole.
func short(s string) string {
	if len(s) <= shortLen {
		return strings.ToValidUTF8(s, "\ufffd")
	}
	n := 0
	for i := range s {
		if n == shortLen {
			return strings.ToValidUTF8(s[:i], "\ufffd") + fmt.Sprintf("… (%d bytes)", len(s))
		}
		n++
	}
	return strings.ToValidUTF8(s, "\ufffd")
}

// Format is a file format.
type Format int

// The formats a table file may have.
const (
	CSV   Format = iota // comma-separated text, UTF-8 or GB18030
	XLSX                // an Excel workbook
	JSONL               // one JSON object per line
)

// String returns the format's usual file extension without the dot.
func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case XLSX:
		return "xlsx"
	case JSONL:
		return "jsonl"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf returns the format of path from its extension, in any case:
// .csv, .xlsx, .jsonl (or .ndjson). "-" is JSONL (stdin or stdout).
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

// Reader yields the records of a table after its header. A Reader is not
// safe for concurrent use.
type Reader interface {
	// Header returns the column names, trimmed of spaces and of a
	// byte-order mark. The caller must not change the slice.
	Header() []string
	// Next returns the next record's number (1-based: the first record
	// after the header is 1; blank rows are skipped and not counted) and
	// its cells, one per header column: a short XLSX or JSONL record is
	// padded with "". The cells are valid only until the next call; copy
	// what you keep. A record that cannot be read gives its number and a
	// *RowError, and reading goes on with the next; the record still
	// counts, so a caller writes a result for it. The end is io.EOF. Any
	// other error means the rest of the input cannot be read.
	Next() (row int, cells []string, err error)
	// Line returns where the record last returned by Next starts: the
	// line of a CSV or JSONL file (1-based, the header included), or the
	// row number of the sheet. Before the first Next it is the header's.
	Line() int
	// Close releases the file and any temporary file. It does not close
	// the stdin given to Open.
	Close() error
}

// RowError reports a record that could not be read: a CSV row with a
// quoting error, not valid UTF-8 or with the wrong number of cells; an
// XLSX row with a filled cell beyond the header; a JSONL line that is not
// an object of plain values or has a key not in the header. The record
// still counts: callers write a result for it.
type RowError struct {
	Row  int   // the record's number, as Next returns it
	Line int   // where the record starts, as Line returns it
	Err  error // what is wrong, without the position
}

// Error returns "row N: " and the problem.
func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }

// Unwrap returns the problem.
func (e *RowError) Unwrap() error { return e.Err }

// ReadOptions choose what to read. The zero value reads the first sheet
// and detects a CSV file's encoding.
type ReadOptions struct {
	// Sheet names the XLSX sheet to read; "" is the first.
	Sheet string
	// Encoding is a CSV file's encoding: "utf-8", "gb18030" (also "gbk"
	// and "gb2312", which it contains), or "" to detect: a file whose
	// first 64 KiB are valid UTF-8 is UTF-8, any other GB18030. A file
	// read as UTF-8 that turns out not to be (plain ASCII for 64 KiB, then
	// GB18030) gives a row error for each row that is not UTF-8, saying
	// to name the encoding; no text is ever silently garbled.
	Encoding string
	// Fields, for JSONL, names the values the caller reads, each by its
	// names: an English name and a Chinese label, say. The header is then
	// one column per field, named by its first name, and a record's cell
	// is the value of whichever name the record has ("" if none); other
	// keys are ignored, like columns no one reads. Records may so carry
	// different keys. Without Fields the header is the keys of the first
	// record. CSV and XLSX ignore Fields: their header is in the file.
	Fields [][]string
}

// Open opens a table file for reading, by its extension (see [FormatOf]);
// path "-" reads JSONL from stdin. The header is read before Open returns,
// so an empty file, an unknown sheet or an unreadable header is an error
// here.
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
		r, err := newJSONLReader(stdin, opts.Fields)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return r, nil
	}
	return openJSONL(path, opts.Fields)
}

// NewReader reads CSV or JSONL from r, which the caller owns: Close does
// not close it. An XLSX workbook is a zip archive read out of order, so it
// can only be opened from a file, with [Open].
func NewReader(r io.Reader, f Format, opts ReadOptions) (Reader, error) {
	switch f {
	case CSV:
		return newCSVReader(r, opts.Encoding)
	case JSONL:
		return newJSONLReader(r, opts.Fields)
	}
	return nil, fmt.Errorf("table: %v cannot be read from a stream; open the file", f)
}

// Kind says how a writer renders a column.
type Kind int

// The kinds of column. A Cell carries every value as text, so nothing a
// writer writes passes through a binary float.
const (
	// Text is a string, written as is (an XLSX text cell, so "0012" and
	// an 18-digit ID number stay as they are).
	Text Kind = iota
	// Bool is "true" or "false": a JSON bool, text elsewhere; "" is null
	// in JSON.
	Bool
	// Number is a decimal such as "0.1500": a JSON string, so that no
	// reader makes it a float; in XLSX a number cell showing the same
	// places (see [Create]).
	Number
	// Int is a whole number such as a row number: a JSON number, an XLSX
	// number cell; "" is null in JSON.
	Int
	// List is a list of codes: a JSON array of strings, ";"-joined in CSV
	// and XLSX.
	List
	// Problem is an error: in JSON null (Text "") or {"field": Field,
	// "message": Text}; the message in CSV and XLSX.
	Problem
	// JSON is raw JSON text in JSONL (null if Text is ""); CSV and XLSX
	// write List instead, ";"-joined, so one cell can carry a JSON value
	// for JSONL and a readable text for the others.
	JSON
	// Money is an amount of yuan such as "1800.00": written as Number,
	// and summed by [Tally] and the XLSX summary sheet.
	Money
	// Date is a calendar day, YYYY-MM-DD: an XLSX date cell shown
	// yyyy-mm-dd (so Excel sorts and filters it as a date), text
	// elsewhere. Text that is not such a day is written as text.
	Date
	// Object is a whole record already written as one JSON object (Text):
	// a JSONL writer whose only column is an Object writes it as the line,
	// byte for byte, so a record has exactly the bytes its writer made.
	// Only JSONL accepts it.
	Object
)

// Column is one output column.
type Column struct {
	Name string // the header, as written
	Kind Kind   // how its values are written
	// Input marks values echoed from the input file, which anyone may
	// have typed: CSV output writes one that starts with =, +, -, @, a
	// tab or a carriage return after a ', so that a spreadsheet shows it
	// as text instead of running it as a formula. Values the tool
	// computed are never marked, and never changed.
	Input bool
}

// Status is what became of a record; XLSX output marks rows by it and
// [Tally] counts them.
type Status int

// Row statuses.
const (
	OK     Status = iota // decided and passed: no fill
	Failed               // decided, did not pass: a yellow fill
	Error                // could not be decided: a red fill
)

// Cell is one value to write. Text holds the value of Text, Bool, Number,
// Money and Int columns ("" for none); List the codes of a List column;
// Field and Text the field and message of a Problem column (an empty Text
// is no problem); Text (the JSON) and List (the text) a JSON column.
type Cell struct {
	Text  string
	List  []string
	Field string
}

// Writer writes records after a header. The cells passed to Write are not
// kept, so a caller may reuse them. A Writer is not safe for concurrent
// use.
type Writer interface {
	// Write writes one record: one cell per column, missing trailing
	// cells empty. status marks the row (XLSX) and is counted in the
	// summary.
	Write(status Status, cells []Cell) error
	// Close flushes the output and, for a file from [Create], commits it:
	// the file appears under its name only now. An XLSX writer adds a
	// summary sheet, 汇总: summary's rows (label, value) if not nil,
	// otherwise the writer's own [Tally]. CSV and JSONL ignore summary.
	// When Close fails the file is removed, as by Abort.
	Close(summary [][]string) error
	// Abort removes what was written; a file from [Create] never appears.
	// It is safe after Close and does nothing then.
	Abort()
}

// Encoder is a [Writer] whose records can be encoded apart from writing
// them: the CSV and JSONL writers. Encode reads only the writer's columns,
// so several goroutines may encode records while one writes them in order.
type Encoder interface {
	// Encode appends to dst the bytes Write would write for cells.
	Encode(dst []byte, cells []Cell) []byte
	// EncodeFields appends to dst the part of that record which columns
	// from, from+1, … hold, as many columns as cells are given (none past
	// the last): what goes before each field in the record goes before
	// it, and the record's end follows the last column. A record is the
	// concatenation of such parts over all its columns, in order, so a
	// part many records share can be encoded once.
	EncodeFields(dst []byte, from int, cells []Cell) []byte
	// WriteEncoded writes one record Encode made, as Write would.
	WriteEncoded(status Status, rec []byte) error
}

// partEnd returns the column after the part of a record that n cells
// starting at column from hold, of cols columns (none past the last), and
// false if they hold no column: [Encoder.EncodeFields]'s range.
func partEnd(cols, from, n int) (int, bool) {
	if from < 0 || from >= cols || n == 0 {
		return 0, false
	}
	return min(from+n, cols), true
}

// Create creates a table file for writing, with the given columns, in the
// format of its extension. The file is written beside its final name
// (a hidden temporary file in the same directory) and renamed into place
// on Close, so a reader never sees half a file and a failed run leaves the
// old file, if any, as it was. Path "-" writes JSONL to stdout instead.
//
// A CSV file starts with a UTF-8 byte-order mark, which Excel needs to
// open Chinese text correctly and which every reader here drops. XLSX
// output freezes the header, sizes the columns by their kind, fills
// [Failed] rows yellow and [Error] rows red, and writes Number, Money and
// Int values as number cells whose format shows the value's own places
// ("1800.00" shows as 1,800.00; a cell reads back as 1800, the same
// amount), so Excel can sum and sort them; a value a binary double cannot
// hold exactly (more than 15 significant digits) is written as text
// instead. Text stays text.
func Create(path string, stdout io.Writer, cols []Column) (Writer, error) {
	return CreateWith(path, stdout, cols, CreateOptions{})
}

// CreateOptions choose what else an output file holds.
type CreateOptions struct {
	// Workbook, for XLSX output, is an .xlsx file (the input, say) whose
	// sheets the output keeps: the output is a copy of it with the data
	// sheet 结果 and the summary sheet 汇总 added, replacing sheets of
	// those names. It is opened with excelize, whose own caps apply:
	// each part at most 4 GiB inflated (UnzipSizeLimit), parts over
	// 16 MiB kept in temporary files rather than memory
	// (UnzipXMLSizeLimit). Ignored for other formats.
	Workbook string
}

// CreateWith is [Create] with options.
func CreateWith(path string, stdout io.Writer, cols []Column, opts CreateOptions) (Writer, error) {
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
		return newCSVWriter(out, cols, true)
	case XLSX:
		return newXLSXWriterFrom(out, cols, opts.Workbook)
	}
	return newJSONLWriter(out, cols), nil
}

// NewWriter writes format f to w, which the caller owns; Close flushes but
// does not close it, and Abort cannot unwrite it. CSV written here has no
// byte-order mark (it is meant for pipes and stdout).
func NewWriter(w io.Writer, f Format, cols []Column) (Writer, error) {
	c := nopCommitter{w}
	switch f {
	case CSV:
		return newCSVWriter(c, cols, false)
	case XLSX:
		return newXLSXWriter(c, cols)
	case JSONL:
		return newJSONLWriter(c, cols), nil
	}
	return nil, fmt.Errorf("table: unknown format %v", f)
}

var errClosed = errors.New("table: writer is closed")
