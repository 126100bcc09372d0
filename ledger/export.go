package ledger

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// The tables [Ledger.Export] writes.
const (
	TablePayments = "payments" // one row per payment, reversed or not
	TableRefusals = "refusals" // one row per refusal
	TableTotals   = "totals"   // one row per rule and as-of month
	TableBatches  = "batches"  // one row per batch (the filter is not applied)
)

// Export returns a table of the ledger as plain values for a CSV or XLSX
// writer: the column names, and the rows in the order the matching query
// gives them. Cells are string, int64, bool or decimal.Decimal (amounts,
// to be written as exact numbers); dates and times are text (YYYY-MM-DD,
// RFC 3339 in UTC); an empty string is "none". The rows' error, if any,
// is yielded once, last.
func (l *Ledger) Export(ctx context.Context, table string, f Filter) ([]string, iter.Seq2[[]any, error], error) {
	switch table {
	case TablePayments:
		cols := []string{"id", "rule", "subject", "key", "quantity", "amount", "as_of", "row", "line",
			"once", "cap", "batch", "file", "file_sha256", "run_time", "policy", "policy_sha256", "clerk",
			"reversed", "reversal_reason", "reversed_by", "reversed_at", "detail"}
		return cols, func(yield func([]any, error) bool) {
			for p, err := range l.Payments(ctx, f) {
				if err != nil {
					yield(nil, err)
					return
				}
				y := p.Payment
				row := []any{p.ID, y.Rule, y.Subject, y.Key, y.Quantity, y.Amount, y.AsOf.String(),
					int64(y.Row), int64(y.Line), y.Once, y.Cap, p.Batch.ID, p.Batch.File, p.Batch.FileSHA256,
					stamp(p.Batch.RunTime), p.Batch.Policy, p.Batch.PolicySHA256, p.Batch.Clerk}
				if r := p.Reversal; r != nil {
					row = append(row, true, r.Reason, r.Who, stamp(r.Time))
				} else {
					row = append(row, false, "", "", "")
				}
				if !yield(append(row, string(y.Detail)), nil) {
					return
				}
			}
		}, nil
	case TableRefusals:
		cols := []string{"id", "rule", "subject", "key", "code", "as_of", "row", "line", "earlier",
			"batch", "file", "file_sha256", "run_time", "clerk", "detail"}
		return cols, func(yield func([]any, error) bool) {
			for r, err := range l.Refusals(ctx, f) {
				if err != nil {
					yield(nil, err)
					return
				}
				x := r.Refusal
				if !yield([]any{r.ID, x.Rule, x.Subject, x.Key, x.Code, x.AsOf.String(), int64(x.Row), int64(x.Line),
					x.Earlier, r.Batch.ID, r.Batch.File, r.Batch.FileSHA256, stamp(r.Batch.RunTime), r.Batch.Clerk,
					string(x.Detail)}, nil) {
					return
				}
			}
		}, nil
	case TableTotals:
		totals, err := l.Totals(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		cols := []string{"rule", "month", "payments", "quantity", "amount", "reversed", "reversed_amount"}
		return cols, func(yield func([]any, error) bool) {
			for _, t := range totals {
				if !yield([]any{t.Rule, t.Month, t.Payments, t.Quantity, t.Amount, t.Reversed, t.ReversedAmount}, nil) {
					return
				}
			}
		}, nil
	case TableBatches:
		cols := []string{"id", "file", "file_sha256", "run_time", "rule", "policy", "policy_sha256", "clerk"}
		return cols, func(yield func([]any, error) bool) {
			for b, err := range l.Batches(ctx) {
				if err != nil {
					yield(nil, err)
					return
				}
				if !yield([]any{b.ID, b.File, b.FileSHA256, stamp(b.RunTime), b.Rule, b.Policy, b.PolicySHA256, b.Clerk}, nil) {
					return
				}
			}
		}, nil
	}
	return nil, nil, &InputError{Field: "table", Err: fmt.Errorf("%q is not one of payments, refusals, totals, batches", short(table))}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
