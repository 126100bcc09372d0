package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// The county overlay caps return travel at 500.00: every claim above it
// is changed, and the totals fall by the sum of the cuts.
func TestDiffReturnTravelUnderTheCountyCap(t *testing.T) {
	out, errs, code := cli(t, "", "diff", "return-travel-reimbursement", "../../examples/data/return-travel-reimbursement.csv",
		"--policy", "../../examples/overlays/county.yaml", "--on", "2021-09-10")
	assert.Equal(t, 1, code, "the sheet has rows that cannot be decided under either policy")
	golden(t, "diff-return-travel.csv", out)
	golden(t, "diff-return-travel.stderr", sha256Text.ReplaceAllString(errs, "sha256 …"))
	assert.Contains(t, errs, "有变化 changed: 8\n")
	assert.Contains(t, errs, "合计 报销金额 amount 差额 difference: -3370.50\n")
}

// The county overlay subsidises the first 50,000.00 of a larger loan: the
// two loans over the cap become eligible, and the subsidy they get is what
// their borrowers no longer pay.
func TestDiffLoansUnderTheFirstPortion(t *testing.T) {
	out, errs, code := cli(t, "", "diff", "microloan-interest-subsidy", "../../examples/data/loans.csv",
		"--policy", "../../examples/overlays/county.yaml")
	assert.Equal(t, 1, code)
	golden(t, "diff-loans.csv", out)
	golden(t, "diff-loans.stderr", sha256Text.ReplaceAllString(errs, "sha256 …"))
	assert.Contains(t, errs, "合计 贴息金额 subsidy 差额 difference: 3903.45\n")
	assert.Contains(t, errs, "合计 借款人承担利息 borrower_interest 差额 difference: -3903.45\n")
}

// Each policy's decisions pass through its own checks across records: at
// most 6 months per person before, 8 after. The first person's second row
// is cut to the 2 months left before and paid its 4 after; the third row
// finds none left under either; the other person's 7 months are paid as
// 6 before and 7 after.
func TestDiffGoesThroughTheChecksAcrossRecords(t *testing.T) {
	out, errs, code := cli(t, "", "diff", "work-training-subsidy", "testdata/across-months.csv",
		"--policy", "testdata/months-overlay.yaml", "--on", "2021-10-01", "-o", "-")
	assert.Equal(t, 0, code, errs)
	golden(t, "diff-across-months.jsonl", out)
	assert.Contains(t, errs, "合计 以工代训补贴金额 amount 差额 difference: 600.00\n")
}

// --base decides the "before" side with overlays of its own: the same
// overlay on both sides changes nothing.
func TestDiffBaseOverlay(t *testing.T) {
	out, errs, code := cli(t, "", "diff", "return-travel-reimbursement", "../../examples/data/return-travel-reimbursement.csv",
		"--base", "../../examples/overlays/county.yaml", "--policy", "../../examples/overlays/county.yaml", "--on", "2021-09-10")
	assert.Equal(t, 1, code)
	assert.Equal(t, "row,line,id,rule,pass_before,pass_after,amount_before,amount_after,amount_difference,reasons_before,reasons_after,error_before,error_after\n", out)
	assert.Contains(t, errs, "有变化 changed: 0\n")
	assert.Contains(t, errs, "合计 报销金额 amount 改变前 before: 7009.00\n")
}

func TestDiffXLSXHasTheSummarySheet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "diff.xlsx")
	_, errs, code := cli(t, "", "diff", "return-travel-reimbursement", "../../examples/data/return-travel-reimbursement.csv",
		"--policy", "../../examples/overlays/county.yaml", "--on", "2021-09-10", "-o", path, "-q")
	assert.Equal(t, 1, code)
	assert.Empty(t, errs)
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("结果")
	require.NoError(t, err)
	require.Len(t, rows, 9, "the header and the 8 changed rows")
	assert.Equal(t, []string{"编号", "姓名", "村", "脱贫人口", "因灾返乡", "已返岗就业", "往返路费", "row", "line", "id"}, rows[0][:10])
	assert.Equal(t, "RT0009", rows[2][0])
	summary, err := f.GetRows("汇总")
	require.NoError(t, err)
	assert.Contains(t, summary, []string{"有变化 changed", "8"})
	assert.Contains(t, summary, []string{"合计 报销金额 amount 差额 difference", "-3,370.50"})
}

func TestDiffUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no overlay", []string{"diff", "fund-scale", "x.csv"}, "diff needs --policy OVERLAY"},
		{"one argument", []string{"diff", "fund-scale", "--policy", "testdata/months-overlay.yaml"}, "diff takes RULE and INPUT"},
		{"unknown rule", []string{"diff", "nosuch", "x.csv", "--policy", "testdata/months-overlay.yaml"}, `unknown rule "nosuch"`},
		{"invalid overlay", []string{"diff", "fund-scale", "x.csv", "--policy", "testdata/bad-overlay.yaml"}, "invalid policy file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := cli(t, "", tt.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, tt.want)
		})
	}
}
