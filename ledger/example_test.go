package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// exampleLedger opens a new SQLite ledger in a temporary directory and
// records September's training-grant roster in it.
func exampleLedger() (*ledger.Ledger, func()) {
	dir, err := os.MkdirTemp("", "ledger-example")
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	l, err := ledger.Open(ctx, filepath.Join(dir, "fangpin.db"))
	if err != nil {
		panic(err)
	}
	sep := ledger.Batch{
		File: "2021-09 培训补贴.xlsx", FileSHA256: sum("september"),
		RunTime: time.Date(2021, 9, 30, 16, 0, 0, 0, time.UTC),
		Rule:    "training-grant", Policy: "henan-2021-48", PolicySHA256: sum("policy"), Clerk: "王会计",
	}
	if _, err := l.Record(ctx, sep, []ledger.Payment{
		{Subject: "P0012", Key: "B", Amount: decimal.RequireFromString("1800.00"),
			AsOf: rules.MustDate("2021-09-30"), Row: 12, Line: 13, Once: true},
	}, nil); err != nil {
		panic(err)
	}
	return l, func() { l.Close(); os.RemoveAll(dir) }
}

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "ledger-example")
	defer os.RemoveAll(dir)
	// A file path opens (or creates) a SQLite ledger; a postgres:// URL
	// opens a PostgreSQL one.
	l, err := ledger.Open(context.Background(), filepath.Join(dir, "fangpin.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	fmt.Println("schema version", ledger.SchemaVersion)
	// Output: schema version 2
}

func ExampleLedger_Record() {
	l, done := exampleLedger()
	defer done()
	ctx := context.Background()
	nov := ledger.Batch{
		File: "2021-11 培训补贴.xlsx", FileSHA256: sum("november"),
		RunTime: time.Date(2021, 11, 30, 16, 0, 0, 0, time.UTC),
		Rule:    "training-grant", Policy: "henan-2021-48", PolicySHA256: sum("policy"), Clerk: "李会计",
	}
	grant := ledger.Payment{Subject: "P0012", Key: "B", Amount: decimal.RequireFromString("1800.00"),
		AsOf: rules.MustDate("2021-11-30"), Row: 3, Line: 4, Once: true}

	_, err := l.Record(ctx, nov, []ledger.Payment{grant}, nil)
	var conflict *ledger.ConflictError
	if errors.As(err, &conflict) {
		fmt.Println(err)
	}
	rec, err := l.Record(ctx, nov, nil, []ledger.Refusal{{Subject: "P0012", Key: "B",
		Code: "duplicate-training-grant", AsOf: grant.AsOf, Row: 3, Line: 4, Earlier: conflict.Earlier[0].ID}})
	fmt.Println(rec.Payments, rec.Refusals, err)
	rec, err = l.Record(ctx, nov, nil, nil)
	fmt.Println("already:", rec.Already, err)
	// Output:
	// ledger: row 3 (line 4): training-grant for "P0012" key "B": already paid in "2021-09 培训补贴.xlsx" row 12 (line 13), batch 1 of 2021-09-30
	// 0 1 <nil>
	// already: true <nil>
}

func ExampleLedger_History() {
	l, done := exampleLedger()
	defer done()
	// Read once what the sheet's people were paid before, then check each
	// row against it.
	h, err := l.History(context.Background(), "training-grant", []string{"P0012", "P0013"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range []struct{ id, tier string }{{"P0012", "B"}, {"P0013", "B"}, {"P0012", "A"}} {
		if p, ok := h.Granted(row.id, row.tier); ok {
			fmt.Printf("%s %s: refused, paid in %s row %d on %s\n", row.id, row.tier, p.Batch.File, p.Payment.Row, p.Payment.AsOf)
		} else {
			fmt.Printf("%s %s: may be paid\n", row.id, row.tier)
		}
	}
	// Output:
	// P0012 B: refused, paid in 2021-09 培训补贴.xlsx row 12 on 2021-09-30
	// P0013 B: may be paid
	// P0012 A: may be paid
}

func ExampleLedger_Granted() {
	l, done := exampleLedger()
	defer done()
	p, ok, err := l.Granted(context.Background(), "training-grant", "P0012", "B")
	fmt.Println(ok, p.Batch.File, p.Payment.Line, p.Payment.Amount, err)
	// Output: true 2021-09 培训补贴.xlsx 13 1800 <nil>
}

func ExampleLedger_Used() {
	l, done := exampleLedger()
	defer done()
	ctx := context.Background()
	b := ledger.Batch{File: "以工代训.csv", FileSHA256: sum("months"), RunTime: time.Date(2021, 10, 31, 8, 0, 0, 0, time.UTC),
		Rule: "work-training-subsidy", Policy: "henan-2021-48", PolicySHA256: sum("policy"), Clerk: "王会计"}
	_, err := l.Record(ctx, b, []ledger.Payment{{Subject: "P0012", Quantity: 4, Cap: 6,
		Amount: decimal.RequireFromString("800.00"), AsOf: rules.MustDate("2021-10-31"), Row: 1, Line: 2}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	used, paid, err := l.Used(ctx, "work-training-subsidy", "P0012")
	fmt.Println(used, "months paid in", len(paid), "payment;", 6-used, "left", err)
	// Output: 4 months paid in 1 payment; 2 left <nil>
}

func ExampleLedger_Reverse() {
	l, done := exampleLedger()
	defer done()
	ctx := context.Background()
	p, _, _ := l.Granted(ctx, "training-grant", "P0012", "B")
	_, err := l.Reverse(ctx, p.ID, "身份证号录错", "刘科长", time.Date(2021, 10, 8, 9, 0, 0, 0, time.UTC))
	fmt.Println(err)
	_, ok, _ := l.Granted(ctx, "training-grant", "P0012", "B")
	fmt.Println("still granted:", ok)
	// Output:
	// <nil>
	// still granted: false
}

func ExampleLedger_Totals() {
	l, done := exampleLedger()
	defer done()
	totals, err := l.Totals(context.Background(), ledger.Filter{Rule: "training-grant"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range totals {
		fmt.Println(t.Rule, t.Month, t.Payments, t.Amount.StringFixed(2))
	}
	// Output: training-grant 2021-09 1 1800.00
}

func ExampleLedger_Export() {
	l, done := exampleLedger()
	defer done()
	cols, rows, err := l.Export(context.Background(), ledger.TablePayments, ledger.Filter{Subject: "P0012"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cols[:7])
	for row, err := range rows {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(row[:7])
	}
	// Output:
	// [id rule subject key quantity amount as_of]
	// [1 training-grant P0012 B 0 1800 2021-09-30]
}
