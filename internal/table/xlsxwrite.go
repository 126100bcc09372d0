package table

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxWriter writes the first sheet with excelize's stream writer (rows go
// to a temporary file, not memory): a frozen, bold header, every value as
// text so no amount ever becomes a binary float, failing rows filled
// yellow and error rows red. Close adds a summary sheet.
type xlsxWriter struct {
	out    committer
	f      *excelize.File
	sw     *excelize.StreamWriter
	cols   []Column
	row    int
	styles [3]int // per Status
	vals   []any
}

const dataSheet = "结果"

func newXLSXWriter(out committer, cols []Column) (*xlsxWriter, error) {
	f := excelize.NewFile()
	w := &xlsxWriter{out: out, f: f, cols: cols, vals: make([]any, len(cols))}
	fail := func(err error) (*xlsxWriter, error) {
		f.Close()
		out.Abort()
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", dataSheet); err != nil {
		return fail(err)
	}
	text := 49 // the built-in "@" (text) number format
	var err error
	if w.styles[OK], err = f.NewStyle(&excelize.Style{NumFmt: text}); err != nil {
		return fail(err)
	}
	if w.styles[Failed], err = f.NewStyle(&excelize.Style{NumFmt: text,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}}); err != nil {
		return fail(err)
	}
	if w.styles[Error], err = f.NewStyle(&excelize.Style{NumFmt: text,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4CCCC"}}}); err != nil {
		return fail(err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}})
	if err != nil {
		return fail(err)
	}
	if w.sw, err = f.NewStreamWriter(dataSheet); err != nil {
		return fail(err)
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	for i, c := range cols {
		width := float64(max(10, min(40, 2*len([]rune(c.Name))+4)))
		if err := w.sw.SetColWidth(i+1, i+1, width); err != nil {
			return fail(err)
		}
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{Value: c.Name, StyleID: head}
	}
	if err := w.sw.SetRow("A1", header); err != nil {
		return fail(err)
	}
	w.row = 1
	return w, nil
}

func (w *xlsxWriter) Write(status Status, cells []Cell) error {
	w.row++
	style := w.styles[status]
	for i, col := range w.cols {
		var c Cell
		if i < len(cells) {
			c = cells[i]
		}
		v := c.Text
		if col.Kind == List || col.Kind == JSON {
			v = strings.Join(c.List, ";")
		}
		w.vals[i] = excelize.Cell{Value: v, StyleID: style}
	}
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, w.vals)
}

func (w *xlsxWriter) Close(summary [][]string) error {
	fail := func(err error) error {
		w.f.Close()
		w.out.Abort()
		return err
	}
	if err := w.sw.Flush(); err != nil {
		return fail(err)
	}
	if summary != nil {
		const name = "汇总"
		if _, err := w.f.NewSheet(name); err != nil {
			return fail(err)
		}
		for i, line := range summary {
			for j, v := range line {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := w.f.SetCellStr(name, cell, v); err != nil {
					return fail(err)
				}
			}
		}
		if err := w.f.SetColWidth(name, "A", "A", 36); err != nil {
			return fail(err)
		}
		if err := w.f.SetColWidth(name, "B", "B", 20); err != nil {
			return fail(err)
		}
	}
	if _, err := w.f.WriteTo(w.out); err != nil {
		return fail(fmt.Errorf("writing the workbook: %v", err))
	}
	if err := w.f.Close(); err != nil {
		w.out.Abort()
		return err
	}
	return w.out.Commit()
}

func (w *xlsxWriter) Abort() {
	w.f.Close()
	w.out.Abort()
}
