package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const loanHeader = "编号,脱贫人口,监测对象,贷款金额,年利率,放款日期,到期日期,还清日期\n"

// writeSheet writes a loan sheet into dir and returns its path.
func writeSheet(t *testing.T, dir, name, rows string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(loanHeader+rows), 0o644))
	return p
}

// TestLoanWithLedger: September's sheet, as of its settlement day, pays
// each loan's first period; December's lists L1 again: the period paid in
// September is not payable, naming September's file and line, the
// December quarter's is. The same file again records nothing.
func TestLoanWithLedger(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "fangpin.db")
	sept := writeSheet(t, dir, "2021-09.csv",
		"L1,是,否,50000.00,0.0385,2021-09-01,2022-09-01,\n"+
			"L2,否,是,30000.00,0.0385,2021-08-20,2022-08-20,\n")
	out, errs, code := cli(t, "", "loan", sept, "--on", "2021-09-21", "--ledger", db, "--clerk", "张三")
	require.Equal(t, 0, code, errs)
	recs := csvRecords(t, out)
	require.Len(t, recs, 2)
	assert.Equal(t, "106.94", recs[0]["subsidy_payable"])
	assert.Equal(t, "102.67", recs[1]["subsidy_payable"], "30,000.00 for 32 days")
	assert.Contains(t, errs, "合计 本批应付贴息 subsidy_payable: 209.61")
	assert.Contains(t, errs, "batch 1: 2 payments and 0 refusals recorded")
	assert.Contains(t, errs, "interest up to 2021-09-21 (not counted)")

	dec := writeSheet(t, dir, "2021-12.csv",
		"L3,是,否,20000.00,0.0385,2021-11-01,2022-11-01,\n"+
			"L1,是,否,50000.00,0.0385,2021-09-01,2022-09-01,\n")
	jsonl := filepath.Join(dir, "dec.jsonl")
	_, errs, code = cli(t, "", "loan", dec, "--on", "2021-12-21", "--ledger", db, "-o", jsonl)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "batch 2: 2 payments and 1 refusals recorded", "L3's period and L1's second; L1's first refused")
	b, err := os.ReadFile(jsonl)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2)
	var l1 struct {
		Pass           bool   `json:"pass"`
		Subsidy        string `json:"subsidy"`
		SubsidyPayable string `json:"subsidy_payable"`
		Periods        []struct {
			From       string `json:"from"`
			PaidBefore *struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"paid_before"`
		} `json:"periods"`
		Notes []struct{ Code, Message string } `json:"notes"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &l1))
	assert.True(t, l1.Pass)
	assert.Equal(t, "593.54", l1.Subsidy, "the loan's subsidy is unchanged")
	assert.Equal(t, "486.60", l1.SubsidyPayable, "only the December quarter")
	require.Len(t, l1.Periods, 2)
	require.NotNil(t, l1.Periods[0].PaidBefore)
	assert.Equal(t, sept, l1.Periods[0].PaidBefore.File)
	assert.Equal(t, 2, l1.Periods[0].PaidBefore.Line)
	assert.Nil(t, l1.Periods[1].PaidBefore)
	require.NotEmpty(t, l1.Notes)
	last := l1.Notes[len(l1.Notes)-1]
	assert.Equal(t, "periods-already-subsidised", last.Code)
	assert.Contains(t, last.Message, "在 "+sept+" 第 2 行发放")

	// December's file again: nothing new, decided as the first time.
	out, errs, code = cli(t, "", "loan", dec, "--on", "2021-12-21", "--ledger", db)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "already recorded as batch 2")
	recs = csvRecords(t, out)
	assert.Equal(t, "486.60", recs[1]["subsidy_payable"])

	// eval's loan rule records through the same path: a sheet listing L1
	// whole (to its maturity) finds the two quarters paid.
	whole := writeSheet(t, dir, "whole.csv", "L1,是,否,50000.00,0.0385,2021-09-01,2022-09-01,\n")
	out, errs, code = cli(t, "", "eval", "microloan-interest-subsidy", whole, "--ledger", db)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "3 payments and 2 refusals recorded", "the 3 later periods; the 2 paid ones refused")
	recs = csvRecords(t, out)
	assert.Equal(t, "true", recs[0]["pass"])
	assert.Equal(t, "50000.00", recs[0]["subsidised_principal"], "the rule's outputs, as without a ledger")
	assert.Equal(t, "periods-already-subsidised", recs[0]["notes"])

	out, _, code = cli(t, "", "ledger", "payments", "--ledger", db, "--subject", "L1")
	require.Equal(t, 0, code)
	assert.Equal(t, 6, strings.Count(out, "\n"), "a header and 5 periods, each paid once:\n%s", out)
	assert.Contains(t, out, "microloan-interest-subsidy,L1,2021-09-01..2021-09-21,0,106.94,2021-09-21,1,2,true")
}

// A mid-quarter statement: the period cut at the as-of day is not paid
// until it is settled, so December pays it whole and no day twice.
func TestLoanWithLedgerHoldsBackAnOpenPeriod(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "fangpin.db")
	oct := writeSheet(t, dir, "2021-10.csv", "L1,是,否,50000.00,0.0385,2021-09-01,2022-09-01,\n")
	out, errs, code := cli(t, "", "loan", oct, "--on", "2021-10-15", "--ledger", db)
	require.Equal(t, 0, code, errs)
	recs := csvRecords(t, out)
	assert.Equal(t, "106.94", recs[0]["subsidy_payable"], "September's period only")
	assert.Equal(t, "period-not-settled", recs[0]["notes"])
	assert.Contains(t, errs, "1 payments and 0 refusals recorded")

	// The same bytes as of another day would be taken for October's
	// batch: refused, nothing recorded.
	_, errs, code = cli(t, "", "loan", oct, "--on", "2021-12-21", "--ledger", db)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "was recorded as batch 1 as of 2021-10-15")

	dec := writeSheet(t, dir, "2021-12.csv", "L1,是,否,50000.00,0.0385,2021-09-01,2022-09-01,\n"+
		"L2,是,否,10000.00,0.0385,2021-10-01,2022-10-01,\n")
	out, errs, code = cli(t, "", "loan", dec, "--on", "2021-12-21", "--ledger", db)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "486.60", csvRecords(t, out)[0]["subsidy_payable"], "the whole quarter from 09-21")
	assert.Contains(t, errs, "2 payments and 1 refusals recorded")
}

// TestLoanWithLedgerXLSX: the sheet written with a ledger has the column
// subsidy_payable after subsidy.
func TestLoanWithLedgerXLSX(t *testing.T) {
	dir := t.TempDir()
	in := writeSheet(t, dir, "loans.csv", "L1,是,否,50000.00,0.0385,2021-09-01,2022-09-01,2021-12-01\n")
	xlsx := filepath.Join(dir, "out.xlsx")
	_, errs, code := cli(t, "", "loan", in, "--ledger", filepath.Join(dir, "fangpin.db"), "-o", xlsx)
	require.Equal(t, 0, code, errs)
	r, err := table.Open(xlsx, nil, table.ReadOptions{})
	require.NoError(t, err)
	defer r.Close()
	h := r.Header()
	require.GreaterOrEqual(t, len(h), 9)
	assert.Equal(t, []string{"subsidy", "subsidy_payable", "borrower_interest"}, h[6:9])
	_, cells, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, "486.59", cells[7], "the whole loan, nothing paid before")
}

func TestLoanWithLedgerErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "fangpin.db")
	// A loan that passes with no id cannot be recorded: its row is an
	// error, the others are recorded.
	noID := writeSheet(t, dir, "noid.csv",
		",是,否,50000.00,0.0385,2021-09-01,2022-09-01,2021-12-01\n"+
			"L9,是,否,50000.00,0.0385,2021-09-01,2022-09-01,2021-12-01\n")
	out, errs, code := cli(t, "", "loan", noID, "--ledger", db)
	assert.Equal(t, 1, code, errs)
	recs := csvRecords(t, out)
	assert.Contains(t, recs[0]["error"], "must name whom it pays")
	assert.Equal(t, "486.59", recs[1]["subsidy_payable"])
	assert.Contains(t, errs, "2 payments and 0 refusals recorded")

	stdin := `{"id":"L1","poverty_relieved":"是","monitored":"否","principal":"50000.00","annual_rate":"0.0385","start":"2021-09-01","maturity":"2022-09-01"}` + "\n"
	_, errs, code = cli(t, stdin, "loan", "-", "--ledger", db)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--ledger needs the input as a file")

	_, errs, code = cli(t, "", "loan", noID, "--on", "2021-13-01")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--on")
}
