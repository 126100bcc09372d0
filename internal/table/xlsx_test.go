package table_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ruralrelief/fangpin/internal/golden"
	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// sheetFixture builds a workbook the way Excel stores one: numbers as the
// shortest text of a binary double (up to 17 significant digits), dates as
// serial numbers with a date format, text as shared strings.
//
// excelize's own float writer (SetCellValue with a float64, SetCellFloat
// with precision -1) does not store what Excel stores: it cuts the text
// to 15 significant digits without rounding, so 1799.9999999999998 is
// stored as 1799.99999999999. Cells that stand for Excel's are therefore
// set with SetCellDefault and the text Excel writes; the excelize rows
// show what a workbook written by excelize reads as.
func sheetFixture(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const s = "Sheet1"
	set := func(cell string, v any) { require.NoError(t, f.SetCellValue(s, cell, v)) }
	style := func(cell string, st *excelize.Style) {
		id, err := f.NewStyle(st)
		require.NoError(t, err)
		require.NoError(t, f.SetCellStyle(s, cell, cell, id))
	}
	require.NoError(t, f.SetSheetRow(s, "A1", &[]any{"编号", "金额", "说明"}))
	rows := []struct {
		id   string
		set  func(cell string)
		note string
	}{
		{"computed", func(c string) { require.NoError(t, f.SetCellDefault(s, c, "1799.9999999999998")) }, "as Excel writes it"},
		{"0.1+0.2", func(c string) { require.NoError(t, f.SetCellDefault(s, c, strconv.FormatFloat(0.1+0.2, 'g', -1, 64))) }, "as Excel writes it"},
		{"just above", func(c string) { require.NoError(t, f.SetCellDefault(s, c, "1800.0000000000002")) }, "as Excel writes it"},
		{"excelize float", func(c string) { set(c, 1799.9999999999998) }, "SetCellValue(float64): excelize stores 1799.99999999999"},
		{"excelize 0.1+0.2", func(c string) { set(c, 0.1+0.2) }, "SetCellValue(float64): excelize stores 0.3"},
		{"14 digits", func(c string) { require.NoError(t, f.SetCellFloat(s, c, 1800.0000000001, -1, 64)) }, "SetCellFloat: a value, not noise"},
		{"whole", func(c string) { set(c, 50000) }, "int"},
		{"whole float", func(c string) { require.NoError(t, f.SetCellFloat(s, c, 2000, -1, 64)) }, "SetCellFloat"},
		{"fen", func(c string) { set(c, 1800.5) }, "float64"},
		{"large", func(c string) { set(c, 123456789012.34) }, "float64"},
		{"17 digits", func(c string) { require.NoError(t, f.SetCellDefault(s, c, "1.2345678901234567E+20")) }, "as Excel writes it"},
		{"money format", func(c string) {
			set(c, 1286.5)
			style(c, &excelize.Style{NumFmt: 4}) // #,##0.00
		}, "shown 1,286.50"},
		{"percent", func(c string) {
			set(c, 0.0385)
			style(c, &excelize.Style{NumFmt: 10}) // 0.00%
		}, "shown 3.85%"},
		{"date", func(c string) {
			set(c, 44440)
			style(c, &excelize.Style{NumFmt: 14})
		}, "shown 2021/9/1"},
		{"Chinese date", func(c string) {
			set(c, 44561)
			code := `yyyy"年"m"月"d"日"`
			style(c, &excelize.Style{CustomNumFmt: &code})
		}, "shown 2021年12月31日"},
		{"date and time", func(c string) {
			set(c, 44440.75)
			style(c, &excelize.Style{NumFmt: 22})
		}, "shown 2021/9/1 18:00"},
		{"time", func(c string) {
			set(c, 0.5)
			style(c, &excelize.Style{NumFmt: 20})
		}, "shown 12:00"},
		{"bool", func(c string) { set(c, true) }, "TRUE"},
		{"leading zeros", func(c string) { set(c, "0012") }, "text stays text"},
		{"ID number", func(c string) { set(c, "41132519800101123X") }, "text"},
		{"rich text", func(c string) {
			require.NoError(t, f.SetCellRichText(s, c, []excelize.RichTextRun{{Text: "张"}, {Text: "三", Font: &excelize.Font{Bold: true}}}))
		}, "runs joined"},
		{"formula", func(c string) {
			require.NoError(t, f.SetCellFormula(s, c, "1+1"))
		}, "no cached value"},
	}
	for i, r := range rows {
		n := strconv.Itoa(i + 2)
		set("A"+n, r.id)
		r.set("B" + n)
		set("C"+n, r.note)
	}
	// A blank row, then a row with a note beyond the header.
	last := strconv.Itoa(len(rows) + 3)
	require.NoError(t, f.SetSheetRow(s, "A"+last, &[]any{"beyond", "1", "", "a note"}))
	_, err := f.NewSheet("第二页")
	require.NoError(t, err)
	require.NoError(t, f.SetSheetRow("第二页", "A1", &[]any{"2021年名册"}))
	require.NoError(t, f.SetSheetRow("第二页", "A3", &[]any{"编号", "金额"}))
	require.NoError(t, f.SetSheetRow("第二页", "A4", &[]any{"P1", 0.30000000000000004}))
	p := filepath.Join(t.TempDir(), "in.xlsx")
	require.NoError(t, f.SaveAs(p))
	return p
}

// TestXLSXReadsWhatExcelShows reads numbers, dates, booleans and text as
// Excel shows them (testdata/xlsx/read.txt).
func TestXLSXReadsWhatExcelShows(t *testing.T) {
	p := sheetFixture(t)
	got := readFile(t, p, table.ReadOptions{})
	golden.Check(t, "testdata/xlsx/read.txt", []byte(got))

	second := readFile(t, p, table.ReadOptions{Sheet: "第二页"})
	assert.Equal(t, "header (line 3): [\"编号\" \"金额\"]\n1 (line 4): [\"P1\" \"0.3\"]\n", second, "the title line is skipped")

	_, err := table.Open(p, nil, table.ReadOptions{Sheet: "nosuch"})
	assert.ErrorContains(t, err, `no sheet "nosuch" (sheets: Sheet1, 第二页)`)
}

func TestXLSXNotAWorkbook(t *testing.T) {
	_, err := table.Open(writeTemp(t, "x.xlsx", []byte("a,b\n")), nil, table.ReadOptions{})
	assert.ErrorContains(t, err, "not an .xlsx workbook")
	_, err = table.Open(filepath.Join(t.TempDir(), "missing.xlsx"), nil, table.ReadOptions{})
	assert.ErrorIs(t, err, os.ErrNotExist)

	f := excelize.NewFile()
	p := filepath.Join(t.TempDir(), "empty.xlsx")
	require.NoError(t, f.SaveAs(p))
	_, err = table.Open(p, nil, table.ReadOptions{})
	assert.ErrorContains(t, err, "the sheet is empty")
}
