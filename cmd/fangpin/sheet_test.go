package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestOutputMayNotBeTheInput names the input as the output in every way a
// clerk might: the same path, another relative path, a symbolic link and
// a hard link. Each is refused with exit 2 and the input is unchanged.
func TestOutputMayNotBeTheInput(t *testing.T) {
	dir := t.TempDir()
	orig, err := os.ReadFile("testdata/training-zh.csv")
	require.NoError(t, err)
	in := filepath.Join(dir, "名单.csv")
	require.NoError(t, os.WriteFile(in, orig, 0o644))
	link := filepath.Join(dir, "link.csv")
	require.NoError(t, os.Symlink(in, link))
	hard := filepath.Join(dir, "hard.csv")
	require.NoError(t, os.Link(in, hard))
	x := filepath.Join(dir, "x.xlsx")
	for _, tt := range []struct{ cmd, in, out string }{
		{"eval", in, in},
		{"eval", in, filepath.Join(dir, "sub", "..", "名单.csv")},
		{"eval", in, link},
		{"eval", link, hard},
		{"loan", in, in},
	} {
		args := []string{"eval", "training-grant", tt.in, "-o", tt.out, "--on", "2021-09-30"}
		if tt.cmd == "loan" {
			args = []string{"loan", tt.in, "-o", tt.out}
		}
		out, errs, code := cli(t, "", args...)
		assert.Equal(t, 2, code, "%s -o %s", tt.in, tt.out)
		assert.Empty(t, out)
		assert.Contains(t, errs, "is the input file")
		got, err := os.ReadFile(in)
		require.NoError(t, err)
		assert.Equal(t, orig, got, "the input is unchanged byte for byte")
	}
	_, errs, code := cli(t, "", "eval", "training-grant", in, "-o", x, "--on", "2021-09-30")
	assert.Equal(t, 1, code, "another output is written: %s", errs)
	assert.FileExists(t, x)
}

// TestUnbalancedQuoteStopsTheRun feeds a CSV whose quote opens on line 3
// and never closes: the run stops with exit 2, names the line, and writes
// no output file.
func TestUnbalancedQuoteStopsTheRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	stdout, errs, code := cli(t, "", "eval", "training-grant", "testdata/unbalanced-quote.csv", "--on", "2021-09-30", "-o", out)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	golden(t, "eval-unbalanced-quote.stderr", errs)
	assert.NoFileExists(t, out)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no temporary file is left")
}

// TestTitleLineGivesSheetLines reads a sheet with a title line and blank
// lines: line is where each record is in the file, and every data line is
// a record.
func TestTitleLineGivesSheetLines(t *testing.T) {
	out, errs, code := cli(t, "", "eval", "training-grant", "testdata/title-line.csv", "--on", "2021-09-30")
	assert.Equal(t, 1, code)
	golden(t, "eval-title-line.csv", out)
	assert.Contains(t, errs, "记录数 records: 3\n", "the record count equals the data lines")
	assert.Contains(t, out, "\n1,4,T1,")
	assert.Contains(t, out, "\n2,6,T2,")
}

func TestAsOfDateInTheSummary(t *testing.T) {
	_, errs, _ := cli(t, "", "eval", "training-grant", "testdata/training-zh.csv")
	assert.Contains(t, errs, "判定日期 as of: 2021-09-01 (today, by default: no --on given)\n")
	_, errs, _ = cli(t, "", "eval", "training-grant", "testdata/training-zh.csv", "--on", "2021-09-30")
	assert.Contains(t, errs, "判定日期 as of: 2021-09-30 (--on)\n")
	in := `{"id":"a","poverty_relieved":true,"monitored":false,"disaster_affected":"是","certificate_tier":"A类","as_of":"2021-08-18"}` + "\n"
	_, errs, _ = cli(t, in, "eval", "training-grant", "-")
	assert.Contains(t, errs, "判定日期 as of: 2021-09-01 (today, by default: no --on given; rows with a 判定日期 (as_of) cell are decided on that day)\n")

	dir := t.TempDir()
	out := filepath.Join(dir, "out.xlsx")
	_, _, code := cli(t, "", "eval", "training-grant", "testdata/training-zh.csv", "--on", "2021-09-30", "-o", out)
	assert.Equal(t, 1, code)
	f, err := excelize.OpenFile(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("汇总")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows), 5)
	assert.Equal(t, []string{"判定日期 as of", "2021-09-30", "--on"}, rows[4], "the summary sheet names the as-of date")
	raw, err := f.GetCellValue("汇总", "B5", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "44469", raw, "as a date cell")
}

// TestFormulaWithoutSavedValue reads a workbook whose formula has no
// cached value (written by a program, never opened in Excel): the row is
// an error that says so.
func TestFormulaWithoutSavedValue(t *testing.T) {
	f := excelize.NewFile()
	for i, row := range [][]any{{"编号", "脱贫人口", "因灾返乡", "已返岗就业", "往返路费"}, {"F1", "是", "是", "是", 300}, {"F2", "是", "是", "是", nil}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &row))
	}
	require.NoError(t, f.SetCellFormula("Sheet1", "E3", "E2*2"))
	in := filepath.Join(t.TempDir(), "in.xlsx")
	require.NoError(t, f.SaveAs(in))
	out, _, code := cli(t, "", "eval", "return-travel-reimbursement", in, "--on", "2021-09-10", "-q")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "1,2,F1,return-travel-reimbursement,true,300.00,,,\n")
	assert.Contains(t, out, "2,3,,return-travel-reimbursement,,,,,\"row cannot be read: cell E3 has a formula (=E2*2) with no saved value")
}

// TestLoanJSONLInDesignShape decides loans given as DESIGN.md specifies:
// keys in any order and either language, repayments as a list of {date,
// amount}, keys no one reads.
func TestLoanJSONLInDesignShape(t *testing.T) {
	out, errs, code := cli(t, "", "loan", "testdata/loans-nested.jsonl")
	assert.Equal(t, 1, code, errs)
	golden(t, "loan-nested.jsonl", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, "one record per loan")
	// DESIGN.md's worked example, every period.
	assert.Contains(t, lines[0], `"interest":"486.59","subsidy":"486.59"`)
	assert.Contains(t, lines[0], `"periods":[{"from":"2021-09-01","to":"2021-09-21","days":20,"interest":"106.94","covered":"106.94",`)
	assert.Contains(t, lines[0], `{"from":"2021-09-21","to":"2021-12-01","days":71,"interest":"379.65","covered":"379.65",`)
	// The same loan as in loans.csv (L002), whose repayments are text there.
	csvOut, _, _ := cli(t, "", "loan", "../../examples/data/loans.csv", "-q")
	assert.Contains(t, csvOut, "2,3,L002,true,,683.39,683.39,0.00,0.00,")
	assert.Contains(t, lines[1], `"interest":"683.39","subsidy":"683.39"`)
	assert.Contains(t, lines[2], `"id":"N3","rule":"microloan-interest-subsidy","pass":true`, "a key only one record has (extended_to) is read")
	assert.Contains(t, lines[3], `"error":{"field":"repayments","message":"loan N4: repayments: not a list of {\"date\", \"amount\"}: json: unknown field \"amt\""}`)
}

// TestEvalAndLoanAgree decides every loan of the sample sheet with eval
// microloan-interest-subsidy and with loan: the same eligibility, the same
// reasons, the same errors, for a loan started before the policy (L018)
// and a rate written as a percent (L014) too.
func TestEvalAndLoanAgree(t *testing.T) {
	evalOut, _, evalCode := cli(t, "", "eval", "microloan-interest-subsidy", "../../examples/data/loans.csv", "--on", "2021-09-30", "-q")
	loanOut, _, loanCode := cli(t, "", "loan", "../../examples/data/loans.csv", "-q")
	assert.Equal(t, loanCode, evalCode)
	ev, err := csv.NewReader(strings.NewReader(evalOut)).ReadAll()
	require.NoError(t, err)
	lo, err := csv.NewReader(strings.NewReader(loanOut)).ReadAll()
	require.NoError(t, err)
	require.Len(t, ev, len(lo))
	// eval: row,line,id,rule,pass,subsidised_principal,reasons,error
	// loan: row,line,id,pass,reasons,interest,...,error
	for i := 1; i < len(ev); i++ {
		e, l := ev[i], lo[i]
		assert.Equal(t, l[2], e[2], "id")
		assert.Equal(t, l[3], e[4], "%s: pass", e[2])
		assert.Equal(t, l[4], e[6], "%s: reasons", e[2])
		assert.Equal(t, l[len(l)-1], e[len(e)-1], "%s: error", e[2])
	}
	assert.Contains(t, evalOut, "L018,microloan-interest-subsidy,false,,not-in-force,", "started before the policy")
	assert.Contains(t, evalOut, "L014,microloan-interest-subsidy,,,,,loan L014: annual_rate: 3.85 is above 0.24 a year")
}

// TestXLSXOutputForExcelUsers writes an .xlsx from an .xlsx: the input's
// sheets are kept, amounts are numbers that sum and dates are dates.
func TestXLSXOutputForExcelUsers(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	require.NoError(t, f.SetSheetName("Sheet1", "贷款"))
	rows := [][]any{{"编号", "脱贫人口", "监测对象", "贷款金额", "年利率", "放款日期", "到期日期"},
		{"X1", "是", "否", 50000, 0.0385, "2021-09-01", "2022-09-01"},
		{"X2", "否", "是", 30000.5, 0.0385, "2021-10-15", "2022-10-15"}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, f.SetSheetRow("贷款", cell, &r))
	}
	_, err := f.NewSheet("说明")
	require.NoError(t, err)
	in := filepath.Join(dir, "in.xlsx")
	require.NoError(t, f.SaveAs(in))
	out := filepath.Join(dir, "out.xlsx")
	_, errs, code := cli(t, "", "eval", "microloan-interest-subsidy", in, "-o", out)
	require.Equal(t, 0, code, errs)

	x, err := excelize.OpenFile(out)
	require.NoError(t, err)
	defer x.Close()
	assert.Equal(t, []string{"结果", "贷款", "说明", "汇总"}, x.GetSheetList())
	header, err := x.GetRows("结果")
	require.NoError(t, err)
	assert.Equal(t, "subsidised_principal", header[0][12])
	require.NoError(t, x.SetCellFormula("结果", "M10", "SUM(M2:M3)"))
	sum, err := x.CalcCellValue("结果", "M10", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "80000.5", sum, "amounts are numbers that sum")
	start, err := x.GetCellValue("结果", "F2", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "44440", start, "放款日期 is a date cell")
}

func TestCSVOutputDefusesEchoedFormulas(t *testing.T) {
	in := `{"id":"=HYPERLINK(\"http://x\")","poverty_relieved":true,"monitored":false,"disaster_affected":"是","certificate_tier":"A类"}` + "\n"
	dir := t.TempDir()
	inPath := filepath.Join(dir, "in.jsonl")
	require.NoError(t, os.WriteFile(inPath, []byte(in), 0o644))
	out, _, code := cli(t, "", "eval", "training-grant", inPath, "--on", "2021-09-30", "-o", filepath.Join(dir, "out.csv"), "-q")
	assert.Equal(t, 0, code, out)
	b, err := os.ReadFile(filepath.Join(dir, "out.csv"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "1,1,\"'=HYPERLINK(\"\"http://x\"\")\",training-grant,true,2000.00,,,\n")
}

// endless is a JSONL stream of records that never ends.
type endless struct {
	n    atomic.Int64
	line []byte
	left []byte
}

func (r *endless) Read(p []byte) (int, error) {
	if len(r.left) == 0 {
		r.left = r.line
		r.n.Add(1)
	}
	n := copy(p, r.left)
	r.left = r.left[n:]
	return n, nil
}

// TestInterruptStopsQuicklyAndLeavesNoFile cancels a run that would never
// end, as Ctrl-C does through main's signal.NotifyContext: it stops within
// a second and leaves neither output nor temporary file.
func TestInterruptStopsQuicklyAndLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	src := &endless{line: []byte(`{"id":"a","poverty_relieved":true,"monitored":false,"disaster_affected":"是","certificate_tier":"A类"}` + "\n")}
	var stdout, stderr bytes.Buffer
	e := &env{stdin: src, stdout: &stdout, stderr: &stderr, today: func() rules.Date { return rules.MustDate("2021-09-01") }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- e.run(ctx, []string{"eval", "training-grant", "-", "-o", filepath.Join(dir, "out.csv"), "-q"})
	}()
	for src.n.Load() < 10_000 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	start := time.Now()
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the run did not stop")
	}
	assert.Less(t, time.Since(start), time.Second)
	var ee *exitError
	require.True(t, errors.As(err, &ee), "%v", err)
	assert.Equal(t, 2, ee.code)
	assert.EqualError(t, err, "interrupted: nothing was written")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no output and no temporary file")
}

func TestHelpVersionAndCounties(t *testing.T) {
	for _, cmd := range []string{"eval", "loan", "check", "test", "explain", "weekly", "version"} {
		_, _, code := cli(t, "", cmd, "--help")
		assert.Equal(t, 0, code, "%s --help", cmd)
	}
	out, _, code := cli(t, "", "eval", "work-training-subsidy", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "months                   以工代训月数 (int)")
	out, _, code = cli(t, "", "version")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^fangpin \S+\npolicy henan-2021-48 豫办发电〔2021〕48号 sha256 [0-9a-f]{64}\n$`, out)
	_, errs, code := cli(t, "", "weekly", "--county", "北京", "-o", filepath.Join(t.TempDir(), "t.md"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `unknown county "北京"; the table is sent to 宛城区, 卧龙区,`)
	out, errs, code = cli(t, "", "check", "../../examples/overlays/county.yaml")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, "ok: henan-2021-48")
}
