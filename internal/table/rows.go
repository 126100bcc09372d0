package table

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// titleSearch is how many non-blank rows are looked at for the header when
// a sheet starts with title lines.
const titleSearch = 10

// rowProblem is a raw row that cannot be read (a CSV quoting error, text
// that is not UTF-8). It becomes a [RowError]; reading goes on.
type rowProblem struct {
	line int
	err  error
}

func (p *rowProblem) Error() string { return fmt.Sprintf("line %d: %v", p.line, p.err) }

// rawRow is one row as the file has it.
type rawRow struct {
	line  int
	cells []string
	err   *rowProblem
}

// rowSource turns the raw rows of a CSV file or a sheet into a header and
// records: it skips blank rows and title lines above the header, numbers
// the records, pads short ones and reports ragged ones.
type rowSource struct {
	// next returns the next raw row: its line (or sheet row) and cells,
	// valid until the next call; a *rowProblem for a row that cannot be
	// read; io.EOF at the end.
	next func() (line int, cells []string, err error)
	// strict makes a row with fewer cells than the header an error (CSV).
	// Without it (XLSX, where a row stops at its last filled cell) short
	// rows are padded, and only filled cells beyond the header are errors.
	strict bool

	header     []string
	headerLine int
	pending    []rawRow // rows read while looking for the header
	row        int      // records returned so far
	recLine    int      // line of the last record returned
	cells      []string // the record returned
}

// start reads the header. A sheet may open with title lines, such as a
// merged title cell: while the first non-blank row has a single filled
// cell and one of the next few has two or more, the single-cell rows are
// dropped and that row is the header. Otherwise the first non-blank row is.
func (s *rowSource) start(empty string) error {
	var seen []rawRow
	for len(seen) < titleSearch {
		line, cells, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if p, ok := err.(*rowProblem); ok {
			if len(seen) == 0 {
				return fmt.Errorf("header: %v", p)
			}
			seen = append(seen, rawRow{line: line, err: p})
			break
		}
		if err != nil {
			return err
		}
		n := filled(cells)
		if n == 0 {
			continue
		}
		if n >= 2 { // the header; any single-cell rows before it were titles
			seen = append(seen[:0], rawRow{line: line, cells: append([]string(nil), cells...)})
			break
		}
		seen = append(seen, rawRow{line: line, cells: append([]string(nil), cells...)})
	}
	if len(seen) == 0 {
		return errors.New(empty)
	}
	h := seen[0]
	s.header = make([]string, len(h.cells))
	for i, c := range h.cells {
		s.header[i] = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
	}
	// A row stops at its last filled cell in a sheet; so may a header.
	for len(s.header) > 0 && s.header[len(s.header)-1] == "" && !s.strict {
		s.header = s.header[:len(s.header)-1]
	}
	s.headerLine, s.recLine = h.line, h.line
	s.pending = seen[1:]
	s.cells = make([]string, len(s.header))
	return nil
}

// filled counts the cells that are not blank.
func filled(cells []string) int {
	n := 0
	for _, c := range cells {
		if !blank(c) {
			n++
		}
	}
	return n
}

// allBlank reports whether every cell is blank, looking no further than
// the first that is not.
func allBlank(cells []string) bool {
	for _, c := range cells {
		if !blank(c) {
			return false
		}
	}
	return true
}

// blank reports whether s is empty or only white space, as
// strings.TrimSpace(s) == "" does, without building the trimmed text.
func blank(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') { // ASCII space: \t \n \v \f \r and ' '
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			return false
		}
		i += n
	}
	return true
}

// nextRecord returns the next record; see [Reader.Next].
func (s *rowSource) nextRecord() (int, []string, error) {
	for {
		var (
			line  int
			cells []string
			err   error
		)
		if len(s.pending) > 0 {
			p := s.pending[0]
			s.pending = s.pending[1:]
			line, cells = p.line, p.cells
			if p.err != nil {
				err = p.err
			}
		} else {
			line, cells, err = s.next()
		}
		if err != nil {
			if p, ok := err.(*rowProblem); ok {
				s.row++
				s.recLine = p.line
				return s.row, nil, &RowError{Row: s.row, Line: p.line, Err: p.err}
			}
			if errors.Is(err, io.EOF) {
				return 0, nil, io.EOF
			}
			return 0, nil, err
		}
		if allBlank(cells) {
			continue // a blank line is not a record
		}
		s.row++
		s.recLine = line
		if err := s.checkWidth(cells); err != nil {
			return s.row, nil, &RowError{Row: s.row, Line: line, Err: err}
		}
		if err := checkCells(s.header, cells); err != nil {
			return s.row, nil, &RowError{Row: s.row, Line: line, Err: err}
		}
		n := copy(s.cells, cells)
		clear(s.cells[n:])
		return s.row, s.cells, nil
	}
}

func (s *rowSource) checkWidth(cells []string) error {
	want := len(s.header)
	switch {
	case s.strict && len(cells) != want:
		return fmt.Errorf("%d cells for %d columns", len(cells), want)
	case len(cells) > want && !allBlank(cells[want:]):
		return fmt.Errorf("a filled cell beyond the %d header columns", want)
	}
	return nil
}
