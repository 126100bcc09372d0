package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/ledger"
	"github.com/shopspring/decimal"
)

const ledgerUsage = `usage:
  fangpin ledger payments [--ledger DB] [--subject ID] [--rule RULE] [--month YYYY-MM] [--batch N] [-o OUTPUT]
  fangpin ledger refusals [--ledger DB] [--subject ID] [--rule RULE] [--month YYYY-MM] [--batch N] [-o OUTPUT]
  fangpin ledger totals   [--ledger DB] [--subject ID] [--rule RULE] [--month YYYY-MM] [--batch N] [-o OUTPUT]
  fangpin ledger batches  [--ledger DB] [-o OUTPUT]
  fangpin ledger reverse  [--ledger DB] PAYMENT-ID --reason TEXT --by NAME [--at TIME]

DB is a SQLite file (default fangpin.db) or a postgres:// URL. OUTPUT is a
.csv, .xlsx or .jsonl file, - for JSONL on stdout; default CSV on stdout.
`

// ledgerCmd runs the ledger's queries, exports and reversals.
func (e *env) ledgerCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, ledgerUsage)
		return &exitError{code: 2}
	}
	what, rest := args[0], args[1:]
	fs := e.flags("ledger " + what)
	db := fs.String("ledger", "fangpin.db", "the ledger: a SQLite file or a postgres:// URL")
	switch what {
	case "reverse":
		reason := fs.String("reason", "", "why the payment is reversed (required)")
		by := fs.String("by", "", "who reverses it (required)")
		at := fs.String("at", "", "when, as RFC 3339 (default: now)")
		pos, err := parse(fs, rest)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageError("ledger reverse takes one payment id, got %d arguments", len(pos))
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id <= 0 {
			return usageError("ledger reverse: payment id %q is not a number", pos[0])
		}
		if *reason == "" || *by == "" {
			return usageError("ledger reverse: --reason and --by are required")
		}
		when := time.Now()
		if *at != "" {
			if when, err = time.Parse(time.RFC3339, *at); err != nil {
				return usageError("ledger reverse: --at %q is not an RFC 3339 time", *at)
			}
		}
		l, err := ledger.Open(ctx, *db)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		defer l.Close()
		rv, err := l.Reverse(ctx, id, *reason, *by, when)
		if errors.Is(err, ledger.ErrNoPayment) || errors.Is(err, ledger.ErrReversed) {
			return &exitError{code: 1, err: err}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "payment %d reversed (reversal %d)\n", id, rv.ID)
		return nil
	case ledger.TablePayments, ledger.TableRefusals, ledger.TableTotals, ledger.TableBatches:
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, ledgerUsage)
		return nil
	default:
		fmt.Fprint(e.stderr, ledgerUsage)
		return usageError("unknown ledger command %q", what)
	}
	var f ledger.Filter
	fs.StringVar(&f.Subject, "subject", "", "only this person, project or loan id")
	fs.StringVar(&f.Rule, "rule", "", "only this rule")
	fs.StringVar(&f.Month, "month", "", "only this as-of month, YYYY-MM")
	fs.Int64Var(&f.Batch, "batch", 0, "only this batch id")
	out := fs.String("o", "", "output file (.csv, .xlsx, .jsonl; - for JSONL on stdout); default CSV on stdout")
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError("ledger %s takes no arguments, got %q", what, pos[0])
	}
	l, err := ledger.Open(ctx, *db)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	defer l.Close()
	cols, rows, err := l.Export(ctx, what, f)
	if err != nil {
		var ie *ledger.InputError
		if errors.As(err, &ie) {
			return usageError("%v", err)
		}
		return err
	}
	return e.writeExport(*out, cols, rows)
}

// writeExport writes an export's rows, each column's kind taken from the
// type of its first value (amounts as exact money cells).
func (e *env) writeExport(out string, names []string, rows iter.Seq2[[]any, error]) error {
	next, stop := iter.Pull2(rows)
	defer stop()
	first, err, ok := next()
	if ok && err != nil {
		return err
	}
	cols := make([]table.Column, len(names))
	for i, n := range names {
		cols[i] = table.Column{Name: n, Kind: table.Text}
		if ok && i < len(first) {
			switch first[i].(type) {
			case decimal.Decimal:
				cols[i].Kind = table.Money
			case int64:
				cols[i].Kind = table.Int
			case bool:
				cols[i].Kind = table.Bool
			}
		}
	}
	var w table.Writer
	if out == "" {
		w, err = table.NewWriter(e.stdout, table.CSV, cols)
	} else {
		w, err = table.Create(out, e.stdout, cols)
	}
	if err != nil {
		return usageError("%v", err)
	}
	cells := make([]table.Cell, len(cols))
	for row := first; ok; row, err, ok = next() {
		if err != nil {
			w.Abort()
			return err
		}
		for i, v := range row {
			switch x := v.(type) {
			case decimal.Decimal:
				cells[i] = table.Cell{Text: x.StringFixed(2)}
			case int64:
				cells[i] = table.Cell{Text: strconv.FormatInt(x, 10)}
			case bool:
				cells[i] = table.Cell{Text: strconv.FormatBool(x)}
			case string:
				cells[i] = table.Cell{Text: x}
			default:
				cells[i] = table.Cell{Text: fmt.Sprint(x)}
			}
		}
		if err := w.Write(table.OK, cells); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close(nil)
}
