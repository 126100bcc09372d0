package table_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "结果.csv")
	dead := filepath.Join(dir, ".结果.csv.2147483000-123.tmp") // no such process
	alive := filepath.Join(dir, ".结果.csv.1-456.tmp")         // init runs
	own := filepath.Join(dir, ".结果.csv."+strconv.Itoa(os.Getpid())+"-789.tmp")
	other := filepath.Join(dir, ".other.csv.2147483000-123.tmp") // another output's
	for _, p := range []string{dead, alive, own, other} {
		require.NoError(t, os.WriteFile(p, []byte("half"), 0o644))
	}
	w, err := table.Create(out, nil, []table.Column{{Name: "a"}})
	require.NoError(t, err)
	require.NoError(t, w.Close(nil))
	assert.NoFileExists(t, dead, "a killed run's file is removed")
	assert.FileExists(t, alive, "a running process's file is kept")
	assert.FileExists(t, own)
	assert.FileExists(t, other, "only files of the same output")
}

func TestCSVDefusesEchoedCells(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.csv")
	w, err := table.Create(p, nil, []table.Column{{Name: "id", Input: true}, {Name: "amount", Kind: table.Money}, {Name: "note", Input: true}})
	require.NoError(t, err)
	for _, rec := range [][]string{{"=1+1", "-5.00", "+86"}, {"@SUM(A1)", "10.00", "-x"}, {"\tT", "1.00", "\rR"}, {"P1", "2.00", "a=b"}} {
		require.NoError(t, w.Write(table.OK, []table.Cell{{Text: rec[0]}, {Text: rec[1]}, {Text: rec[2]}}))
	}
	require.NoError(t, w.Close(nil))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "\ufeffid,amount,note\n'=1+1,-5.00,'+86\n'@SUM(A1),10.00,'-x\n'\tT,1.00,\"'\rR\"\nP1,2.00,a=b\n", string(b),
		"echoed cells get a ' in front; computed amounts do not")
}

// TestXLSXKeepsTheInputWorkbook writes results into a copy of an input
// workbook: its sheets are kept, amounts are numbers that sum and dates
// are dates.
func TestXLSXKeepsTheInputWorkbook(t *testing.T) {
	dir := t.TempDir()
	in := excelize.NewFile()
	require.NoError(t, in.SetSheetName("Sheet1", "名单"))
	require.NoError(t, in.SetCellStr("名单", "A1", "编号"))
	_, err := in.NewSheet("说明")
	require.NoError(t, err)
	require.NoError(t, in.SetCellStr("说明", "A1", "本表由乡镇填报"))
	_, err = in.NewSheet("汇总") // an earlier run's summary: replaced
	require.NoError(t, err)
	require.NoError(t, in.SetCellStr("汇总", "A1", "old"))
	src := filepath.Join(dir, "in.xlsx")
	require.NoError(t, in.SaveAs(src))

	out := filepath.Join(dir, "out.xlsx")
	w, err := table.CreateWith(out, nil, []table.Column{{Name: "id"}, {Name: "start", Kind: table.Date}, {Name: "amount", Kind: table.Money}},
		table.CreateOptions{Workbook: src})
	require.NoError(t, err)
	require.NoError(t, w.Write(table.OK, []table.Cell{{Text: "P1"}, {Text: "2021-09-01"}, {Text: "1800.00"}}))
	require.NoError(t, w.Write(table.OK, []table.Cell{{Text: "P2"}, {Text: "2021-9-1"}, {Text: "1286.50"}}))
	require.NoError(t, w.Close([][]string{{"判定日期 as of", "2021-09-30", "--on"}}))

	f, err := excelize.OpenFile(out)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{"结果", "名单", "说明", "汇总"}, f.GetSheetList())
	note, err := f.GetCellValue("说明", "A1")
	require.NoError(t, err)
	assert.Equal(t, "本表由乡镇填报", note)
	require.NoError(t, f.SetCellFormula("结果", "C10", "SUM(C2:C3)"))
	sum, err := f.CalcCellValue("结果", "C10", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "3086.5", sum, "amounts are numbers that sum")
	shownAmount, err := f.GetCellValue("结果", "C2")
	require.NoError(t, err)
	assert.Equal(t, "1,800.00", shownAmount, "shown with 2 places")
	raw, err := f.GetCellValue("结果", "B2", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "44440", raw, "2021-09-01 is a date serial")
	shown, err := f.GetCellValue("结果", "B2")
	require.NoError(t, err)
	assert.Equal(t, "2021-09-01", shown)
	text, err := f.GetCellValue("结果", "B3")
	require.NoError(t, err)
	assert.Equal(t, "2021-9-1", text, "text that is not a day stays text")
	asOf, err := f.GetCellValue("汇总", "B1", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "44469", asOf, "the as-of date is a date on the summary sheet")
}
