package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Reversal (冲正) undoes a payment without changing it: the payment stays
// in the ledger, and lookups, caps and totals leave it out from then on,
// so its grant may be paid again.
type Reversal struct {
	ID      int64     `json:"id"`
	Payment int64     `json:"payment"` // the id of the payment reversed
	Reason  string    `json:"reason"`
	Who     string    `json:"who"`
	Time    time.Time `json:"time"` // when it was reversed, as the caller says; stored in UTC
}

// Errors of [Ledger.Reverse].
var (
	ErrNoPayment = errors.New("ledger: no such payment")
	ErrReversed  = errors.New("ledger: payment already reversed")
)

// Reverse records a reversal of the payment with this id, by who, for
// reason, at the time given (the library never reads the clock). A
// payment is reversed at most once: a second reversal is [ErrReversed].
func (l *Ledger) Reverse(ctx context.Context, payment int64, reason, who string, at time.Time) (Reversal, error) {
	if err := checkText(0, "reason", reason, maxDetail, true); err != nil {
		return Reversal{}, err
	}
	if err := checkText(0, "who", who, maxText, true); err != nil {
		return Reversal{}, err
	}
	if at.IsZero() {
		return Reversal{}, &InputError{Field: "time", Err: errors.New("missing")}
	}
	rv := Reversal{Payment: payment, Reason: reason, Who: who, Time: at.UTC()}
	for try := 1; ; try++ {
		err := l.reverse(ctx, &rv)
		if err == nil || !retryable(err) || try == 8 {
			return rv, err
		}
	}
}

func (l *Ledger) reverse(ctx context.Context, rv *Reversal) (err error) {
	tx, err := l.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("ledger: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var exists bool
	if err := tx.QueryRowContext(ctx, l.d.sql(`SELECT EXISTS (SELECT 1 FROM payments WHERE id = ?)`), rv.Payment).Scan(&exists); err != nil {
		return fmt.Errorf("ledger: read payment %d: %w", rv.Payment, err)
	}
	if !exists {
		return fmt.Errorf("%w: %d", ErrNoPayment, rv.Payment)
	}
	err = tx.QueryRowContext(ctx, l.d.sql(`INSERT INTO reversals (payment_id, reason, who, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (payment_id) DO NOTHING RETURNING id`), rv.Payment, rv.Reason, rv.Who, formatTime(rv.Time)).Scan(&rv.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %d", ErrReversed, rv.Payment)
	}
	if err != nil {
		return fmt.Errorf("ledger: reverse payment %d: %w", rv.Payment, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ledger: reverse payment %d: %w", rv.Payment, err)
	}
	return nil
}

// Filter selects what a query returns. Zero fields select everything; set
// fields must all match.
type Filter struct {
	Subject string // the person, project or loan id
	Rule    string
	Month   string // the as-of month, "2021-09"
	Batch   int64  // a batch id
}

// where returns the filter as SQL conditions on table alias a, with args.
func (f Filter) where(a string) (string, []any, error) {
	s, args := " WHERE 1 = 1", []any{}
	if f.Subject != "" {
		s += " AND " + a + ".subject = ?"
		args = append(args, f.Subject)
	}
	if f.Rule != "" {
		s += " AND " + a + ".rule = ?"
		args = append(args, f.Rule)
	}
	if f.Month != "" {
		if _, err := rules.ParseDate(f.Month + "-01"); err != nil || len(f.Month) != 7 {
			return "", nil, &InputError{Field: "month", Err: fmt.Errorf("%q is not written as YYYY-MM", short(f.Month))}
		}
		// Dates are stored as YYYY-MM-DD text, so text order is date order.
		s += " AND " + a + ".as_of >= ? AND " + a + ".as_of <= ?"
		args = append(args, f.Month+"-01", f.Month+"-31")
	}
	if f.Batch != 0 {
		s += " AND " + a + ".batch_id = ?"
		args = append(args, f.Batch)
	}
	return s, args, nil
}

// Payments yields the payments that match f, reversed ones included (with
// their Reversal), in the order they were recorded. Stop ranging to stop
// reading; an error is yielded once, last.
func (l *Ledger) Payments(ctx context.Context, f Filter) iter.Seq2[Paid, error] {
	return func(yield func(Paid, error) bool) {
		where, args, err := f.where("p")
		if err != nil {
			yield(Paid{}, err)
			return
		}
		rows, err := l.db.QueryContext(ctx, l.d.sql(`SELECT `+paidColumns+paidFrom+where+` ORDER BY p.id`), args...)
		if err != nil {
			yield(Paid{}, fmt.Errorf("ledger: query payments: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPaid(rows)
			if !yield(p, err) || err != nil {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Paid{}, fmt.Errorf("ledger: query payments: %w", err))
		}
	}
}

// Refused is a refusal as the ledger holds it, with the batch that
// recorded it.
type Refused struct {
	ID      int64   `json:"id"`
	Batch   Batch   `json:"batch"`
	Refusal Refusal `json:"refusal"`
}

// Refusals yields the refusals that match f (every duplicate refused for
// a person: Filter{Subject: id}), in the order they were recorded.
func (l *Ledger) Refusals(ctx context.Context, f Filter) iter.Seq2[Refused, error] {
	return func(yield func(Refused, error) bool) {
		where, args, err := f.where("x")
		if err != nil {
			yield(Refused{}, err)
			return
		}
		rows, err := l.db.QueryContext(ctx, l.d.sql(`SELECT x.id, x.rule, x.subject, x.grant_key, x.code, x.as_of,
			x.row_no, x.line_no, x.earlier_id, x.detail,
			b.id, b.file, b.file_sha256, b.run_time, b.rule, b.policy, b.policy_sha256, b.clerk
			FROM refusals x {inner} batches b ON b.id = x.batch_id`+where+` ORDER BY x.id`), args...)
		if err != nil {
			yield(Refused{}, fmt.Errorf("ledger: query refusals: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRefused(rows)
			if !yield(r, err) || err != nil {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Refused{}, fmt.Errorf("ledger: query refusals: %w", err))
		}
	}
}

func scanRefused(rows *sql.Rows) (Refused, error) {
	var (
		r                 Refused
		asOf, detail, run string
		earlier           sql.NullInt64
		row, line         int64
	)
	err := rows.Scan(&r.ID, &r.Refusal.Rule, &r.Refusal.Subject, &r.Refusal.Key, &r.Refusal.Code, &asOf,
		&row, &line, &earlier, &detail,
		&r.Batch.ID, &r.Batch.File, &r.Batch.FileSHA256, &run, &r.Batch.Rule, &r.Batch.Policy,
		&r.Batch.PolicySHA256, &r.Batch.Clerk)
	if err != nil {
		return Refused{}, fmt.Errorf("ledger: read refusal: %w", err)
	}
	r.Refusal.Row, r.Refusal.Line, r.Refusal.Earlier = int(row), int(line), earlier.Int64
	if detail != "" {
		r.Refusal.Detail = json.RawMessage(detail)
	}
	if r.Refusal.AsOf, err = rules.ParseDate(asOf); err != nil {
		return Refused{}, fmt.Errorf("ledger: refusal %d: as-of %v", r.ID, err)
	}
	r.Batch.RunTime, err = parseTime(run)
	return r, err
}

// Batches yields the batches recorded, oldest first.
func (l *Ledger) Batches(ctx context.Context) iter.Seq2[Batch, error] {
	return func(yield func(Batch, error) bool) {
		rows, err := l.db.QueryContext(ctx, `SELECT `+batchColumns+` FROM batches ORDER BY id`)
		if err != nil {
			yield(Batch{}, fmt.Errorf("ledger: query batches: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBatch(rows)
			if err != nil {
				err = fmt.Errorf("ledger: read batch: %w", err)
			}
			if !yield(b, err) || err != nil {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Batch{}, fmt.Errorf("ledger: query batches: %w", err))
		}
	}
}

// Total sums the payments of one rule whose as-of date falls in one month.
// Payments, Quantity and Amount count the payments not reversed; Reversed
// and ReversedAmount the ones reversed.
type Total struct {
	Rule           string          `json:"rule"`
	Month          string          `json:"month"` // "2021-09"
	Payments       int64           `json:"payments"`
	Quantity       int64           `json:"quantity"`
	Amount         decimal.Decimal `json:"amount"` // yuan
	Reversed       int64           `json:"reversed"`
	ReversedAmount decimal.Decimal `json:"reversed_amount"`
}

// Totals sums the payments that match f by rule and as-of month, ordered
// by rule then month. Sums are exact (integer fen in SQLite, NUMERIC in
// PostgreSQL).
func (l *Ledger) Totals(ctx context.Context, f Filter) ([]Total, error) {
	where, args, err := f.where("p")
	if err != nil {
		return nil, err
	}
	rows, err := l.db.QueryContext(ctx, l.d.sql(`SELECT p.rule, SUBSTR(p.as_of, 1, 7) AS month,
		r.id IS NOT NULL AS reversed, COUNT(*), COALESCE(SUM(p.quantity), 0), {summoney}
		FROM payments p LEFT JOIN reversals r ON r.payment_id = p.id`+where+`
		GROUP BY p.rule, SUBSTR(p.as_of, 1, 7), r.id IS NOT NULL ORDER BY 1, 2, 3`), args...)
	if err != nil {
		return nil, fmt.Errorf("ledger: totals: %w", err)
	}
	defer rows.Close()
	var out []Total
	for rows.Next() {
		var (
			rule, month string
			reversed    bool
			n, q        int64
			amount      money
		)
		if err := rows.Scan(&rule, &month, &reversed, &n, &q, &amount); err != nil {
			return nil, fmt.Errorf("ledger: totals: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Rule != rule || out[len(out)-1].Month != month {
			out = append(out, Total{Rule: rule, Month: month})
		}
		t := &out[len(out)-1]
		if reversed {
			t.Reversed, t.ReversedAmount = n, amount.v
		} else {
			t.Payments, t.Quantity, t.Amount = n, q, amount.v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: totals: %w", err)
	}
	return out, nil
}
