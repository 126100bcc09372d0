package ledger_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
)

// sheet returns n training grants for the people numbered from first, one
// a row, as a county's roster gives them.
func sheet(first, n int) ([]ledger.Payment, []string) {
	// Person first+i has tier "ABC"[(first+i)%3] in every sheet.
	pays := make([]ledger.Payment, n)
	ids := make([]string, n)
	tiers := []string{"A", "B", "C"}
	for i := range pays {
		p := grant(fmt.Sprintf("41132%013d", first+i), tiers[(first+i)%3], i+1, "2021-09-30")
		p.Detail = []byte(`{"amount":"` + p.Amount.StringFixed(2) + `","reasons":[]}`)
		pays[i], ids[i] = p, p.Subject
	}
	return pays, ids
}

// BenchmarkRecord100k records one batch of 100,000 training grants (each
// checked against the unique constraint) into a new SQLite ledger.
func BenchmarkRecord100k(b *testing.B) {
	pays, _ := sheet(0, 100_000)
	ctx := context.Background()
	for i := range b.N {
		b.StopTimer()
		l, err := ledger.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("l%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rec, err := l.Record(ctx, batch("big.csv", grantRule, "2021-09-30"), pays, nil)
		if err != nil || rec.Payments != len(pays) {
			b.Fatal(rec, err)
		}
		b.StopTimer()
		l.Close()
	}
	b.ReportMetric(float64(len(pays))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCheck100kAgainst1M reads the history of a 100,000-row sheet
// (half of its people paid before) from a SQLite ledger of 1,000,000
// payments and checks every row against it.
func BenchmarkCheck100kAgainst1M(b *testing.B) {
	ctx := context.Background()
	l, err := ledger.Open(ctx, millionLedger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	sheetPays, ids := sheet(950_000, 100_000) // 50,000 paid before, 50,000 new
	b.ResetTimer()
	for range b.N {
		h, err := l.History(ctx, grantRule, ids)
		if err != nil {
			b.Fatal(err)
		}
		refused := 0
		for _, p := range sheetPays {
			if _, ok := h.Granted(p.Subject, p.Key); ok {
				refused++
			}
		}
		if refused != 50_000 {
			b.Fatalf("%d rows refused, want 50000", refused)
		}
	}
	b.ReportMetric(float64(len(ids))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// million is a SQLite ledger of 1,000,000 training grants (10 batches of
// 100,000), built once per test binary: building it takes about a minute.
var million struct {
	once      sync.Once
	dir, path string
	err       error
}

func millionLedger(b *testing.B) string {
	million.once.Do(func() {
		million.dir, million.err = os.MkdirTemp("", "ledger-bench")
		if million.err != nil {
			return
		}
		million.path = filepath.Join(million.dir, "million.db")
		ctx := context.Background()
		l, err := ledger.Open(ctx, million.path)
		if err != nil {
			million.err = err
			return
		}
		defer l.Close()
		for k := range 10 {
			pays, _ := sheet(k*100_000, 100_000)
			if _, err := l.Record(ctx, batch(fmt.Sprintf("month-%d.csv", k), grantRule, "2021-09-30"), pays, nil); err != nil {
				million.err = err
				return
			}
		}
	})
	if million.err != nil {
		b.Fatal(million.err)
	}
	return million.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if million.dir != "" {
		os.RemoveAll(million.dir)
	}
	os.Exit(code)
}

// BenchmarkRunCheck100kAgainst1M is what `fangpin eval --ledger` does with a
// 100,000-row training-grant sheet against a ledger of 1,000,000 grants
// (half of the sheet's people paid before): each row decided under the
// policy and passed through a Run, whose checks ask the ledger row by row;
// nothing is committed.
func BenchmarkRunCheck100kAgainst1M(b *testing.B) {
	ctx := context.Background()
	l, err := ledger.Open(ctx, millionLedger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	set, err := policies.Load()
	if err != nil {
		b.Fatal(err)
	}
	_, ids := sheet(950_000, 100_000)
	tiers := []string{"A", "B", "C"}
	b.ResetTimer()
	for range b.N {
		run, err := l.Begin(ctx, set, batch("check.csv", grantRule, "2021-11-30"))
		if err != nil {
			b.Fatal(err)
		}
		refused := 0
		for i, id := range ids {
			in := rules.Input{rules.AsOf: rules.Text("2021-11-30"), "poverty_relieved": rules.Text("是"), "monitored": rules.Text("否"),
				"disaster_affected": rules.Text("是"), "certificate_tier": rules.Text(tiers[(950_000+i)%3])}
			res, err := set.Eval(ctx, grantRule, in)
			if err != nil {
				b.Fatal(err)
			}
			if res, err = run.Apply(ctx, id, i+1, i+2, in, res); err != nil {
				b.Fatal(err)
			}
			if !res.Pass {
				refused++
			}
		}
		if refused != 50_000 {
			b.Fatalf("%d rows refused, want 50000", refused)
		}
	}
	b.ReportMetric(float64(len(ids))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
