package rules_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// acrossPolicy has a grant paid once per person and tier, and a monthly
// subsidy capped at limit months per person in all.
const acrossPolicy = `policy: {id: across, title: 跨记录}
inputs:
  ok: {type: bool, label: 符合}
  tier: {type: enum, label: 类别, values: [A, B], aliases: {A类: A, B类: B}}
  months: {type: int, label: 月数, min: "0"}
parameters:
  limit:
    type: int
    label: 月数上限
    values:
      - {from: "2020-01-01", value: "6", basis: 第二条}
      - {from: "2030-01-01", value: "3", basis: 第二条修订}
rules:
  grant:
    title: 补助
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [ok, tier]
    requirements:
      - {code: not-ok, when: ok, message: 不符合}
    outputs:
      amount: {label: 金额, expr: 'tier == "A" ? 2000 : 1800', round: {places: 2, mode: half-up}}
    across:
      amount: amount
      once: {per: [tier], code: duplicate-grant, message: 已领取过}
  monthly:
    title: 月补贴
    basis: {clause: 第二条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [ok, months]
    let:
      paid: min(months, limit)
    requirements:
      - {code: not-ok, when: ok, message: 不符合}
    outputs:
      months_paid: {label: 补贴月数, expr: paid, round: {places: 0, mode: down}}
      amount: {label: 金额, expr: 200 * paid, round: {places: 2, mode: half-up}}
    across:
      amount: amount
      cap:
        input: months
        counts: months_paid
        limit: limit
        code: months-exhausted
        message: 月数已达上限
        note: {code: months-capped, message: 按剩余月数补贴}
`

func grantIn(ok, tier string) rules.Input {
	return rules.Input{rules.AsOf: rules.Text("2021-09-01"), "ok": rules.Text(ok), "tier": rules.Text(tier)}
}

func monthsIn(months string) rules.Input {
	return rules.Input{rules.AsOf: rules.Text("2021-09-01"), "ok": rules.Text("是"), "months": rules.Text(months)}
}

// apply decides in and passes it through t.
func apply(t *testing.T, set *rules.Set, tl *rules.Tally, rule, subject string, line int, in rules.Input) (rules.Result, rules.Entry) {
	t.Helper()
	ctx := context.Background()
	res, err := set.Eval(ctx, rule, in)
	require.NoError(t, err)
	res, e, err := tl.Apply(ctx, subject, line, in, res)
	require.NoError(t, err)
	return res, e
}

func TestTallyOncePerSubjectAndKey(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	tl := set.NewTally("sept.csv", nil)

	res, e := apply(t, set, tl, "grant", "410101", 2, grantIn("是", "A"))
	assert.True(t, res.Pass)
	assert.Equal(t, "A", e.Key)
	assert.True(t, e.Once, "a ledger is to enforce it too")
	assertDecimal(t, "2000", e.Amount)

	// The same person and tier, written with the alias: refused.
	res, e = apply(t, set, tl, "grant", "410101", 5, grantIn("是", "A类"))
	assert.False(t, res.Pass)
	require.Len(t, res.Reasons, 1)
	assert.Equal(t, "duplicate-grant", res.Reasons[0].Code)
	assert.Equal(t, "第一条", res.Reasons[0].Clause)
	assert.Contains(t, res.Reasons[0].Message, "sept.csv 第 2 行")
	assertDecimal(t, "0", output(t, res, "amount"))
	assert.Equal(t, "duplicate-grant", e.Refusal)
	assert.False(t, e.Pass)
	require.NotNil(t, e.Prior)
	assert.Equal(t, 2, e.Prior.Line)
	assert.False(t, res.Explanation().Pass, "the explanation says it was refused")

	// Another tier, another person, and a record with no subject all pass.
	res, _ = apply(t, set, tl, "grant", "410101", 6, grantIn("是", "B"))
	assert.True(t, res.Pass)
	res, _ = apply(t, set, tl, "grant", "410102", 7, grantIn("是", "A"))
	assert.True(t, res.Pass)
	res, _ = apply(t, set, tl, "grant", "", 8, grantIn("是", "A"))
	assert.True(t, res.Pass)
	res, _ = apply(t, set, tl, "grant", "", 9, grantIn("是", "A"))
	assert.True(t, res.Pass, "records without a subject are decided alone")
}

// TestTallyKeepsEachRulesGrantsApart interleaves the records of two rules
// that each pay once per person and tier: a grant of one is no grant of
// the other, and each refuses its own second grant.
func TestTallyKeepsEachRulesGrantsApart(t *testing.T) {
	const twoGrants = `policy: {id: two, title: 两项}
inputs:
  ok: {type: bool, label: 符合}
  tier: {type: enum, label: 类别, values: [A, B]}
rules:
  first:
    title: 一
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [ok, tier]
    requirements:
      - {code: not-ok, when: ok, message: 不符合}
    outputs:
      amount: {label: 金额, expr: "100", round: {places: 2, mode: half-up}}
    across:
      once: {per: [tier], code: duplicate-first, message: 已领取过}
  second:
    title: 二
    basis: {clause: 第二条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [ok, tier]
    requirements:
      - {code: not-ok, when: ok, message: 不符合}
    outputs:
      amount: {label: 金额, expr: "200", round: {places: 2, mode: half-up}}
    across:
      once: {per: [tier], code: duplicate-second, message: 已领取过}
`
	set := mustCompile(t, twoGrants)
	tl := set.NewTally("mixed.csv", nil)
	steps := []struct {
		rule   string
		line   int
		refuse string
	}{
		{"first", 2, ""}, {"second", 3, ""}, {"second", 4, "duplicate-second"},
		{"first", 5, "duplicate-first"}, {"second", 6, "duplicate-second"},
	}
	for _, s := range steps {
		res, e := apply(t, set, tl, s.rule, "410101", s.line, grantIn("是", "A"))
		assert.Equal(t, s.refuse == "", res.Pass, "%s at line %d", s.rule, s.line)
		assert.Equal(t, s.refuse, e.Refusal, "%s at line %d", s.rule, s.line)
	}
	_, e := apply(t, set, tl, "first", "410101", 7, grantIn("是", "A"))
	require.NotNil(t, e.Prior)
	assert.Equal(t, 2, e.Prior.Line, "first's own grant")
	_, e = apply(t, set, tl, "second", "410101", 8, grantIn("是", "A"))
	require.NotNil(t, e.Prior)
	assert.Equal(t, 3, e.Prior.Line, "second's own grant")
}

func TestTallyRefusalDoesNotCount(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	tl := set.NewTally("a.csv", nil)
	res, _ := apply(t, set, tl, "grant", "p", 2, grantIn("否", "A"))
	assert.False(t, res.Pass)
	assert.Equal(t, "not-ok", res.Reasons[0].Code)
	res, _ = apply(t, set, tl, "grant", "p", 3, grantIn("是", "A"))
	assert.True(t, res.Pass, "a refused grant was not paid, so the next one is the first")
}

func TestTallyCapsMonthsPerSubject(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	tl := set.NewTally("roster.csv", nil)

	res, e := apply(t, set, tl, "monthly", "p", 2, monthsIn("4"))
	assert.True(t, res.Pass)
	assert.Equal(t, int64(4), e.Quantity)
	assert.Equal(t, int64(6), e.Cap)
	assertDecimal(t, "800", e.Amount)
	assert.Empty(t, res.Notes)

	res, e = apply(t, set, tl, "monthly", "p", 3, monthsIn("4"))
	assert.True(t, res.Pass)
	assertDecimal(t, "400", output(t, res, "amount"))
	assertDecimal(t, "2", output(t, res, "months_paid"))
	assert.Equal(t, int64(2), e.Quantity)
	require.Len(t, res.Notes, 1)
	assert.Equal(t, "months-capped", res.Notes[0].Code)
	assert.Contains(t, res.Notes[0].Message, "申报 4，此前已计 4，上限 6，本次按 2 计")

	res, e = apply(t, set, tl, "monthly", "p", 4, monthsIn("1"))
	assert.False(t, res.Pass)
	assert.Equal(t, "months-exhausted", res.Reasons[0].Code)
	assert.Equal(t, "months-exhausted", e.Refusal)
	assertDecimal(t, "0", output(t, res, "amount"))

	res, e = apply(t, set, tl, "monthly", "q", 5, monthsIn("9"))
	assert.True(t, res.Pass)
	assert.Equal(t, int64(6), e.Quantity, "one record is capped by the rule itself, with no note")
	assert.Empty(t, res.Notes)
}

func TestTallyCapFollowsTheLimitOnTheDay(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	tl := set.NewTally("roster.csv", nil)
	in := monthsIn("2")
	in[rules.AsOf] = rules.Text("2030-02-01")
	apply(t, set, tl, "monthly", "p", 2, in)
	res, e := apply(t, set, tl, "monthly", "p", 3, in)
	assert.True(t, res.Pass)
	assert.Equal(t, int64(1), e.Quantity, "the limit is 3 from 2030")
	assert.Equal(t, int64(3), e.Cap)
}

// history is a ledger in memory.
type history struct {
	granted map[string]rules.Prior
	used    map[string]int64
	err     error
}

func (h history) Granted(_ context.Context, rule, subject, key string) (rules.Prior, bool, error) {
	p, ok := h.granted[rule+"/"+subject+"/"+key]
	return p, ok, h.err
}

func (h history) Used(_ context.Context, rule, subject string) (int64, error) {
	return h.used[rule+"/"+subject], h.err
}

func TestTallyAsksHistory(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	h := history{
		granted: map[string]rules.Prior{"grant/p/B": {Source: "sept.csv", Line: 17, Paid: rules.MustDate("2021-09-30")}},
		used:    map[string]int64{"monthly/p": 5},
	}
	tl := set.NewTally("nov.csv", h)
	res, e := apply(t, set, tl, "grant", "p", 3, grantIn("是", "B类"))
	assert.False(t, res.Pass)
	assert.Contains(t, res.Reasons[0].Message, "已于 2021-09-30 在 sept.csv 第 17 行")
	assert.Equal(t, "sept.csv", e.Prior.Source)

	res, e = apply(t, set, tl, "monthly", "p", 4, monthsIn("4"))
	assert.True(t, res.Pass)
	assert.Equal(t, int64(1), e.Quantity, "5 months were paid in earlier batches")
	res, _ = apply(t, set, tl, "monthly", "p", 5, monthsIn("1"))
	assert.False(t, res.Pass)

	broken := set.NewTally("nov.csv", history{err: errors.New("ledger unreachable")})
	in := grantIn("是", "A")
	r, err := set.Eval(context.Background(), "grant", in)
	require.NoError(t, err)
	_, _, err = broken.Apply(context.Background(), "p", 2, in, r)
	assert.ErrorContains(t, err, "ledger unreachable", "a ledger that cannot answer stops the batch")
}

// TestRuleInfoSaysWhichRulesCheckAcrossRecords: both rules of the policy
// declare checks across records; with the section taken out, one does not.
func TestRuleInfoSaysWhichRulesCheckAcrossRecords(t *testing.T) {
	set, err := compile(t, acrossPolicy)
	require.NoError(t, err)
	for _, id := range []string{"grant", "monthly"} {
		info, ok := set.Rule(id)
		require.True(t, ok)
		assert.True(t, info.Across, id)
	}
	set, err = compile(t, replaceOnce(t, acrossPolicy, `    across:
      amount: amount
      once: {per: [tier], code: duplicate-grant, message: 已领取过}
`, ""))
	require.NoError(t, err)
	info, ok := set.Rule("grant")
	require.True(t, ok)
	assert.False(t, info.Across)
}

func TestAcrossSectionIsChecked(t *testing.T) {
	bad := []struct{ name, from, to, code string }{
		{"unknown output", "amount: amount\n      once:", "amount: amuont\n      once:", "unknown-output"},
		{"unknown input", "once: {per: [tier]", "once: {per: [teir]", "unknown-input"},
		{"unknown parameter", "limit: limit\n", "limit: limt\n", "unknown-param"},
		{"cap input not int", "input: months", "input: ok", "bad-type"},
		{"bad code", "code: duplicate-grant", "code: Duplicate_Grant", "bad-name"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			src := replaceOnce(t, acrossPolicy, tt.from, tt.to)
			_, err := compile(t, src)
			var ds rules.Diagnostics
			require.ErrorAs(t, err, &ds)
			assert.Equal(t, tt.code, ds[0].Code, "%v", err)
			assert.NotZero(t, ds[0].Pos.Line)
		})
	}
}

func TestTallyOnceWithinBatchDoesNotAskHistory(t *testing.T) {
	src := replaceOnce(t, acrossPolicy, "once: {per: [tier],", "once: {per: [tier], within: batch,")
	set := mustCompile(t, src)
	h := history{granted: map[string]rules.Prior{"grant/p/A": {Source: "sept.csv", Line: 2}}}
	tl := set.NewTally("nov.csv", h)
	res, e := apply(t, set, tl, "grant", "p", 2, grantIn("是", "A"))
	assert.True(t, res.Pass, "an earlier batch is not asked")
	assert.False(t, e.Once, "nor does a ledger enforce it")
	res, _ = apply(t, set, tl, "grant", "p", 3, grantIn("是", "A"))
	assert.False(t, res.Pass, "the same batch still is")

	_, err := compile(t, replaceOnce(t, acrossPolicy, "once: {per: [tier],", "once: {per: [tier], within: ever,"))
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "bad-value", ds[0].Code)
}

// TestResultClause: a decided result names its rule's clause without its
// explanation being built; a zero Result names none.
func TestResultClause(t *testing.T) {
	set, err := compile(t, acrossPolicy)
	require.NoError(t, err)
	res, err := set.Eval(context.Background(), "monthly", monthsIn("3"))
	require.NoError(t, err)
	assert.Equal(t, "第二条", res.Clause())
	assert.Equal(t, "", rules.Result{}.Clause())
}
