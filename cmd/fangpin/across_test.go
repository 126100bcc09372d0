package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// csvRecords reads CSV output as records keyed by column name.
func csvRecords(t *testing.T, out string) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	require.NoError(t, err)
	var recs []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		recs = append(recs, m)
	}
	return recs
}

// TestEvalRefusesASecondGrantAsBatchDoes: the same person (by ID card
// number) twice for the same tier in one sheet is paid once, exactly as
// subsidy.Batch decides the same claims, because both go through the
// policy's checks across records.
func TestEvalRefusesASecondGrantAsBatchDoes(t *testing.T) {
	out, errs, code := cli(t, "", "eval", "training-grant", "testdata/across-training.csv", "--on", "2021-09-30")
	require.Equal(t, 0, code, errs)
	golden(t, "across-training.csv", out)
	recs := csvRecords(t, out)
	require.Len(t, recs, 6)
	assert.Equal(t, "duplicate-training-grant", recs[2]["reasons"], "张伟's second B")
	assert.Equal(t, "0.00", recs[2]["amount"])
	assert.Equal(t, "1500.00", recs[3]["amount"], "a C is another grant")
	assert.Equal(t, "1800.00", recs[5]["amount"], "no ID card number: decided alone")
	assert.Contains(t, errs, "合计 培训补助金额 amount: 8900.00")

	c, err := subsidy.New()
	require.NoError(t, err)
	p := subsidy.Person{ID: "410000199001010011", PovertyRelieved: true, DisasterAffected: true}
	on := rules.MustDate("2021-09-30")
	outs, err := c.BatchSlice(context.Background(), []subsidy.Claim{
		{Training: &subsidy.TrainingApplication{Person: p, Tier: subsidy.TierB, AsOf: on}},
		{Training: &subsidy.TrainingApplication{Person: p, Tier: subsidy.TierB, AsOf: on}},
	})
	require.NoError(t, err)
	assert.Equal(t, recs[2]["amount"], outs[1].Decision.Amount.StringFixed(2), "the CLI and subsidy.Batch agree")
	assert.True(t, outs[1].Decision.HasReason(recs[2]["reasons"]))
}

// TestEvalCapsMonthsPerPerson: 4 + 4 months of 以工代训 for one person pay
// 1,200.00 in all, the second record cut to 2 months with a note.
func TestEvalCapsMonthsPerPerson(t *testing.T) {
	out, errs, code := cli(t, "", "eval", "work-training-subsidy", "testdata/across-months.csv", "--on", "2021-09-30")
	require.Equal(t, 0, code, errs)
	golden(t, "across-months.csv", out)
	recs := csvRecords(t, out)
	assert.Equal(t, "800.00", recs[0]["amount"])
	assert.Equal(t, "400.00", recs[1]["amount"])
	assert.Equal(t, "months-capped", recs[1]["notes"])
	assert.Equal(t, "work-training-months-exhausted", recs[2]["reasons"])
	assert.Equal(t, "1200.00", recs[3]["amount"], "another person, 7 months capped at 6 by the rule itself")
	assert.Contains(t, errs, "合计 以工代训补贴金额 amount: 2400.00", "800 + 400 for the first person, 1200 for the second")
}

// TestLoanListedTwiceIsFlagged: a loan id seen twice is refused the second
// time, by loan and by eval alike.
func TestLoanListedTwiceIsFlagged(t *testing.T) {
	out, _, code := cli(t, "", "loan", "testdata/across-loans.csv", "-q")
	require.Equal(t, 0, code)
	recs := csvRecords(t, out)
	assert.Equal(t, "true", recs[0]["pass"])
	assert.Equal(t, "false", recs[2]["pass"])
	assert.Equal(t, "duplicate-loan", recs[2]["reasons"])
	assert.Equal(t, "0.00", recs[2]["subsidy"])
	assert.Equal(t, "486.59", recs[2]["borrower_interest"])

	out, _, code = cli(t, "", "eval", "microloan-interest-subsidy", "testdata/across-loans.csv", "-q")
	require.Equal(t, 0, code)
	recs = csvRecords(t, out)
	assert.Equal(t, "duplicate-loan", recs[2]["reasons"])
}

// TestEvalJSONLIsTheLibraryShape: each JSONL record the tool writes is, byte
// for byte, what the library writes for the same decision.
func TestEvalJSONLIsTheLibraryShape(t *testing.T) {
	in := `{"id":"a","poverty_relieved":"是","monitored":"否","disaster_affected":"是","certificate_tier":"B类"}` + "\n" +
		`{"id":"b","poverty_relieved":"否","monitored":"否","disaster_affected":"是","certificate_tier":"A"}` + "\n" +
		`{"id":"c","poverty_relieved":"是","monitored":"否","disaster_affected":"是","certificate_tier":"D"}` + "\n"
	out, _, code := cli(t, in, "eval", "training-grant", "-", "--on", "2021-09-30", "-q")
	assert.Equal(t, 1, code, "one record cannot be decided")
	set, err := policies.Load()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 3)
	for i, l := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
		var fields map[string]string
		require.NoError(t, json.Unmarshal([]byte(l), &fields))
		input := rules.Input{}
		for k, v := range fields {
			if k != "id" {
				input[k] = rules.Text(v)
			}
		}
		res, err := set.Eval(context.Background(), "training-grant", input, rules.On(rules.MustDate("2021-09-30")))
		if err != nil {
			res = rules.Result{Rule: "training-grant"}
		}
		want := rules.AppendJSON(nil, res, err, rules.JSONOptions{Row: i + 1, Line: i + 1, ID: fields["id"]})
		assert.Equal(t, string(want), lines[i])
	}
	assert.Contains(t, lines[2], `"pass":null`)
	assert.Contains(t, lines[1], `"amount":"0.00"`, "zero money keeps its places")
}

// TestEvalWithLedger: September's sheet recorded, the same file again
// records nothing, and November's sheet refuses the person paid in
// September, naming September's file and line.
func TestEvalWithLedger(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "fangpin.db")
	sept := filepath.Join(dir, "2021-09.csv")
	require.NoError(t, os.WriteFile(sept, []byte("编号,身份证号,脱贫人口,监测对象,因灾受损,证书工种类别\n1,410000199001010011,是,否,是,B类\n2,410000199202020022,是,否,是,A类\n"), 0o644))
	_, errs, code := cli(t, "", "eval", "training-grant", sept, "--on", "2021-09-30", "--ledger", db, "--clerk", "张三")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "2 payments and 0 refusals recorded")

	out, errs, code := cli(t, "", "eval", "training-grant", sept, "--on", "2021-09-30", "--ledger", db)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "already recorded as batch 1 on 2021-09-30; nothing new recorded")
	for _, r := range csvRecords(t, out) {
		assert.Equal(t, "true", r["pass"], "the same file is decided as the first time")
	}

	nov := filepath.Join(dir, "2021-11.csv")
	require.NoError(t, os.WriteFile(nov, []byte("编号,身份证号,脱贫人口,监测对象,因灾受损,证书工种类别\n1,410000199303030033,是,否,是,C类\n2,410000199001010011,是,否,是,B\n"), 0o644))
	out, errs, code = cli(t, "", "eval", "training-grant", nov, "--on", "2021-11-30", "--ledger", db, "-o", filepath.Join(dir, "nov.jsonl"))
	require.Equal(t, 0, code, errs)
	assert.Empty(t, out)
	assert.Contains(t, errs, "1 payments and 1 refusals recorded")
	b, err := os.ReadFile(filepath.Join(dir, "nov.jsonl"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[1], `"code":"duplicate-training-grant"`)
	assert.Contains(t, lines[1], "已于 2021-09-30 在 "+sept+" 第 2 行")

	// A record that passes but names nobody cannot be recorded: that row is
	// an error, the others are recorded.
	dec := filepath.Join(dir, "2021-12.csv")
	require.NoError(t, os.WriteFile(dec, []byte("编号,身份证号,脱贫人口,监测对象,因灾受损,证书工种类别\n,,是,否,是,A\n2,410000199404040044,是,否,是,A\n"), 0o644))
	out, errs, code = cli(t, "", "eval", "training-grant", dec, "--on", "2021-12-10", "--ledger", db)
	assert.Equal(t, 1, code, errs)
	recs := csvRecords(t, out)
	assert.Contains(t, recs[0]["error"], "must name whom it pays")
	assert.Equal(t, "true", recs[1]["pass"])
	assert.Contains(t, errs, "1 payments and 0 refusals recorded")

	out, _, code = cli(t, "", "ledger", "refusals", "--ledger", db)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "duplicate-training-grant")

	// Loans are recorded period by period (loan_ledger_test.go): L1's 2
	// periods and L2's 5; L1 listed again is refused.
	_, errs, code = cli(t, "", "eval", "microloan-interest-subsidy", "testdata/across-loans.csv", "--ledger", db)
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "7 payments and 1 refusals recorded")
}
