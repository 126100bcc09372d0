package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A ledger's run is the batch a loan calculator records into.
var _ loan.Books = (*ledger.Run)(nil)

// microloan is loan id, not yet repaid: 50,000.00 at 3.85% from start,
// due a year later.
func microloan(id, start string) loan.Loan {
	s := rules.MustDate(start)
	return loan.Loan{ID: id, PovertyRelieved: true, Principal: decimal.RequireFromString("50000.00"),
		AnnualRate: decimal.RequireFromString("0.0385"), Start: s, Maturity: s.AddDays(365)}
}

// beginLoans starts the batch of a loan sheet named file, as of asOf,
// listing loans (the file's SHA-256 is that of its name, day and loans).
func beginLoans(t *testing.T, l *ledger.Ledger, c *loan.Calculator, file, asOf string, loans []loan.Loan) *ledger.Run {
	t.Helper()
	set := c.Policy()
	b := ledger.Batch{File: file, FileSHA256: sum(fmt.Sprint(file, asOf, loans)),
		RunTime: rules.MustDate(asOf).Time().Add(10 * time.Hour), Rule: loan.Rule,
		Policy: set.Meta().ID, PolicySHA256: set.Hash(), Clerk: "赵会计"}
	run, err := l.Begin(context.Background(), set, b)
	require.NoError(t, err)
	return run
}

// decideLoans decides each loan as of asOf and records it into run, row
// i+1 at line i+2 (a header above), as the command-line tool does.
func decideLoans(t *testing.T, c *loan.Calculator, run *ledger.Run, asOf string, loans []loan.Loan) []loan.Decision {
	t.Helper()
	ctx := context.Background()
	var out []loan.Decision
	for i, ln := range loans {
		d, err := c.SubsidyAsOf(ctx, ln, rules.MustDate(asOf))
		require.NoError(t, err)
		d, err = c.Record(ctx, run, i+1, i+2, ln, d)
		require.NoError(t, err)
		out = append(out, d)
	}
	return out
}

// runLoans records a loan sheet: begin, decide and record, commit.
func runLoans(t *testing.T, l *ledger.Ledger, c *loan.Calculator, file, asOf string, loans []loan.Loan) ([]loan.Decision, ledger.Recorded, error) {
	t.Helper()
	run := beginLoans(t, l, c, file, asOf, loans)
	out := decideLoans(t, c, run, asOf, loans)
	rec, err := run.Commit(context.Background())
	return out, rec, err
}

func loanCalc(t *testing.T) *loan.Calculator {
	t.Helper()
	c, err := loan.New()
	require.NoError(t, err)
	return c
}

// September's sheet pays each loan's first period; December's lists the
// same loan again: the period paid in September is refused, naming
// September's file and line, and the December quarter's is paid.
func TestLoanPeriodsAcrossBatches(t *testing.T) {
	c := loanCalc(t)
	ctx := context.Background()
	eachDB(t, func(t *testing.T, dsn string) {
		l := open(t, dsn)
		sept := []loan.Loan{microloan("L1", "2021-09-01"), microloan("L2", "2021-08-20")}
		out, rec, err := runLoans(t, l, c, "2021-09 贴息.csv", "2021-09-21", sept)
		require.NoError(t, err)
		assert.Equal(t, 2, rec.Payments)
		assert.Equal(t, 0, rec.Refusals)
		assert.Equal(t, "106.94", out[0].Payable.StringFixed(2))
		assert.Equal(t, []string{
			"L1/2021-09-01..2021-09-21 106.94 2021-09 贴息.csv:1",
			"L2/2021-08-20..2021-09-21 171.11 2021-09 贴息.csv:2",
		}, payments(t, l, ledger.Filter{Rule: loan.Rule}))

		dec := []loan.Loan{microloan("L3", "2021-11-01"), microloan("L1", "2021-09-01")}
		out, rec, err = runLoans(t, l, c, "2021-12 贴息.csv", "2021-12-21", dec)
		require.NoError(t, err)
		assert.Equal(t, 2, rec.Payments, "L3's first period and L1's second")
		assert.Equal(t, 1, rec.Refusals, "L1's first period")
		l1 := out[1]
		assert.True(t, l1.Granted, "the loan stays granted")
		assert.Equal(t, "593.54", l1.Schedule.Covered.StringFixed(2), "its subsidy is unchanged")
		assert.Equal(t, "486.60", l1.Payable.StringFixed(2), "only the December quarter is payable")
		require.Len(t, l1.PaidBefore, 1)
		assert.Equal(t, "2021-09 贴息.csv", l1.PaidBefore[0].Prior.Source)
		assert.Equal(t, 2, l1.PaidBefore[0].Prior.Line, "September's line")
		note := l1.Notes[len(l1.Notes)-1]
		assert.Equal(t, loan.NotePeriodsPaid, note.Code)
		assert.Contains(t, note.Message, "已于 2021-09-21 在 2021-09 贴息.csv 第 2 行发放")

		assert.Equal(t, []string{
			"L1/2021-09-01..2021-09-21 106.94 2021-09 贴息.csv:1",
			"L1/2021-09-21..2021-12-21 486.60 2021-12 贴息.csv:2",
		}, payments(t, l, ledger.Filter{Subject: "L1"}))
		var refused []ledger.Refused
		for r, err := range l.Refusals(ctx, ledger.Filter{Subject: "L1"}) {
			require.NoError(t, err)
			refused = append(refused, r)
		}
		require.Len(t, refused, 1)
		assert.Equal(t, loan.RefusalPeriodPaid, refused[0].Refusal.Code)
		assert.Equal(t, "2021-09-01..2021-09-21", refused[0].Refusal.Key)
		assert.Equal(t, 2, refused[0].Refusal.Row)
		assert.Equal(t, 3, refused[0].Refusal.Line)
		first, ok, err := l.Granted(ctx, loan.Rule, "L1", "2021-09-01..2021-09-21")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, first.ID, refused[0].Refusal.Earlier, "the refusal names September's payment")

		// December's file again: nothing new, decided as the first time.
		again, rec, err := runLoans(t, l, c, "2021-12 贴息.csv", "2021-12-21", dec)
		require.NoError(t, err)
		assert.True(t, rec.Already)
		assert.Equal(t, 0, rec.Payments)
		assert.Equal(t, "486.60", again[1].Payable.StringFixed(2), "as the first time, not refused by its own batch")
		assert.Equal(t, out[0].Payable.String(), again[0].Payable.String())
		assert.Equal(t, 4, count(t, l, "payments"))
		assert.Equal(t, 1, count(t, l, "refusals"))

		// September's payment of L1 is reversed (冲正): a later sheet pays
		// the period again.
		_, err = l.Reverse(ctx, first.ID, "贴息计算错误", "李四", time.Date(2022, 1, 5, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		out, rec, err = runLoans(t, l, c, "2022-01 补发.csv", "2021-12-21", []loan.Loan{microloan("L1", "2021-09-01")})
		require.NoError(t, err)
		assert.Equal(t, "106.94", out[0].Payable.StringFixed(2), "the reversed period only")
		assert.Equal(t, 1, rec.Payments)
		assert.Equal(t, 1, rec.Refusals, "the December quarter stays paid")
	})
}

// A loan listed twice in one sheet: the second listing is refused
// (duplicate-loan) and pays nothing.
func TestLoanTwiceInOneBatch(t *testing.T) {
	c := loanCalc(t)
	eachDB(t, func(t *testing.T, dsn string) {
		l := open(t, dsn)
		loans := []loan.Loan{microloan("L1", "2021-09-01"), microloan("L1", "2021-09-01")}
		out, rec, err := runLoans(t, l, c, "twice.csv", "2021-12-21", loans)
		require.NoError(t, err)
		assert.True(t, out[0].Granted)
		assert.False(t, out[1].Granted)
		assert.True(t, out[1].Payable.IsZero())
		assert.Equal(t, 2, rec.Payments, "the first listing's two periods")
		assert.Equal(t, 1, rec.Refusals)
		for r, err := range l.Refusals(context.Background(), ledger.Filter{Subject: "L1"}) {
			require.NoError(t, err)
			assert.Equal(t, "duplicate-loan", r.Refusal.Code)
			assert.Equal(t, 3, r.Refusal.Line)
		}
	})
}

// A loan that passes with no id cannot be recorded: an error of that
// record, and nothing of it is kept.
func TestLoanWithoutIDIsARecordError(t *testing.T) {
	c := loanCalc(t)
	eachDB(t, func(t *testing.T, dsn string) {
		l := open(t, dsn)
		ctx := context.Background()
		run := beginLoans(t, l, c, "noid.csv", "2021-12-21", nil)
		ln := microloan("", "2021-09-01")
		d, err := c.SubsidyAsOf(ctx, ln, rules.MustDate("2021-12-21"))
		require.NoError(t, err)
		_, err = c.Record(ctx, run, 1, 2, ln, d)
		var ie *rules.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "id", ie.Field)
		assert.ErrorIs(t, err, ledger.ErrNoSubject)
		rec, err := run.Commit(ctx)
		require.NoError(t, err)
		assert.Equal(t, 0, rec.Payments)
	})
}

// Two clerks record overlapping loan sheets at once: both see the period
// unpaid, the database lets only one pay it.
func TestLoanTwoClerksPayEachPeriodOnce(t *testing.T) {
	c := loanCalc(t)
	eachDB(t, func(t *testing.T, dsn string) {
		a, b := open(t, dsn), open(t, dsn)
		ctx := context.Background()
		loans := []loan.Loan{microloan("L1", "2021-09-01")}
		var runs []*ledger.Run
		for i, l := range []*ledger.Ledger{a, b} {
			run := beginLoans(t, l, c, fmt.Sprintf("clerk-%d.csv", i), "2021-12-21", loans)
			out := decideLoans(t, c, run, "2021-12-21", loans)
			require.Equal(t, "593.54", out[0].Payable.StringFixed(2), "neither clerk sees the other's payment")
			runs = append(runs, run)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(runs))
		for i, r := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = r.Commit(ctx)
			}()
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
				var ce *ledger.ConflictError
				require.True(t, errors.As(err, &ce), "%v", err)
				assert.ErrorIs(t, err, ledger.ErrDuplicate)
				assert.Equal(t, "L1", ce.Payment.Subject)
			}
		}
		assert.Equal(t, 1, failed, "exactly one clerk's batch is refused")
		assert.Len(t, payments(t, a, ledger.Filter{Subject: "L1"}), 2, "each period paid once")
	})
}
