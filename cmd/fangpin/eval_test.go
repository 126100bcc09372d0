package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func TestEvalCSVWithChineseHeadersAndBadRows(t *testing.T) {
	out, errs, code := cli(t, "", "eval", "training-grant", "testdata/training-zh.csv", "--on", "2021-09-30")
	assert.Equal(t, 1, code, "some rows could not be decided")
	golden(t, "eval-training-zh.csv", out)
	golden(t, "eval-training-zh.stderr", errs)
	assert.Equal(t, 13, strings.Count(out, "\n"), "a header and one record per input record")
}

func TestEvalJSONLWithEnglishHeaders(t *testing.T) {
	out, _, code := cli(t, "", "eval", "training-grant", "testdata/training-en.jsonl", "--on", "2021-09-30", "-q")
	assert.Equal(t, 1, code)
	golden(t, "eval-training-en.jsonl", out)
}

func TestEvalStdinJSONL(t *testing.T) {
	in := `{"id":"a","poverty_relieved":true,"monitored":false,"disaster_affected":"是","certificate_tier":"A类","as_of":"2021-08-18"}` + "\n" +
		`{"id":"b","poverty_relieved":true,"monitored":false,"disaster_affected":"是","certificate_tier":"A类","as_of":"2021-08-19"}` + "\n"
	out, _, code := cli(t, in, "eval", "training-grant", "-", "-q")
	assert.Equal(t, 0, code)
	assert.Equal(t, `{"row":1,"line":1,"id":"a","rule":"training-grant","pass":false,"amount":"0.00","reasons":[{"code":"not-in-force","message":"判定日期 2021-08-18 不在本条规则的施行期内（2021-08-19 起）","clause":"第七条"}],"notes":[],"error":null}
{"row":2,"line":2,"id":"b","rule":"training-grant","pass":true,"amount":"2000.00","reasons":[],"notes":[],"error":null}
`, out)
}

func TestEvalGB18030CSVGivesTheSameDecisions(t *testing.T) {
	utf, _, _ := cli(t, "", "eval", "training-grant", "testdata/training-zh.csv", "--on", "2021-09-30", "-q")
	gb, _, code := cli(t, "", "eval", "training-grant", "testdata/training-gb18030.csv", "--on", "2021-09-30", "-q")
	assert.Equal(t, 1, code)
	assert.Equal(t, utf, gb)
}

// TestEvalXLSXRoundTrip reads an XLSX whose money cells are numbers, writes
// the decisions to XLSX, and reads that back: the decisions are the same
// and every amount is exact.
func TestEvalXLSXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	rows := [][]any{
		{"编号", "姓名", "脱贫人口", "因灾返乡", "已返岗就业", "往返路费"},
		{"RT1", "张三", "是", "是", "是", nil},
		{"RT2", "李四", "是", "否", "是", 300},
		{"RT3", "王五", "是", "是", "是", "300.125"},
		{"RT4", "赵六", "否", "是", "是", 96},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &r))
	}
	// A cost Excel computed: stored as the double nearest 1286.5 - 1e-13.
	require.NoError(t, f.SetCellDefault("Sheet1", "F2", "1286.4999999999998"))
	in := filepath.Join(dir, "in.xlsx")
	require.NoError(t, f.SaveAs(in))

	first := filepath.Join(dir, "first.xlsx")
	_, errs, code := cli(t, "", "eval", "return-travel-reimbursement", in, "--on", "2021-09-10", "-o", first)
	assert.Equal(t, 1, code, errs)
	again := filepath.Join(dir, "again.csv")
	_, _, code = cli(t, "", "eval", "return-travel-reimbursement", first, "--on", "2021-09-10", "-o", again, "-q")
	assert.Equal(t, 1, code)
	firstCSV := filepath.Join(dir, "first.csv")
	cli(t, "", "eval", "return-travel-reimbursement", in, "--on", "2021-09-10", "-o", firstCSV, "-q")
	a, err := os.ReadFile(firstCSV)
	require.NoError(t, err)
	b, err := os.ReadFile(again)
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b), "the tool's own XLSX reads back to the same decisions")
	assert.Contains(t, string(a), "1,2,RT1,return-travel-reimbursement,true,1286.50,,", "a computed cost reads as Excel shows it")
	assert.Contains(t, string(a), "3,4,RT3,return-travel-reimbursement,,,,,\"travel_cost (往返路费): \"\"300.125\"\" has more than 2 decimal places\"")

	x, err := excelize.OpenFile(first)
	require.NoError(t, err)
	defer x.Close()
	assert.Equal(t, []string{"结果", "Sheet1", "汇总"}, x.GetSheetList(), "the input's sheet is kept")
	header, err := x.GetRows("结果")
	require.NoError(t, err)
	assert.Equal(t, []string{"编号", "姓名", "脱贫人口", "因灾返乡", "已返岗就业", "往返路费", "row", "line", "id", "rule", "pass", "amount", "reasons", "notes", "error"}, header[0])
	assert.Len(t, header, 5, "the header and one row per record")
}

func TestEvalInvalidOverlay(t *testing.T) {
	out, errs, code := cli(t, "", "eval", "return-travel-reimbursement", "testdata/training-zh.csv", "--policy", "testdata/bad-overlay.yaml")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errs, "testdata/bad-overlay.yaml:3:3: overlay sets unknown parameter")
}

func TestEvalOverlayChangesTheAmount(t *testing.T) {
	overlay := filepath.Join(t.TempDir(), "cap.yaml")
	require.NoError(t, os.WriteFile(overlay, []byte(`extends: henan-2021-48
parameters:
  return_travel_cap:
    values:
      - {from: "2021-08-19", value: "500.00", basis: 某县人社局文件}
`), 0o644))
	in := `{"id":"a","poverty_relieved":"是","returned_due_to_disaster":"是","back_to_work":"是","travel_cost":"1286.50"}` + "\n"
	out, _, code := cli(t, in, "eval", "return-travel-reimbursement", "-", "--on", "2021-09-10", "--policy", overlay, "-q")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, `"amount":"500.00"`)
}

func TestEvalUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing column", []string{"eval", "work-training-subsidy", "testdata/training-zh.csv"}, "no column for months (以工代训月数)"},
		{"unreadable input", []string{"eval", "fund-scale", "testdata/nosuch.csv"}, "cannot read input"},
		{"unknown format", []string{"eval", "fund-scale", "testdata/bad-overlay.yaml"}, "unknown file type"},
		{"unknown rule", []string{"eval", "grant", "testdata/training-zh.csv"}, `unknown rule "grant"`},
		{"too few arguments", []string{"eval", "fund-scale"}, "eval takes RULE and INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := cli(t, "", tt.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, tt.want)
		})
	}
}

func TestLoanCommand(t *testing.T) {
	out, errs, code := cli(t, "", "loan", "../../examples/data/loans.csv")
	assert.Equal(t, 1, code, "three rows cannot be decided")
	golden(t, "loan-sample.csv", out)
	golden(t, "loan-sample.stderr", errs)
	assert.Contains(t, out, "1,2,L001,true,,486.59,486.59,0.00,0.00,2021-09-01..2021-09-21:106.94/106.94;2021-09-21..2021-12-01:379.65/379.65,,\n")

	in := `{"id":"J1","poverty_relieved":true,"monitored":false,"principal":"50000.00","annual_rate":"0.0385","start":"2021-09-01","maturity":"2022-09-01","repaid_on":"2021-12-01"}` + "\n"
	out, _, code = cli(t, in, "loan", "-", "-q")
	assert.Equal(t, 0, code)
	// The record is the library's JSON of the decision, row and line first.
	c, err := loan.New()
	require.NoError(t, err)
	d, err := c.Subsidy(context.Background(), loan.Loan{ID: "J1", PovertyRelieved: true, Principal: decimal.RequireFromString("50000.00"),
		AnnualRate: decimal.RequireFromString("0.0385"), Start: rules.MustDate("2021-09-01"), Maturity: rules.MustDate("2022-09-01"),
		Repayments: []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("50000.00")}}})
	require.NoError(t, err)
	js, err := d.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, `{"row":1,"line":1,`+string(js[1:])+"\n", out)
}

func TestWeeklyCommand(t *testing.T) {
	dir := t.TempDir()
	progress := filepath.Join(dir, "progress.csv")
	require.NoError(t, os.WriteFile(progress, []byte("序号,措施进度和成效,备注\n1,已完成摸底登记,\n"), 0o644))
	out := filepath.Join(dir, "唐河县周调度表.xlsx")
	_, errs, code := cli(t, "", "weekly", "--county", "唐河县", "--date", "2021-11-06", "--progress", progress, "-o", out)
	assert.Equal(t, 0, code, errs)
	assert.Equal(t, out+": 17 项措施，2 项已超过时限且未填报进度；报送时限 2021-11-05 17:00 CST\n", errs)
	f, err := excelize.OpenFile(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("周调度表")
	require.NoError(t, err)
	assert.Equal(t, "已完成摸底登记", rows[3][4])

	_, errs, code = cli(t, "", "weekly", "--county", "唐河县", "-o", filepath.Join(dir, "t.pdf"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "the table is written as .xlsx, .csv or .md")
	_, errs, code = cli(t, "", "weekly", "-o", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--county is required")
}

func TestSummarySumsExactlyPastInt64(t *testing.T) {
	info := rules.RuleInfo{ID: "r", Outputs: []rules.OutputInfo{{Name: "amount", Label: "金额", Rounding: rules.Rounding{Places: 2, Mode: rules.HalfUp}}}}
	set, err := policies.Load()
	require.NoError(t, err)
	s := newSummary(info, set)
	big := decision{units: []int64{math.MaxInt64 - 5}, exact: true, outputs: []string{""}}
	small := decision{units: []int64{10}, exact: true, outputs: []string{""}}
	s.add(&big)
	s.add(&small)
	s.add(&big)
	lines := s.lines()
	// (2 × (2^63 − 6) + 10) fen
	assert.Equal(t, []string{"合计 金额 amount", "184467440737095516.14"}, lines[8])
}

func TestEvalExplain(t *testing.T) {
	in := `{"id":"a","poverty_relieved":true,"monitored":false,"disaster_affected":"否","certificate_tier":"A类"}` + "\n"
	out, _, code := cli(t, in, "eval", "training-grant", "-", "--on", "2021-09-01", "--explain", "-q")
	assert.Equal(t, 0, code)
	var rec struct {
		Explanation rules.Explanation `json:"explanation"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rec))
	assert.Equal(t, "第七条", rec.Explanation.Clause)
	assert.Equal(t, "not-disaster-affected", rec.Explanation.Requirements[1].Code)
	assert.False(t, rec.Explanation.Requirements[1].Held)

	out, _, _ = cli(t, "", "eval", "training-grant", "testdata/training-zh.csv", "--on", "2021-09-30", "--explain", "-q")
	assert.Contains(t, out, "row,line,id,rule,pass,amount,reasons,notes,error,explanation\n")
	assert.Contains(t, out, "[不成立] disaster_affected —— not-disaster-affected：申请人未因灾受损")
}

// TestEvalExplainLoansInCSV explains in CSV each loan the loan rule could
// decide, as JSONL does, and none it could not.
func TestEvalExplainLoansInCSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "loans.csv")
	_, _, code := cli(t, "", "eval", "microloan-interest-subsidy", "../../examples/data/loans.csv", "--explain", "-o", out, "-q")
	assert.Equal(t, 1, code, "the sheet has loans that cannot be decided")
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "explanation", recs[0][9])
	explained := 0
	for _, rec := range recs[1:] {
		if rec[8] != "" {
			assert.Empty(t, rec[9], "loan %s could not be decided: nothing to explain", rec[2])
			continue
		}
		explained++
		assert.Contains(t, rec[9], "规则：脱贫人口和监测对象小额信贷利息贴息资格（microloan-interest-subsidy）", "loan %s", rec[2])
		assert.Contains(t, rec[9], "第十四条", "loan %s", rec[2])
	}
	assert.Equal(t, 15, explained, "every loan decided is explained")
}
