package loan_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// history is a payment ledger in memory: the priors of rule, loan and
// period key.
type history struct {
	paid  map[string]rules.Prior
	asked []string // every key asked, "loan/key"
	err   error
}

func (h *history) Granted(_ context.Context, rule, subject, key string) (rules.Prior, bool, error) {
	h.asked = append(h.asked, subject+"/"+key)
	if h.err != nil {
		return rules.Prior{}, false, h.err
	}
	p, ok := h.paid[rule+"|"+subject+"|"+key]
	return p, ok, nil
}

func (h *history) Used(context.Context, string, string) (int64, error) { return 0, nil }

// september is a history where September's sheet paid loan L's first
// period.
func september() *history {
	return &history{paid: map[string]rules.Prior{
		loan.Rule + "|L|2021-09-01..2021-09-21": {Source: "2021-09 贴息.csv", Line: 2, Paid: day("2021-09-30"), ID: 7},
	}}
}

// running is loan L not yet repaid: 50,000.00 at 3.85% from 2021-09-01.
func running() loan.Loan {
	l := base()
	l.Repayments = nil
	return l
}

func TestPeriodKey(t *testing.T) {
	p := loan.Period{From: day("2021-09-01"), To: day("2021-09-21")}
	assert.Equal(t, "2021-09-01..2021-09-21", p.Key(), "To stays exclusive")
}

func TestUnpaid(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		asOf      string // "" for the whole loan
		loan      func() loan.Loan
		hist      *history
		payable   string
		paid      []string // keys of PaidBefore
		notes     []string // codes of the notes Unpaid added
		wantAsked []string
	}{
		{name: "December: September's period paid, the next one payable", asOf: "2021-12-21", loan: running, hist: september(),
			payable: "486.60", paid: []string{"2021-09-01..2021-09-21"}, notes: []string{loan.NotePeriodsPaid},
			wantAsked: []string{"L/2021-09-01..2021-09-21", "L/2021-09-21..2021-12-21"}},
		{name: "September on its settlement day: the whole period payable", asOf: "2021-09-21", loan: running, hist: &history{},
			payable: "106.94", wantAsked: []string{"L/2021-09-01..2021-09-21"}},
		{name: "mid-quarter: the period cut at the as-of day is not settled", asOf: "2021-10-15", loan: running, hist: &history{},
			payable: "106.94", notes: []string{loan.NotePeriodOpen},
			wantAsked: []string{"L/2021-09-01..2021-09-21", "L/2021-09-21..2021-10-15"}},
		{name: "repaid before the as-of day: every period settled", asOf: "2021-12-15", loan: base, hist: september(),
			payable: "379.65", paid: []string{"2021-09-01..2021-09-21"}, notes: []string{loan.NotePeriodsPaid},
			wantAsked: []string{"L/2021-09-01..2021-09-21", "L/2021-09-21..2021-12-01"}},
		{name: "whole loan, nothing paid before", loan: base, hist: &history{}, payable: "486.59",
			wantAsked: []string{"L/2021-09-01..2021-09-21", "L/2021-09-21..2021-12-01"}},
		{name: "not granted: nothing to ask, nothing payable", loan: func() loan.Loan { l := base(); l.PovertyRelieved = false; return l },
			hist: september(), payable: "0.00"},
		{name: "no loan id: nothing can be looked up", loan: func() loan.Loan { l := base(); l.ID = ""; return l },
			hist: september(), payable: "486.59"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calc(t)
			var dec loan.Decision
			var err error
			if tt.asOf == "" {
				dec, err = c.Subsidy(ctx, tt.loan())
			} else {
				dec, err = c.SubsidyAsOf(ctx, tt.loan(), day(tt.asOf))
			}
			require.NoError(t, err)
			notes := len(dec.Notes)
			got, err := c.Unpaid(ctx, tt.hist, dec)
			require.NoError(t, err)
			assert.True(t, got.Checked)
			assertDecimal(t, tt.payable, got.Payable, "Payable")
			assert.Equal(t, tt.payable, got.Payable.StringFixed(2))
			var paid []string
			for _, p := range got.PaidBefore {
				paid = append(paid, loan.Period{From: p.From, To: p.To}.Key())
			}
			assert.Equal(t, tt.paid, paid, "PaidBefore")
			var codes []string
			for _, n := range got.Notes[notes:] {
				codes = append(codes, n.Code)
			}
			assert.Equal(t, tt.notes, codes, "notes added")
			assert.Equal(t, tt.wantAsked, tt.hist.asked, "periods asked")
			assert.Len(t, dec.Notes, notes, "the decision given is not changed")
			assert.True(t, dec.Schedule.Covered.Equal(got.Schedule.Covered), "the loan's subsidy stays %s, got %s", dec.Schedule.Covered, got.Schedule.Covered)
			assert.True(t, dec.Schedule.Borrower.Equal(got.Schedule.Borrower), "the borrower's share stays")
		})
	}
}

func TestUnpaidNamesTheEarlierBatch(t *testing.T) {
	ctx := context.Background()
	c := calc(t)
	dec, err := c.SubsidyAsOf(ctx, running(), day("2021-12-21"))
	require.NoError(t, err)
	got, err := c.Unpaid(ctx, september(), dec)
	require.NoError(t, err)
	require.Len(t, got.PaidBefore, 1)
	assert.Equal(t, rules.Prior{Source: "2021-09 贴息.csv", Line: 2, Paid: day("2021-09-30"), ID: 7}, got.PaidBefore[0].Prior)
	note := got.Notes[len(got.Notes)-1]
	assert.Equal(t, loan.NotePeriodsPaid, note.Code)
	assert.Equal(t, "以下结息期已贴息，本批不再支付：2021-09-01 至 2021-09-20 贴息 106.94 元，已于 2021-09-30 在 2021-09 贴息.csv 第 2 行发放", note.Message)
}

func TestUnpaidHistoryError(t *testing.T) {
	ctx := context.Background()
	c := calc(t)
	dec, err := c.Subsidy(ctx, base())
	require.NoError(t, err)
	broken := errors.New("database is locked")
	_, err = c.Unpaid(ctx, &history{err: broken}, dec)
	require.ErrorIs(t, err, broken)
	assert.Contains(t, err.Error(), "loan L: period 2021-09-01..2021-09-21")
}

// TestCheckedDecisionJSON: a checked decision writes subsidy_payable after
// subsidy and paid_before on the periods paid, and reads back equal.
func TestCheckedDecisionJSON(t *testing.T) {
	ctx := context.Background()
	c := calc(t)
	dec, err := c.SubsidyAsOf(ctx, running(), day("2021-12-21"))
	require.NoError(t, err)
	dec, err = c.Unpaid(ctx, september(), dec)
	require.NoError(t, err)
	js, err := json.Marshal(dec)
	require.NoError(t, err)
	s := string(js)
	assert.Contains(t, s, `"subsidy":"593.54","subsidy_payable":"486.60","borrower_interest"`)
	assert.Contains(t, s, `"covered_balance":"50000.00"}],"paid_before":{"file":"2021-09 贴息.csv","line":2,"paid_on":"2021-09-30","payment_id":7}}`)
	assert.Equal(t, 1, strings.Count(s, "paid_before"), "only the period paid before")

	var back loan.Decision
	require.NoError(t, json.Unmarshal(js, &back))
	sameValue(t, "checked", reflect.ValueOf(dec), reflect.ValueOf(back))
	again, err := json.Marshal(back)
	require.NoError(t, err)
	assert.Equal(t, s, string(again))

	// Checked with nothing payable still says so: "0.00".
	none, err := c.Unpaid(ctx, september(), loan.Decision{Loan: "L"})
	require.NoError(t, err)
	js, err = json.Marshal(none)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"subsidy_payable":"0.00"`)
}

// books is a batch in memory: the checks across its records, an earlier
// history, and what it keeps per row.
type books struct {
	tally *rules.Tally
	hist  rules.History
	kept  map[int][]rules.Entry
}

func newBooks(t *testing.T, c *loan.Calculator, h rules.History) *books {
	t.Helper()
	return &books{tally: c.Policy().NewTally("2021-12 贴息.csv", nil), hist: h, kept: map[int][]rules.Entry{}}
}

func (b *books) Tally() *rules.Tally    { return b.tally }
func (b *books) History() rules.History { return b.hist }
func (b *books) Add(row int, es ...rules.Entry) error {
	b.kept[row] = append(b.kept[row], es...)
	return nil
}

func TestRecord(t *testing.T) {
	ctx := context.Background()
	c := calc(t)
	b := newBooks(t, c, september())
	l := running()
	dec, err := c.SubsidyAsOf(ctx, l, day("2021-12-21"))
	require.NoError(t, err)
	got, err := c.Record(ctx, b, 1, 2, l, dec)
	require.NoError(t, err)
	assert.True(t, got.Granted)
	assertDecimal(t, "486.60", got.Payable, "Payable")

	es := b.kept[1]
	require.Len(t, es, 2)
	refused, paid := es[0], es[1]
	assert.Equal(t, rules.Entry{Rule: loan.Rule, Subject: "L", Key: "2021-09-01..2021-09-21", Amount: refused.Amount,
		AsOf: day("2021-12-21"), Line: 2, Refusal: loan.RefusalPeriodPaid, Prior: refused.Prior}, refused)
	require.NotNil(t, refused.Prior)
	assert.Equal(t, int64(7), refused.Prior.ID, "the refusal names the earlier payment")
	assertDecimal(t, "106.94", refused.Amount, "refused amount")
	assert.Equal(t, "2021-09-21..2021-12-21", paid.Key)
	assert.True(t, paid.Pass && paid.Once, "paid once per loan and period")
	assert.Equal(t, "L", paid.Subject)
	assertDecimal(t, "486.60", paid.Amount, "paid amount")
	assert.Equal(t, day("2021-12-21"), paid.AsOf)

	// The same loan again in the batch: refused as a duplicate, and none
	// of its periods is paid or refused again.
	again, err := c.Record(ctx, b, 2, 3, l, dec)
	require.NoError(t, err)
	assert.False(t, again.Granted)
	assert.True(t, again.Payable.IsZero(), "nothing payable, got %s", again.Payable)
	require.Len(t, b.kept[2], 1)
	assert.Equal(t, "duplicate-loan", b.kept[2][0].Refusal)
	assert.Equal(t, "L", b.kept[2][0].Subject)
}

func TestRecordWholeLoanPaysAsOfTheStart(t *testing.T) {
	ctx := context.Background()
	c := calc(t)
	b := newBooks(t, c, &history{})
	dec, err := c.Subsidy(ctx, base())
	require.NoError(t, err)
	_, err = c.Record(ctx, b, 1, 2, base(), dec)
	require.NoError(t, err)
	require.Len(t, b.kept[1], 2)
	for _, e := range b.kept[1] {
		assert.Equal(t, day("2021-09-01"), e.AsOf, "judged on the start day")
		assert.True(t, e.Pass)
	}
	assertDecimal(t, "379.65", b.kept[1][1].Amount, "second period")
}

func TestRecordOpenPeriodKeepsNothing(t *testing.T) {
	ctx := context.Background()
	c := calc(t)
	b := newBooks(t, c, &history{})
	dec, err := c.SubsidyAsOf(ctx, running(), day("2021-10-15"))
	require.NoError(t, err)
	_, err = c.Record(ctx, b, 1, 2, running(), dec)
	require.NoError(t, err)
	require.Len(t, b.kept[1], 1, "the period cut at the as-of day is not paid")
	assert.Equal(t, "2021-09-01..2021-09-21", b.kept[1][0].Key)
}

// addError is a batch whose Add refuses every record.
type addError struct{ *books }

var errNoID = errors.New("no id")

func (addError) Add(int, ...rules.Entry) error { return errNoID }

func TestRecordReturnsTheBooksError(t *testing.T) {
	ctx := context.Background()
	c := calc(t)
	dec, err := c.Subsidy(ctx, base())
	require.NoError(t, err)
	got, err := c.Record(ctx, addError{newBooks(t, c, &history{})}, 1, 2, base(), dec)
	require.ErrorIs(t, err, errNoID)
	assert.True(t, got.Checked, "the decision comes back with the error")
}
