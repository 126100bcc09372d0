package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRepeatedRowsDecideAsAlone runs a sheet whose few combinations of
// answers repeat on every row, some with a 判定日期 of their own (before the
// policy, after it, in two spellings) and some that cannot be read, so the
// run takes most rows' decisions from the ones it keeps. Every record, in
// JSONL and in CSV, explained or not, is what the library gives for that
// row decided alone.
func TestRepeatedRowsDecideAsAlone(t *testing.T) {
	yn := []string{"是", "否", "也许"}
	tiers := []string{"A类", "B", "C类", "D"}
	days := []string{"", "2021-08-18", "2021-09-30", "2021/9/30"}
	var sheet strings.Builder
	sheet.WriteString("脱贫人口,监测对象,因灾受损,证书工种类别,判定日期\n")
	var rows [][]string
	for i := range 3000 {
		row := []string{yn[i%2], yn[i/2%3], yn[i/5%2], tiers[i/3%4], days[i/7%4]}
		rows = append(rows, row)
		sheet.WriteString(strings.Join(row, ",") + "\n")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "repeats.csv")
	require.NoError(t, os.WriteFile(in, []byte(sheet.String()), 0o600))

	set, err := policies.Load()
	require.NoError(t, err)
	info, ok := set.Rule("training-grant")
	require.True(t, ok)
	var want, wantExplained, wantCSV, wantText []string
	for i, row := range rows {
		input := rules.Input{rules.AsOf: rules.Text(row[4])}
		for j, h := range []string{"脱贫人口", "监测对象", "因灾受损", "证书工种类别"} {
			name, ok := info.Field(h)
			require.True(t, ok, h)
			input[name] = rules.Text(row[j])
		}
		res, err := set.Eval(context.Background(), "training-grant", input, rules.On(rules.MustDate("2021-09-30")))
		d := decision{rec: record{row: i + 1, line: i + 2}, res: res, err: err}
		d.format(info)
		want = append(want, string(d.appendJSON(nil, info, false)))
		wantExplained = append(wantExplained, string(d.appendJSON(nil, info, true)))
		cells := make([]string, 0, 9)
		cells = append(cells, fmt.Sprint(i+1), fmt.Sprint(i+2), "", "training-grant")
		switch {
		case err != nil:
			cells = append(cells, "", "", "", "", `"`+strings.ReplaceAll(rules.ProblemOf(err).Message, `"`, `""`)+`"`)
		default:
			var codes []string
			for _, r := range res.Reasons {
				codes = append(codes, r.Code)
			}
			cells = append(cells, fmt.Sprint(res.Pass), d.outputs[0], strings.Join(codes, ";"), "", "")
		}
		wantCSV = append(wantCSV, strings.Join(cells, ","))
		text := ""
		if err == nil {
			text = explanationCell(res.Explanation()).List[0]
		}
		wantText = append(wantText, text)
	}

	out, _, code := cli(t, "", "eval", "training-grant", in, "--on", "2021-09-30", "-o", "-", "-q")
	assert.Equal(t, 1, code, "rows that cannot be read are errors")
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, got, len(rows))
	passed, errored := 0, 0
	for i := range got {
		require.Equal(t, want[i], got[i], "record %d", i+1)
		passed += strings.Count(got[i], `"pass":true`)
		errored += strings.Count(got[i], `"error":{`)
	}
	assert.Positive(t, passed, "the sheet has passing rows")
	assert.Positive(t, errored, "the sheet has rows that cannot be read")

	out, _, _ = cli(t, "", "eval", "training-grant", in, "--on", "2021-09-30", "-o", "-", "-q", "--explain")
	got = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, got, len(rows))
	for i := range got {
		require.Equal(t, wantExplained[i], got[i], "record %d, explained", i+1)
	}

	csvOut := filepath.Join(dir, "out.csv")
	_, _, code = cli(t, "", "eval", "training-grant", in, "--on", "2021-09-30", "-o", csvOut, "-q")
	assert.Equal(t, 1, code)
	b, err := os.ReadFile(csvOut)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(string(b), "\ufeff"), "\n"), "\n")
	require.Len(t, lines, len(rows)+1)
	for i, l := range lines[1:] {
		require.Equal(t, wantCSV[i], l, "CSV record %d", i+1)
	}

	// With --explain, each CSV record ends in its own decision's text.
	_, _, code = cli(t, "", "eval", "training-grant", in, "--on", "2021-09-30", "-o", csvOut, "-q", "--explain")
	assert.Equal(t, 1, code)
	f, err := os.Open(csvOut)
	require.NoError(t, err)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, len(rows)+1)
	for i, rec := range records[1:] {
		var first strings.Builder // the record's columns before the explanation, as written
		cw := csv.NewWriter(&first)
		require.NoError(t, cw.Write(rec[:9]))
		cw.Flush()
		require.Equal(t, wantCSV[i], strings.TrimSuffix(first.String(), "\n"), "CSV record %d, explained", i+1)
		require.Equal(t, wantText[i], rec[9], "CSV record %d's explanation", i+1)
	}
}

// TestRepeatedPeopleRefusedAsTheLibraryRefuses runs a sheet of a few
// people, each on many rows with the same few answers, so that most rows
// take a kept decision and the check across records refuses each person's
// second grant of a tier. Every CSV record is the library's: each row
// decided alone, then passed through a rules.Tally in input order.
func TestRepeatedPeopleRefusedAsTheLibraryRefuses(t *testing.T) {
	yn := []string{"是", "否"}
	tiers := []string{"A类", "B", "C类"}
	var sheet strings.Builder
	sheet.WriteString("身份证号,脱贫人口,监测对象,因灾受损,证书工种类别\n")
	var rows [][]string
	for i := range 2000 {
		row := []string{fmt.Sprintf("41010219900101%04d", i%7), yn[i/7%2], "否", "是", tiers[i/3%3]}
		rows = append(rows, row)
		sheet.WriteString(strings.Join(row, ",") + "\n")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "people.csv")
	require.NoError(t, os.WriteFile(in, []byte(sheet.String()), 0o600))

	set, err := policies.Load()
	require.NoError(t, err)
	info, ok := set.Rule("training-grant")
	require.True(t, ok)
	tally := set.NewTally(in, nil)
	ctx, on := context.Background(), rules.On(rules.MustDate("2021-09-30"))
	var want []string
	refused := 0
	for i, row := range rows {
		input := rules.Input{}
		for j, h := range []string{"脱贫人口", "监测对象", "因灾受损", "证书工种类别"} {
			name, ok := info.Field(h)
			require.True(t, ok, h)
			input[name] = rules.Text(row[j+1])
		}
		res, err := set.Eval(ctx, "training-grant", input, on)
		require.NoError(t, err)
		res, e, err := tally.Apply(ctx, row[0], i+2, input, res, on)
		require.NoError(t, err)
		if e.Refusal != "" {
			refused++
		}
		var codes []string
		for _, r := range res.Reasons {
			codes = append(codes, r.Code)
		}
		amount, _ := res.Output("amount")
		want = append(want, strings.Join([]string{fmt.Sprint(i + 1), fmt.Sprint(i + 2), row[0], "training-grant",
			fmt.Sprint(res.Pass), amount.StringFixed(2), strings.Join(codes, ";"), "", ""}, ","))
	}
	require.Positive(t, refused, "the sheet has second grants to refuse")

	out := filepath.Join(dir, "out.csv")
	_, _, code := cli(t, "", "eval", "training-grant", in, "--on", "2021-09-30", "-o", out, "-q")
	require.Equal(t, 0, code)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(string(b), "\ufeff"), "\n"), "\n")
	require.Len(t, lines, len(rows)+1)
	for i, l := range lines[1:] {
		require.Equal(t, want[i], l, "CSV record %d", i+1)
	}
}

// TestRepeatedRowsWithNobodyAreErrorsInTheLedger records a sheet whose
// identical rows name nobody: with a ledger, each passing one is an error
// of its own row (it would pay no one), although all but the first take a
// kept decision that passed.
func TestRepeatedRowsWithNobodyAreErrorsInTheLedger(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "nobody.csv")
	sheet := "编号,身份证号,脱贫人口,监测对象,因灾受损,证书工种类别\n" + strings.Repeat(",,是,否,是,B类\n", 5)
	require.NoError(t, os.WriteFile(in, []byte(sheet), 0o600))
	out := filepath.Join(dir, "out.csv")
	_, stderr, code := cli(t, "", "eval", "training-grant", in, "--on", "2021-09-30", "-o", out, "--ledger", filepath.Join(dir, "l.db"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "无法判定 errors: 5")
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 6)
	for _, rec := range recs[1:] {
		assert.Equal(t, []string{"", ""}, rec[4:6], "row %s: neither pass nor amount", rec[0])
		assert.Contains(t, rec[8], "must name whom it pays", "row %s", rec[0])
	}
}

// TestDecisionsByValuesAsAlone runs the labour-share rule, which has no
// checks across records, over a sheet with no as-of column: the tool
// decides it on its cells with no input map. Amounts repeat on some rows
// and not on others, and some cannot be read; every record is what the
// library gives for that row alone. With a 判定日期 column, the rows go
// through the input map, and still decide as alone.
func TestDecisionsByValuesAsAlone(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	for _, withDay := range []bool{false, true} {
		var sheet strings.Builder
		sheet.WriteString("编号,项目财政资金,劳务报酬发放金额")
		if withDay {
			sheet.WriteString(",判定日期")
		}
		sheet.WriteString("\n")
		var want []string
		for i := range 2000 {
			fiscal := fmt.Sprintf("%d.%02d", 1000+i%50*37, i%100)
			if i%3 == 0 {
				fiscal = fmt.Sprintf("%d.%02d", 100000+i*13, i%7)
			}
			labour := fmt.Sprintf("%d", 100+i%70*3)
			if i%97 == 0 {
				labour = "一百"
			}
			in := rules.Input{"fiscal_funds": rules.Text(fiscal), "labour_remuneration": rules.Text(labour)}
			row := fmt.Sprintf("WR%d,%s,%s", i, fiscal, labour)
			if withDay {
				day := []string{"2021-09-30", "2021-08-01", ""}[i%3]
				row += "," + day
				in[rules.AsOf] = rules.Text(day)
			}
			sheet.WriteString(row + "\n")
			res, err := set.Eval(context.Background(), "work-relief-labour-share", in, rules.On(rules.MustDate("2021-09-30")))
			info, _ := set.Rule("work-relief-labour-share")
			d := decision{rec: record{row: i + 1, line: i + 2, id: fmt.Sprintf("WR%d", i)}, res: res, err: err}
			want = append(want, string(d.appendJSON(nil, info, false)))
		}
		p := filepath.Join(t.TempDir(), "labour.csv")
		require.NoError(t, os.WriteFile(p, []byte(sheet.String()), 0o600))
		out, _, code := cli(t, "", "eval", "work-relief-labour-share", p, "--on", "2021-09-30", "-o", "-", "-q")
		assert.Equal(t, 1, code, "rows that cannot be read are errors")
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.Len(t, got, len(want))
		for i := range got {
			require.Equal(t, want[i], got[i], "with 判定日期 %v: record %d", withDay, i+1)
		}
	}
}
