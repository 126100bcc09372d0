package table

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The sheets of an XLSX output.
const (
	dataSheet    = "结果"
	summarySheet = "汇总"
)

// Fill colours of marked rows, light enough to read and print.
const (
	failedFill = "FFF2CC" // yellow: decided, did not pass
	errorFill  = "F4CCCC" // red: could not be decided
	headerFill = "D9E1F2"
)

// xlsxWriter writes the data sheet with excelize's stream writer, which
// keeps rows in a temporary file rather than memory, and adds the summary
// sheet on Close. See [Create] for what the output looks like.
type xlsxWriter struct {
	out    committer
	f      *excelize.File
	sw     *excelize.StreamWriter
	cols   []Column
	row    int
	tally  *Tally
	styles map[styleKey]int
	vals   []any
	cells  []excelize.Cell
	closed bool
}

// styleKey identifies a cell style: a row's status and a number format
// ("" for text).
type styleKey struct {
	status Status
	format string
}

func newXLSXWriter(out committer, cols []Column) (*xlsxWriter, error) {
	return newXLSXWriterFrom(out, cols, "")
}

// Caps excelize applies to a workbook whose sheets an output keeps.
const (
	keepUnzipLimit    = 4 << 30  // the most all parts may inflate to
	keepUnzipXMLLimit = 16 << 20 // a part larger than this goes to a temporary file
)

// newXLSXWriterFrom writes the data sheet into a copy of workbook, or into
// a new workbook if it is "".
func newXLSXWriterFrom(out committer, cols []Column, workbook string) (*xlsxWriter, error) {
	var f *excelize.File
	if workbook == "" {
		f = excelize.NewFile()
	} else {
		var err error
		f, err = excelize.OpenFile(workbook, excelize.Options{UnzipSizeLimit: keepUnzipLimit, UnzipXMLSizeLimit: keepUnzipXMLLimit})
		if err != nil {
			out.Abort()
			return nil, fmt.Errorf("%s: the workbook whose sheets the output keeps: %v", workbook, err)
		}
	}
	w := &xlsxWriter{out: out, f: f, cols: cols, tally: NewTally(cols), styles: map[styleKey]int{},
		vals: make([]any, len(cols)), cells: make([]excelize.Cell, len(cols))}
	if err := w.start(workbook != ""); err != nil {
		_ = f.Close() // the start failed: that error is the one to report
		out.Abort()
		return nil, err
	}
	return w, nil
}

func (w *xlsxWriter) start(kept bool) error {
	if kept {
		// The results replace an earlier run's, and go first.
		for _, name := range []string{dataSheet, summarySheet} {
			if i, _ := w.f.GetSheetIndex(name); i >= 0 {
				if err := w.f.DeleteSheet(name); err != nil {
					return err
				}
			}
		}
		i, err := w.f.NewSheet(dataSheet)
		if err != nil {
			return err
		}
		w.f.SetActiveSheet(i)
		if err := w.f.MoveSheet(dataSheet, w.f.GetSheetList()[0]); err != nil {
			return err
		}
	} else if err := w.f.SetSheetName("Sheet1", dataSheet); err != nil {
		return err
	}
	head, err := w.f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
	})
	if err != nil {
		return err
	}
	if w.sw, err = w.f.NewStreamWriter(dataSheet); err != nil {
		return err
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	for i, c := range w.cols {
		if err := w.sw.SetColWidth(i+1, i+1, columnWidth(c)); err != nil {
			return err
		}
	}
	header := make([]any, len(w.cols))
	for i, c := range w.cols {
		header[i] = excelize.Cell{Value: c.Name, StyleID: head}
	}
	if err := w.sw.SetRow("A1", header); err != nil {
		return err
	}
	w.row = 1
	return nil
}

// columnWidth is a column's width in characters: wide enough for its name
// (a Chinese character is two) and for the values its kind usually holds.
func columnWidth(c Column) float64 {
	name := 0
	for _, r := range c.Name {
		name++
		if r >= 0x1100 && utf8.RuneLen(r) >= 3 {
			name++
		}
	}
	width := name + 2
	switch c.Kind {
	case Bool, Int:
		width = max(width, 8)
	case Number, Money:
		width = max(width, 14)
	case List:
		width = max(width, 30)
	case Problem:
		width = max(width, 50)
	case JSON:
		width = max(width, 60)
	default:
		width = max(width, 10)
	}
	return float64(min(width, 60))
}

// style returns the style of a cell of a row with status st: text (format
// "") or a number format.
func (w *xlsxWriter) style(st Status, format string) (int, error) {
	k := styleKey{st, format}
	if id, ok := w.styles[k]; ok {
		return id, nil
	}
	s := &excelize.Style{NumFmt: 49} // "@": text
	if format != "" {
		s = &excelize.Style{CustomNumFmt: &format}
	}
	switch st {
	case Failed:
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{failedFill}}
	case Error:
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{errorFill}}
	}
	id, err := w.f.NewStyle(s)
	if err != nil {
		return 0, err
	}
	w.styles[k] = id
	return id, nil
}

// dateFormat shows a date cell as the tool writes dates.
const dateFormat = "yyyy-mm-dd"

// dayValue returns the day text names, YYYY-MM-DD, as a time excelize
// writes as a date serial; ok is false for anything else.
func dayValue(text string) (time.Time, bool) {
	if len(text) != 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, text)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	return t, true
}

// numberCell returns the value and number format that write text as an
// exact number cell: a float64 whose shortest text (which excelize writes)
// is text's own value, shown with text's places and, unless plain is set
// (row numbers, years), thousands separators. ok is false for text that is
// not a plain decimal or that a double cannot hold exactly (more than 15
// significant digits; excelize would cut the rest off); such text is
// written as text.
func numberCell(text string, plain bool) (v float64, format string, ok bool) {
	places, ok := plainDecimal(text)
	if !ok {
		return 0, "", false
	}
	var digits, canon [40]byte
	n, ok := parseNumber(text, digits[:0])
	if !ok || len(n.digits) > excelDigits || n.point > excelDigits {
		return 0, "", false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || strconv.FormatFloat(f, 'f', -1, 64) != string(n.appendPlain(canon[:0])) {
		return 0, "", false
	}
	format = "#,##0"
	if plain {
		format = "0"
	}
	if places > 0 {
		format += "." + strings.Repeat("0", places)
	}
	return f, format, true
}

func (w *xlsxWriter) Write(status Status, cells []Cell) error {
	if w.closed {
		return errClosed
	}
	if w.row >= excelize.TotalRows {
		return fmt.Errorf("an .xlsx sheet holds at most %d records; write .csv or .jsonl instead", excelize.TotalRows-1)
	}
	if err := w.tally.Add(status, cells); err != nil {
		return err
	}
	w.row++
	for i, col := range w.cols {
		var c Cell
		if i < len(cells) {
			c = cells[i]
		}
		var v any = c.Text
		format := ""
		switch col.Kind {
		case List, JSON:
			v = joinList(c.List)
		case Number, Money, Int:
			if f, fm, ok := numberCell(c.Text, col.Kind == Int); ok {
				v, format = f, fm
			}
		case Date:
			if t, ok := dayValue(c.Text); ok {
				v, format = t, dateFormat
			}
		}
		if s, ok := v.(string); ok && s == "" {
			v = nil // an empty cell, filled like the rest of its row
		}
		style, err := w.style(status, format)
		if err != nil {
			return err
		}
		w.cells[i] = excelize.Cell{Value: v, StyleID: style}
		w.vals[i] = w.cells[i]
	}
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, w.vals)
}

func (w *xlsxWriter) Close(summary [][]string) error {
	if w.closed {
		return errClosed
	}
	w.closed = true
	if err := w.finish(summary); err != nil {
		_ = w.f.Close()
		w.out.Abort()
		return err
	}
	if err := w.f.Close(); err != nil {
		w.out.Abort()
		return err
	}
	return w.out.Commit()
}

func (w *xlsxWriter) finish(summary [][]string) error {
	if err := w.sw.Flush(); err != nil {
		return err
	}
	if summary == nil {
		summary = w.tally.Lines()
	}
	if _, err := w.f.NewSheet(summarySheet); err != nil {
		return err
	}
	label, err := w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	format := dateFormat
	dateStyle, err := w.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return err
	}
	for i, line := range summary {
		for j, v := range line {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			if t, ok := dayValue(v); ok && j > 0 {
				err = w.f.SetCellValue(summarySheet, cell, t)
				if err == nil {
					err = w.f.SetCellStyle(summarySheet, cell, cell, dateStyle)
				}
			} else if f, format, ok := numberCell(v, false); ok && j > 0 {
				err = w.f.SetCellFloat(summarySheet, cell, f, -1, 64)
				if err == nil {
					var st int
					if st, err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err == nil {
						err = w.f.SetCellStyle(summarySheet, cell, cell, st)
					}
				}
			} else {
				err = w.f.SetCellStr(summarySheet, cell, v)
				if err == nil && j == 0 {
					err = w.f.SetCellStyle(summarySheet, cell, cell, label)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	if err := w.f.SetColWidth(summarySheet, "A", "A", 36); err != nil {
		return err
	}
	if err := w.f.SetColWidth(summarySheet, "B", "B", 24); err != nil {
		return err
	}
	if _, err := w.f.WriteTo(w.out); err != nil {
		return fmt.Errorf("writing the workbook: %v", err)
	}
	return nil
}

func (w *xlsxWriter) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	_ = w.f.Close()
	w.out.Abort()
}
