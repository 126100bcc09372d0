package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	grantRule  = "training-grant"
	monthsRule = "work-training-subsidy"
)

// September's roster pays 张伟 a B-tier grant; November's has him again:
// the lookup finds September's batch and row, and recording November's
// grant is refused naming them.
func TestSecondGrantNamesTheEarlierBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		sep := batch("2021-09 培训补贴.xlsx", grantRule, "2021-09-30")
		rec, err := l.Record(ctx, sep, []ledger.Payment{
			grant("李娜", "A", 1, "2021-09-30"),
			grant("张伟", "B", 2, "2021-09-30"),
		}, nil)
		require.NoError(t, err)
		assert.False(t, rec.Already)
		assert.Equal(t, 2, rec.Payments)

		p, found, err := l.Granted(ctx, grantRule, "张伟", "B")
		require.NoError(t, err)
		require.True(t, found, "Granted(张伟, B)")
		assert.Equal(t, "2021-09 培训补贴.xlsx", p.Batch.File)
		assert.Equal(t, rec.Batch.ID, p.Batch.ID)
		assert.Equal(t, 2, p.Payment.Row)
		assert.Equal(t, 3, p.Payment.Line)
		assert.Equal(t, "2021-09-30", p.Payment.AsOf.String())
		assert.True(t, p.Batch.RunTime.Equal(sep.RunTime), "run time %s, want %s", p.Batch.RunTime, sep.RunTime)
		assertDecimal(t, "1800.00", p.Payment.Amount)
		assert.JSONEq(t, `{"certificate_tier":"B"}`, string(p.Payment.Detail))

		_, found, err = l.Granted(ctx, grantRule, "张伟", "A")
		require.NoError(t, err)
		assert.False(t, found, "Granted(张伟, A): another tier is another grant")

		nov := batch("2021-11 培训补贴.xlsx", grantRule, "2021-11-30")
		_, err = l.Record(ctx, nov, []ledger.Payment{
			grant("王芳", "C", 1, "2021-11-30"),
			grant("张伟", "B", 2, "2021-11-30"),
		}, nil)
		var ce *ledger.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.ErrorIs(t, err, ledger.ErrDuplicate)
		assert.Equal(t, "张伟", ce.Payment.Subject)
		assert.Equal(t, 2, ce.Payment.Row)
		require.Len(t, ce.Earlier, 1)
		assert.Equal(t, "2021-09 培训补贴.xlsx", ce.Earlier[0].Batch.File)
		assert.Equal(t, 2, ce.Earlier[0].Payment.Row)
		assert.Equal(t, 1, count(t, l, "batches"), "nothing of November's batch is recorded")
		assert.Equal(t, 2, count(t, l, "payments"))

		// November's sheet as the CLI records it: 张伟 refused, 王芳 paid.
		rec, err = l.Record(ctx, nov, []ledger.Payment{grant("王芳", "C", 1, "2021-11-30")},
			[]ledger.Refusal{{Subject: "张伟", Key: "B", Code: "duplicate-training-grant",
				AsOf: rules.MustDate("2021-11-30"), Row: 2, Line: 3, Earlier: p.ID}})
		require.NoError(t, err)
		assert.Equal(t, 1, rec.Refusals)
		var refused []ledger.Refused
		for r, err := range l.Refusals(ctx, ledger.Filter{Subject: "张伟"}) {
			require.NoError(t, err)
			refused = append(refused, r)
		}
		require.Len(t, refused, 1)
		assert.Equal(t, "duplicate-training-grant", refused[0].Refusal.Code)
		assert.Equal(t, p.ID, refused[0].Refusal.Earlier)
		assert.Equal(t, "2021-11 培训补贴.xlsx", refused[0].Batch.File)
	})
}

// 以工代训: 4 months in one batch, then 4 in the next with a cap of 6: the
// ledger says 4 are used, so 2 are paid; a 3rd or a 7th month is refused.
func TestMonthsUpToTheCap(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		_, err := l.Record(ctx, batch("sep.csv", monthsRule, "2021-09-30"),
			[]ledger.Payment{months("赵强", 4, 1, "2021-09-30"), months("孙丽", 6, 2, "2021-09-30")}, nil)
		require.NoError(t, err)

		used, paid, err := l.Used(ctx, monthsRule, "赵强")
		require.NoError(t, err)
		assert.Equal(t, int64(4), used)
		require.Len(t, paid, 1)
		assert.Equal(t, "sep.csv", paid[0].Batch.File)

		_, err = l.Record(ctx, batch("nov.csv", monthsRule, "2021-11-30"),
			[]ledger.Payment{months("赵强", 3, 1, "2021-11-30")}, nil)
		var ce *ledger.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.ErrorIs(t, err, ledger.ErrOverCap)
		assert.Equal(t, int64(4), ce.Used)
		require.Len(t, ce.Earlier, 1)
		assert.Equal(t, "sep.csv", ce.Earlier[0].Batch.File)

		left := 6 - used
		_, err = l.Record(ctx, batch("nov.csv", monthsRule, "2021-11-30"),
			[]ledger.Payment{months("赵强", left, 1, "2021-11-30")}, nil)
		require.NoError(t, err)
		used, paid, err = l.Used(ctx, monthsRule, "赵强")
		require.NoError(t, err)
		assert.Equal(t, int64(6), used)
		assert.Len(t, paid, 2)

		_, err = l.Record(ctx, batch("dec.csv", monthsRule, "2021-12-31"),
			[]ledger.Payment{months("赵强", 1, 1, "2021-12-31")}, nil)
		assert.ErrorIs(t, err, ledger.ErrOverCap)
		totals, err := l.Totals(ctx, ledger.Filter{Subject: "赵强"})
		require.NoError(t, err)
		require.Len(t, totals, 2)
		assert.Equal(t, int64(4), totals[0].Quantity)
		assertDecimal(t, "400.00", totals[1].Amount)
	})
}

// The same file recorded twice records nothing the second time, and says
// which batch had recorded it; lookups can leave that batch out.
func TestSameFileTwiceRecordsNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		b := batch("roster.csv", grantRule, "2021-09-30")
		pays := []ledger.Payment{grant("张伟", "B", 1, "2021-09-30"), grant("李娜", "A", 2, "2021-09-30")}
		first, err := l.Record(ctx, b, pays, nil)
		require.NoError(t, err)

		again := b
		again.RunTime = again.RunTime.Add(48 * time.Hour)
		again.File = "roster (copy).csv"
		rec, err := l.Record(ctx, again, pays, nil)
		require.NoError(t, err)
		assert.True(t, rec.Already)
		assert.Equal(t, 0, rec.Payments)
		assert.Equal(t, first.Batch.ID, rec.Batch.ID)
		assert.Equal(t, "roster.csv", rec.Batch.File)
		assert.Equal(t, 2, count(t, l, "payments"))
		assert.Equal(t, 1, count(t, l, "batches"))

		found, ok, err := l.FindBatch(ctx, b.FileSHA256, grantRule)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, first.Batch.ID, found.ID)
		_, ok, err = l.FindBatch(ctx, b.FileSHA256, monthsRule)
		require.NoError(t, err)
		assert.False(t, ok, "the same file under another rule is another batch")

		_, ok, err = l.Granted(ctx, grantRule, "张伟", "B", ledger.Excluding(found.ID))
		require.NoError(t, err)
		assert.False(t, ok, "Granted excluding the file's own batch")
		h, err := l.History(ctx, grantRule, []string{"张伟"}, ledger.Excluding(found.ID))
		require.NoError(t, err)
		_, ok = h.Granted("张伟", "B")
		assert.False(t, ok, "History excluding the file's own batch")
	})
}

// A reversed grant (冲正) no longer counts: the same grant can be paid
// again, and both stay in the ledger.
func TestReversalThenPaidAgain(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		at := time.Date(2021, 10, 8, 9, 30, 0, 0, time.UTC)
		rec, err := l.Record(ctx, batch("sep.csv", grantRule, "2021-09-30"),
			[]ledger.Payment{grant("张伟", "B", 1, "2021-09-30")}, nil)
		require.NoError(t, err)
		p, _, err := l.Granted(ctx, grantRule, "张伟", "B")
		require.NoError(t, err)
		assert.Equal(t, rec.Batch.ID, p.Batch.ID)

		rv, err := l.Reverse(ctx, p.ID, "身份证号录错，退回重报", "刘科长", at)
		require.NoError(t, err)
		assert.NotZero(t, rv.ID)
		_, err = l.Reverse(ctx, p.ID, "again", "刘科长", at)
		assert.ErrorIs(t, err, ledger.ErrReversed)
		_, err = l.Reverse(ctx, p.ID+1000, "none", "刘科长", at)
		assert.ErrorIs(t, err, ledger.ErrNoPayment)

		_, found, err := l.Granted(ctx, grantRule, "张伟", "B")
		require.NoError(t, err)
		assert.False(t, found, "a reversed grant is not granted")

		_, err = l.Record(ctx, batch("oct.csv", grantRule, "2021-10-31"),
			[]ledger.Payment{grant("张伟", "B", 4, "2021-10-31")}, nil)
		require.NoError(t, err, "paid again after the reversal")
		_, err = l.Record(ctx, batch("nov.csv", grantRule, "2021-11-30"),
			[]ledger.Payment{grant("张伟", "B", 1, "2021-11-30")}, nil)
		assert.ErrorIs(t, err, ledger.ErrDuplicate, "but only once")

		assert.Equal(t, []string{"张伟/B 1800.00 sep.csv:1 reversed", "张伟/B 1800.00 oct.csv:4"},
			payments(t, l, ledger.Filter{Subject: "张伟"}))
		for q, err := range l.Payments(ctx, ledger.Filter{Batch: rec.Batch.ID}) {
			require.NoError(t, err)
			require.NotNil(t, q.Reversal)
			assert.Equal(t, "刘科长", q.Reversal.Who)
			assert.Equal(t, "身份证号录错，退回重报", q.Reversal.Reason)
			assert.True(t, q.Reversal.Time.Equal(at))
		}
		totals, err := l.Totals(ctx, ledger.Filter{Rule: grantRule})
		require.NoError(t, err)
		require.Len(t, totals, 2)
		assert.Equal(t, ledger.Total{Rule: grantRule, Month: "2021-09", Reversed: 1,
			ReversedAmount: decimal.RequireFromString("1800")}.Month, totals[0].Month)
		assert.Equal(t, int64(0), totals[0].Payments)
		assert.Equal(t, int64(1), totals[0].Reversed)
		assertDecimal(t, "1800.00", totals[0].ReversedAmount)
		assert.Equal(t, int64(1), totals[1].Payments)
		assertDecimal(t, "1800.00", totals[1].Amount)

		// Months reversed are months left.
		_, err = l.Record(ctx, batch("m.csv", monthsRule, "2021-09-30"),
			[]ledger.Payment{months("赵强", 6, 1, "2021-09-30")}, nil)
		require.NoError(t, err)
		_, paid, err := l.Used(ctx, monthsRule, "赵强")
		require.NoError(t, err)
		_, err = l.Reverse(ctx, paid[0].ID, "重复申报", "刘科长", at)
		require.NoError(t, err)
		used, _, err := l.Used(ctx, monthsRule, "赵强")
		require.NoError(t, err)
		assert.Equal(t, int64(0), used)
	})
}

// Two clerks record overlapping rosters at the same moment: each grant is
// paid exactly once, and the batch that lost records nothing.
func TestConcurrentBatchesPayEachGrantOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		for round := range 4 {
			a, b := open(t, dsn), open(t, dsn) // two clerks, two connections pools
			var pa, pb []ledger.Payment
			for i := range 200 {
				pa = append(pa, grant(fmt.Sprintf("R%d-P%03d", round, i), "B", i+1, "2021-09-30"))
				pb = append(pb, grant(fmt.Sprintf("R%d-P%03d", round, i+100), "B", i+1, "2021-09-30"))
			}
			pb = append(pb, months(fmt.Sprintf("R%d-M", round), 4, 201, "2021-09-30"))
			pa = append(pa, months(fmt.Sprintf("R%d-M", round), 4, 201, "2021-09-30"))
			var (
				wg   sync.WaitGroup
				errs [2]error
			)
			start := make(chan struct{})
			for i, c := range []struct {
				l    *ledger.Ledger
				file string
				pays []ledger.Payment
			}{{a, "a.csv", pa}, {b, "b.csv", pb}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = c.l.Record(ctx, batch(fmt.Sprintf("%d-%s", round, c.file), grantRule, "2021-09-30"), c.pays, nil)
				}()
			}
			close(start)
			wg.Wait()
			failed, winner := 0, -1
			for i, err := range errs {
				if err != nil {
					failed++
					var ce *ledger.ConflictError
					assert.ErrorAs(t, err, &ce, "round %d", round)
				} else {
					winner = i
				}
			}
			require.Equal(t, 1, failed, "round %d: exactly one batch loses (errors %v)", round, errs)
			seen := map[string]int{}
			for p, err := range a.Payments(ctx, ledger.Filter{Rule: grantRule}) {
				require.NoError(t, err)
				seen[p.Payment.Subject+"/"+p.Payment.Key]++
			}
			for i := range 200 {
				s := fmt.Sprintf("R%d-P%03d/B", round, i+100*winner)
				assert.Equal(t, 1, seen[s], "round %d: the winner's grant %s", round, s)
			}
			assert.Len(t, seen, 201*(round+1), "round %d: only the winners' grants and months are paid", round)
			used, _, err := a.Used(ctx, grantRule, fmt.Sprintf("R%d-M", round))
			require.NoError(t, err)
			assert.Equal(t, int64(4), used, "round %d: months paid once", round)
		}
	})
}

// Two clerks add months for the same person at once: the cap holds.
func TestConcurrentMonthsStayUnderTheCap(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := open(t, dsn), open(t, dsn)
		var wg sync.WaitGroup
		var errs [2]error
		for i, l := range []*ledger.Ledger{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = l.Record(ctx, batch(fmt.Sprintf("%d.csv", i), monthsRule, "2021-09-30"),
					[]ledger.Payment{months("赵强", 4, 1, "2021-09-30")}, nil)
			}()
		}
		wg.Wait()
		assert.True(t, (errs[0] == nil) != (errs[1] == nil), "one of the two succeeds: %v", errs)
		for _, err := range errs {
			if err != nil {
				assert.ErrorIs(t, err, ledger.ErrOverCap)
			}
		}
		used, _, err := a.Used(ctx, monthsRule, "赵强")
		require.NoError(t, err)
		assert.Equal(t, int64(4), used)
	})
}

// A recording that fails half-way, by an error or a cancelled context,
// leaves nothing of its batch behind; the same batch can then be recorded.
func TestBatchFailingHalfWayRecordsNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		var pays []ledger.Payment
		for i := range 100 {
			pays = append(pays, grant(fmt.Sprintf("P%03d", i), "C", i+1, "2021-09-30"))
		}
		b := batch("half.csv", grantRule, "2021-09-30")
		refusals := []ledger.Refusal{{Subject: "X", Code: "duplicate-training-grant", AsOf: rules.MustDate("2021-09-30"), Row: 101}}

		disk := errors.New("disk on fire")
		ledger.SetAfterPay(l, func(n int) error {
			if n == 50 {
				return disk
			}
			return nil
		})
		_, err := l.Record(ctx, b, pays, refusals)
		assert.ErrorIs(t, err, disk)
		assert.Equal(t, 0, count(t, l, "batches"))
		assert.Equal(t, 0, count(t, l, "payments"))

		cctx, cancel := context.WithCancel(ctx)
		ledger.SetAfterPay(l, func(n int) error {
			if n == 50 {
				cancel()
			}
			return nil
		})
		_, err = l.Record(cctx, b, pays, refusals)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 0, count(t, l, "batches"))
		assert.Equal(t, 0, count(t, l, "payments"))
		assert.Equal(t, 0, count(t, l, "refusals"))

		// A conflict on the last row also undoes the rows before it.
		ledger.SetAfterPay(l, nil)
		dup := append(append([]ledger.Payment(nil), pays...), grant("P000", "C", 101, "2021-09-30"))
		_, err = l.Record(ctx, b, dup, nil)
		assert.ErrorIs(t, err, ledger.ErrDuplicate)
		assert.Equal(t, 0, count(t, l, "payments"))

		rec, err := l.Record(ctx, b, pays, refusals)
		require.NoError(t, err)
		assert.False(t, rec.Already, "the failed attempts left no trace of the file")
		assert.Equal(t, 100, count(t, l, "payments"))
	})
}

// A ledger written by a newer program is refused, and left as it was.
func TestNewerSchemaIsRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		_, err := ledger.DB(l).Exec(ledger.Rebind(l, "INSERT INTO ledger_schema (version) VALUES (?)"), ledger.SchemaVersion+1)
		require.NoError(t, err)
		l.Close()

		_, err = ledger.Open(ctx, dsn)
		require.ErrorIs(t, err, ledger.ErrNewerSchema)
		assert.Contains(t, err.Error(), fmt.Sprintf("version %d", ledger.SchemaVersion+1))
	})
}

// A ledger of schema version 1 (no refusals table) is migrated on Open,
// keeping what it holds.
func TestOlderSchemaIsMigrated(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		old, err := ledger.OpenAt(ctx, dsn, 1)
		require.NoError(t, err)
		_, err = old.Record(ctx, batch("v1.csv", grantRule, "2021-09-30"), []ledger.Payment{grant("张伟", "B", 1, "2021-09-30")}, nil)
		require.NoError(t, err)
		old.Close()

		l := open(t, dsn)
		var versions []int
		rows, err := ledger.DB(l).Query("SELECT version FROM ledger_schema ORDER BY version")
		require.NoError(t, err)
		for rows.Next() {
			var v int
			require.NoError(t, rows.Scan(&v))
			versions = append(versions, v)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []int{1, 2}, versions)
		assert.Equal(t, []string{"张伟/B 1800.00 v1.csv:1"}, payments(t, l, ledger.Filter{}))
		_, err = l.Record(ctx, batch("v2.csv", grantRule, "2021-10-31"), nil,
			[]ledger.Refusal{{Subject: "张伟", Key: "B", Code: "duplicate-training-grant", AsOf: rules.MustDate("2021-10-31"), Row: 1}})
		require.NoError(t, err)
		assert.Equal(t, 1, count(t, l, "refusals"))
	})
}

// Nothing in the ledger can be changed or deleted, even by hand.
func TestAppendOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		_, err := l.Record(ctx, batch("sep.csv", grantRule, "2021-09-30"), []ledger.Payment{grant("张伟", "B", 1, "2021-09-30")},
			[]ledger.Refusal{{Subject: "张伟", Key: "B", Code: "x", AsOf: rules.MustDate("2021-09-30"), Row: 2}})
		require.NoError(t, err)
		p, _, err := l.Granted(ctx, grantRule, "张伟", "B")
		require.NoError(t, err)
		_, err = l.Reverse(ctx, p.ID, "r", "w", time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		for _, stmt := range []string{
			"UPDATE payments SET amount = 0",
			"DELETE FROM payments",
			"UPDATE batches SET clerk = 'x'",
			"DELETE FROM batches",
			"DELETE FROM reversals",
			"UPDATE refusals SET code = 'y'",
			"DELETE FROM ledger_schema",
		} {
			_, err := ledger.DB(l).ExecContext(ctx, stmt)
			assert.ErrorContains(t, err, "append-only", stmt)
		}
		assert.Equal(t, []string{"张伟/B 1800.00 sep.csv:1 reversed"}, payments(t, l, ledger.Filter{}))
	})
}

func TestInputErrors(t *testing.T) {
	good := batch("sep.csv", grantRule, "2021-09-30")
	tests := []struct {
		name      string
		batch     func(*ledger.Batch)
		payment   func(*ledger.Payment)
		wantField string
	}{
		{"file sha256 in upper case", func(b *ledger.Batch) { b.FileSHA256 = "AB" + b.FileSHA256[2:] }, nil, "file_sha256"},
		{"no run time", func(b *ledger.Batch) { b.RunTime = time.Time{} }, nil, "run_time"},
		{"no clerk", func(b *ledger.Batch) { b.Clerk = "" }, nil, "clerk"},
		{"policy hash short", func(b *ledger.Batch) { b.PolicySHA256 = "abc" }, nil, "policy_sha256"},
		{"amount with 3 places", nil, func(p *ledger.Payment) { p.Amount = decimal.RequireFromString("1800.005") }, "amount"},
		{"negative amount", nil, func(p *ledger.Payment) { p.Amount = decimal.RequireFromString("-1") }, "amount"},
		{"no subject", nil, func(p *ledger.Payment) { p.Subject = "" }, "subject"},
		{"no as-of", nil, func(p *ledger.Payment) { p.AsOf = rules.Date{} }, "as_of"},
		{"row 0", nil, func(p *ledger.Payment) { p.Row = 0 }, "row"},
		{"once and a cap", nil, func(p *ledger.Payment) { p.Cap = 6 }, "cap"},
		{"detail not JSON", nil, func(p *ledger.Payment) { p.Detail = []byte("{tier: B") }, "detail"},
		{"negative months", nil, func(p *ledger.Payment) { p.Quantity = -2 }, "quantity"},
	}
	l := open(t, t.TempDir()+"/l.db")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, p := good, grant("张伟", "B", 3, "2021-09-30")
			if tt.batch != nil {
				tt.batch(&b)
			}
			if tt.payment != nil {
				tt.payment(&p)
			}
			_, err := l.Record(context.Background(), b, []ledger.Payment{p}, nil)
			var ie *ledger.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.wantField, ie.Field)
			if tt.payment != nil && tt.wantField != "row" {
				assert.Equal(t, 3, ie.Row)
			}
		})
	}
	assert.Equal(t, 0, count(t, l, "batches"))
	_, err := ledger.Open(context.Background(), "")
	assert.Error(t, err)
	_, err = ledger.Open(context.Background(), "a?b.db")
	assert.ErrorContains(t, err, `"a?b.db"`)
}

// The history of a whole sheet, read in chunks, answers as the single
// lookups do.
func TestHistoryMatchesSingleLookups(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		var pays, more []ledger.Payment
		var subjects []string
		for i := range 1200 {
			s := fmt.Sprintf("P%04d", i)
			subjects = append(subjects, s, s) // repeated subjects are read once
			if i%3 == 0 {
				pays = append(pays, grant(s, []string{"A", "B", "C"}[i%2], i+1, "2021-09-30"))
			}
			if i%5 == 0 {
				more = append(more, ledger.Payment{Subject: s, Quantity: 2, Amount: decimal.RequireFromString("400.00"),
					AsOf: rules.MustDate("2021-09-30"), Row: i + 1, Cap: 6})
			}
		}
		_, err := l.Record(ctx, batch("g.csv", grantRule, "2021-09-30"), append(pays, more...), nil)
		require.NoError(t, err)
		h, err := l.History(ctx, grantRule, append(subjects, ""))
		require.NoError(t, err)
		for i := 0; i < 1200; i += 37 {
			s := subjects[2*i]
			for _, k := range []string{"A", "B", "C"} {
				want, wantOK, err := l.Granted(ctx, grantRule, s, k)
				require.NoError(t, err)
				got, ok := h.Granted(s, k)
				assert.Equal(t, wantOK, ok, "%s %s", s, k)
				assert.Equal(t, want.ID, got.ID, "%s %s", s, k)
			}
			wantN, wantPaid, err := l.Used(ctx, grantRule, s)
			require.NoError(t, err)
			n, paid := h.Used(s)
			assert.Equal(t, wantN, n, s)
			assert.Equal(t, len(wantPaid), len(paid), s)
		}
		n, _ := h.Used("P0000")
		assert.Equal(t, int64(2), n)
		_, ok := h.Granted("P0001", "B")
		assert.False(t, ok)
	})
}

// The auditor's queries: by person, rule, month and batch; totals; export.
func TestQueriesAndExport(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		sep, err := l.Record(ctx, batch("sep.csv", grantRule, "2021-09-30"),
			[]ledger.Payment{grant("张伟", "B", 1, "2021-09-30"), grant("李娜", "A", 2, "2021-09-15")}, nil)
		require.NoError(t, err)
		_, err = l.Record(ctx, batch("oct.csv", grantRule, "2021-10-31"),
			[]ledger.Payment{grant("张伟", "C", 1, "2021-10-01")},
			[]ledger.Refusal{{Subject: "李娜", Key: "A", Code: "duplicate-training-grant", AsOf: rules.MustDate("2021-10-01"), Row: 2, Line: 3}})
		require.NoError(t, err)
		_, err = l.Record(ctx, batch("m.csv", monthsRule, "2021-10-31"),
			[]ledger.Payment{months("张伟", 3, 1, "2021-10-31")}, nil)
		require.NoError(t, err)

		assert.Equal(t, []string{"张伟/B 1800.00 sep.csv:1", "张伟/C 1500.00 oct.csv:1", "张伟/ 600.00 m.csv:1"},
			payments(t, l, ledger.Filter{Subject: "张伟"}))
		assert.Equal(t, []string{"张伟/C 1500.00 oct.csv:1"}, payments(t, l, ledger.Filter{Rule: grantRule, Month: "2021-10"}))
		assert.Equal(t, []string{"张伟/B 1800.00 sep.csv:1", "李娜/A 2000.00 sep.csv:2"},
			payments(t, l, ledger.Filter{Batch: sep.Batch.ID}))
		for _, err := range l.Payments(ctx, ledger.Filter{Month: "2021-9"}) {
			var ie *ledger.InputError
			assert.ErrorAs(t, err, &ie)
		}

		totals, err := l.Totals(ctx, ledger.Filter{})
		require.NoError(t, err)
		var got []string
		for _, tt := range totals {
			got = append(got, fmt.Sprintf("%s %s %d %d %s", tt.Rule, tt.Month, tt.Payments, tt.Quantity, tt.Amount.StringFixed(2)))
		}
		assert.Equal(t, []string{
			"training-grant 2021-09 2 0 3800.00",
			"training-grant 2021-10 1 0 1500.00",
			"work-training-subsidy 2021-10 1 3 600.00",
		}, got)

		cols, rows, err := l.Export(ctx, ledger.TableRefusals, ledger.Filter{Subject: "李娜"})
		require.NoError(t, err)
		assert.Equal(t, "code", cols[4])
		var n int
		for row, err := range rows {
			require.NoError(t, err)
			require.Len(t, row, len(cols))
			assert.Equal(t, "duplicate-training-grant", row[4])
			assert.Equal(t, "oct.csv", row[10])
			n++
		}
		assert.Equal(t, 1, n)

		cols, rows, err = l.Export(ctx, ledger.TablePayments, ledger.Filter{Rule: monthsRule})
		require.NoError(t, err)
		for row, err := range rows {
			require.NoError(t, err)
			require.Len(t, row, len(cols))
			assert.Equal(t, int64(3), row[4])
			amount, ok := row[5].(decimal.Decimal)
			require.True(t, ok, "amount is a decimal: %T", row[5])
			assertDecimal(t, "600.00", amount)
			assert.Equal(t, "2021-10-31T04:00:00Z", row[14])
		}
		for _, table := range []string{ledger.TableTotals, ledger.TableBatches} {
			cols, rows, err := l.Export(ctx, table, ledger.Filter{})
			require.NoError(t, err)
			n := 0
			for row, err := range rows {
				require.NoError(t, err)
				assert.Len(t, row, len(cols))
				n++
			}
			assert.Equal(t, 3, n, table)
		}
		_, _, err = l.Export(ctx, "people", ledger.Filter{})
		assert.Error(t, err)
	})
}

// Two clerks record the same file at once: one records it, the other is
// told it was already recorded, and nothing is recorded twice.
func TestSameFileAtOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		var pays []ledger.Payment
		for i := range 300 {
			pays = append(pays, grant(fmt.Sprintf("P%04d", i), "B", i+1, "2021-09-30"))
		}
		var (
			wg   sync.WaitGroup
			recs [2]ledger.Recorded
			errs [2]error
		)
		for i, l := range []*ledger.Ledger{open(t, dsn), open(t, dsn)} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				recs[i], errs[i] = l.Record(ctx, batch("same.csv", grantRule, "2021-09-30"), pays, nil)
			}()
		}
		wg.Wait()
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		assert.True(t, recs[0].Already != recs[1].Already, "one records, one is told: %+v", recs)
		assert.Equal(t, recs[0].Batch.ID, recs[1].Batch.ID)
		l := open(t, dsn)
		assert.Equal(t, 300, count(t, l, "payments"))
	})
}
