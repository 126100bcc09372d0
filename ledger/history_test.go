package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// claim is one row of a sheet: who, and the rule's inputs as text.
type claim struct {
	subject string
	in      map[string]string
}

func grantClaim(subject, tier string) claim {
	return claim{subject, map[string]string{"poverty_relieved": "是", "monitored": "否", "disaster_affected": "是", "certificate_tier": tier}}
}

func monthsClaim(subject, n string) claim {
	return claim{subject, map[string]string{"poverty_relieved": "是", "monitored": "否", "disaster_affected": "是", "months": n}}
}

// runSheet decides the claims of file (named by its content, so the same
// claims are the same file) under rule on day, through a ledger Run, and
// commits it. Line i of the sheet is claim i-1's line i+1 (a header above).
func runSheet(t *testing.T, l *ledger.Ledger, set *rules.Set, rule, file, day string, claims []claim) ([]rules.Result, ledger.Recorded, error) {
	t.Helper()
	ctx := context.Background()
	content := fmt.Sprint(rule, file, claims) // fmt prints maps sorted by key
	b := ledger.Batch{File: file, FileSHA256: sum(content), RunTime: time.Date(2021, 11, 30, 9, 0, 0, 0, time.UTC),
		Rule: rule, Policy: set.Meta().ID, PolicySHA256: set.Hash(), Clerk: "张三"}
	run, err := l.Begin(ctx, set, b)
	require.NoError(t, err)
	var out []rules.Result
	for i, c := range claims {
		in := rules.Input{rules.AsOf: rules.Text(day)}
		for k, v := range c.in {
			in[k] = rules.Text(v)
		}
		res, err := set.Eval(ctx, rule, in)
		require.NoError(t, err)
		res, err = run.Apply(ctx, c.subject, i+1, i+2, in, res)
		require.NoError(t, err)
		out = append(out, res)
	}
	rec, err := run.Commit(ctx)
	return out, rec, err
}

func TestRunChecksEarlierBatches(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	eachDB(t, func(t *testing.T, dsn string) {
		l := open(t, dsn)
		sept := []claim{grantClaim("P1", "B类"), grantClaim("P2", "A")}
		out, rec, err := runSheet(t, l, set, "training-grant", "2021-09.csv", "2021-09-30", sept)
		require.NoError(t, err)
		assert.True(t, out[0].Pass && out[1].Pass)
		assert.Equal(t, 2, rec.Payments)

		// November: P1 again for B (refused, naming September's file and
		// line), P1 for C (another tier), P3 new.
		nov := []claim{grantClaim("P3", "C"), grantClaim("P1", "B"), grantClaim("P1", "C")}
		out, rec, err = runSheet(t, l, set, "training-grant", "2021-11.csv", "2021-11-30", nov)
		require.NoError(t, err)
		assert.True(t, out[0].Pass)
		assert.False(t, out[1].Pass)
		require.True(t, out[1].HasReason("duplicate-training-grant"))
		assert.Contains(t, out[1].Reasons[0].Message, "已于 2021-11-30 在 2021-09.csv 第 2 行")
		amount, _ := out[1].Output("amount")
		assert.True(t, amount.IsZero())
		assert.True(t, out[2].Pass)
		assert.Equal(t, 2, rec.Payments)
		assert.Equal(t, 1, rec.Refusals)

		// The same November file again: nothing new, and decided as before.
		again, rec, err := runSheet(t, l, set, "training-grant", "2021-11.csv", "2021-11-30", nov)
		require.NoError(t, err)
		assert.True(t, rec.Already)
		assert.Equal(t, 0, rec.Payments)
		for i := range nov {
			assert.Equal(t, out[i].Pass, again[i].Pass, "record %d decided as the first time", i)
		}

		// September's grant to P1 is reversed: a new file pays it again.
		var first int64
		for p, err := range l.Payments(context.Background(), ledger.Filter{Subject: "P1"}) {
			require.NoError(t, err)
			if p.Payment.Key == "B" {
				first = p.ID
			}
		}
		require.NotZero(t, first)
		_, err = l.Reverse(context.Background(), first, "发放错误", "李四", time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		out, _, err = runSheet(t, l, set, "training-grant", "2021-12.csv", "2021-12-10", []claim{grantClaim("P1", "B")})
		require.NoError(t, err)
		assert.True(t, out[0].Pass, "paid again after the reversal")
	})
}

func TestRunCapsMonthsAcrossBatches(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	eachDB(t, func(t *testing.T, dsn string) {
		l := open(t, dsn)
		out, _, err := runSheet(t, l, set, "work-training-subsidy", "oct.csv", "2021-10-31", []claim{monthsClaim("P1", "4")})
		require.NoError(t, err)
		assert.True(t, out[0].Pass)

		out, _, err = runSheet(t, l, set, "work-training-subsidy", "nov.csv", "2021-11-30", []claim{monthsClaim("P1", "4"), monthsClaim("P1", "1")})
		require.NoError(t, err)
		paid, _ := out[0].Output("amount")
		assert.Equal(t, "400", paid.String(), "2 of the 4 months are left")
		require.Len(t, out[0].Notes, 1)
		assert.Equal(t, "months-capped", out[0].Notes[0].Code)
		assert.False(t, out[1].Pass)
		assert.True(t, out[1].HasReason("work-training-months-exhausted"))
		n, _, err := l.Used(context.Background(), "work-training-subsidy", "P1")
		require.NoError(t, err)
		assert.Equal(t, int64(6), n)
	})
}

// Two clerks check overlapping sheets against the same ledger at once:
// both see no earlier grant, but the database lets only one record it.
func TestRunTwoClerksPayEachGrantOnce(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	eachDB(t, func(t *testing.T, dsn string) {
		a, b := open(t, dsn), open(t, dsn)
		ctx := context.Background()
		begin := func(l *ledger.Ledger, file string) *ledger.Run {
			run, err := l.Begin(ctx, set, ledger.Batch{File: file, FileSHA256: sum(file), RunTime: time.Now().UTC(),
				Rule: "training-grant", Policy: set.Meta().ID, PolicySHA256: set.Hash(), Clerk: file})
			require.NoError(t, err)
			in := rules.Input{rules.AsOf: rules.Text("2021-09-30"), "poverty_relieved": rules.Text("是"),
				"monitored": rules.Text("否"), "disaster_affected": rules.Text("是"), "certificate_tier": rules.Text("A")}
			res, err := set.Eval(ctx, "training-grant", in)
			require.NoError(t, err)
			res, err = run.Apply(ctx, "P1", 1, 2, in, res)
			require.NoError(t, err)
			require.True(t, res.Pass, "neither clerk sees the other's grant before recording")
			return run
		}
		ra, rb := begin(a, "clerk-a.csv"), begin(b, "clerk-b.csv")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, r := range []*ledger.Run{ra, rb} {
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
				assert.True(t, errors.As(err, &ce), "%v", err)
			}
		}
		assert.Equal(t, 1, failed, "exactly one clerk's batch is refused")
		n := 0
		for _, err := range a.Payments(ctx, ledger.Filter{Subject: "P1"}) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 1, n, "the grant is paid once")
	})
}
