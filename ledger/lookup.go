package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ruralrelief/fangpin/rules"
)

// Paid is a payment as the ledger holds it: the payment, its id, the batch
// that paid it and, if it was reversed, the reversal.
type Paid struct {
	ID       int64     `json:"id"`
	Batch    Batch     `json:"batch"`
	Payment  Payment   `json:"payment"`
	Reversal *Reversal `json:"reversal,omitempty"` // nil unless reversed
}

// where names the batch and row of a payment, for messages:
// `"2021-09.xlsx" row 12 (line 13), batch 3 of 2021-09-30`.
func (p Paid) where() string {
	return fmt.Sprintf("%q row %d (line %d), batch %d of %s", short(p.Batch.File), p.Payment.Row, p.Payment.Line,
		p.Batch.ID, p.Batch.RunTime.UTC().Format(time.DateOnly))
}

// LookupOption changes what a history lookup sees.
type LookupOption func(*lookup)

type lookup struct{ exclude int64 }

// Excluding leaves the payments of batch out of a lookup, so that a file
// run again is checked as it was the first time rather than against its
// own earlier recording.
func Excluding(batch int64) LookupOption { return func(o *lookup) { o.exclude = batch } }

func lookupOptions(opts []LookupOption) lookup {
	var o lookup
	for _, f := range opts {
		f(&o)
	}
	return o
}

// querier is what lookups run on: the database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// paidColumns are read by scanPaid, in this order, from payments p joined
// with batches b and left-joined with reversals r.
const paidColumns = `p.id, p.rule, p.subject, p.grant_key, p.generation, p.quantity, p.cap, p.amount, p.as_of,
	p.row_no, p.line_no, p.detail,
	b.id, b.file, b.file_sha256, b.run_time, b.rule, b.policy, b.policy_sha256, b.clerk,
	r.id, r.reason, r.who, r.at`

// paidFrom reads payments first, then their batch ({inner} keeps that
// order in SQLite whatever its statistics say).
const paidFrom = ` FROM payments p {inner} batches b ON b.id = p.batch_id LEFT JOIN reversals r ON r.payment_id = p.id`

func scanPaid(rows interface{ Scan(...any) error }) (Paid, error) {
	var (
		p                    Paid
		gen, cp, rid         sql.NullInt64
		amount               money
		asOf, detail, run    string
		reason, who, at      sql.NullString
		row, line            int64
		batchRule, batchFile string
	)
	err := rows.Scan(&p.ID, &p.Payment.Rule, &p.Payment.Subject, &p.Payment.Key, &gen, &p.Payment.Quantity, &cp,
		&amount, &asOf, &row, &line, &detail,
		&p.Batch.ID, &batchFile, &p.Batch.FileSHA256, &run, &batchRule, &p.Batch.Policy, &p.Batch.PolicySHA256,
		&p.Batch.Clerk, &rid, &reason, &who, &at)
	if err != nil {
		return Paid{}, fmt.Errorf("ledger: read payment: %w", err)
	}
	p.Batch.File, p.Batch.Rule = batchFile, batchRule
	p.Payment.Once, p.Payment.Cap = gen.Valid, cp.Int64
	p.Payment.Amount = amount.v
	p.Payment.Row, p.Payment.Line = int(row), int(line)
	if detail != "" {
		p.Payment.Detail = json.RawMessage(detail)
	}
	if p.Payment.AsOf, err = rules.ParseDate(asOf); err != nil {
		return Paid{}, fmt.Errorf("ledger: payment %d: as-of %v", p.ID, err)
	}
	if p.Batch.RunTime, err = parseTime(run); err != nil {
		return Paid{}, err
	}
	if rid.Valid {
		t, err := parseTime(at.String)
		if err != nil {
			return Paid{}, err
		}
		p.Reversal = &Reversal{ID: rid.Int64, Payment: p.ID, Reason: reason.String, Who: who.String, Time: t}
	}
	return p, nil
}

// Granted returns the payment of rule to subject under key that is made
// once and not reversed, if there is one: what a second grant for the same
// person and tier collides with.
func (l *Ledger) Granted(ctx context.Context, rule, subject, key string, opts ...LookupOption) (Paid, bool, error) {
	return l.granted(ctx, l.db, rule, subject, key, lookupOptions(opts).exclude)
}

func (l *Ledger) granted(ctx context.Context, q querier, rule, subject, key string, exclude int64) (Paid, bool, error) {
	p, err := scanPaid(q.QueryRowContext(ctx, l.d.sql(`SELECT `+paidColumns+paidFrom+`
		WHERE p.rule = ? AND p.subject = ? AND p.grant_key = ? AND p.generation IS NOT NULL
		AND r.id IS NULL AND p.batch_id <> ? ORDER BY p.id LIMIT 1`), rule, subject, key, exclude))
	if errors.Is(err, sql.ErrNoRows) {
		return Paid{}, false, nil
	}
	return p, err == nil, err
}

// Used returns the quantity (months) of rule already paid to subject over
// every payment not reversed, and those payments in the order they were
// recorded.
func (l *Ledger) Used(ctx context.Context, rule, subject string, opts ...LookupOption) (int64, []Paid, error) {
	return l.used(ctx, l.db, rule, subject, lookupOptions(opts).exclude)
}

func (l *Ledger) used(ctx context.Context, q querier, rule, subject string, exclude int64) (int64, []Paid, error) {
	rows, err := q.QueryContext(ctx, l.d.sql(`SELECT `+paidColumns+paidFrom+`
		WHERE p.rule = ? AND p.subject = ? AND r.id IS NULL AND p.batch_id <> ? ORDER BY p.id`), rule, subject, exclude)
	if err != nil {
		return 0, nil, fmt.Errorf("ledger: read payments: %w", err)
	}
	defer rows.Close()
	var (
		n    int64
		paid []Paid
	)
	for rows.Next() {
		p, err := scanPaid(rows)
		if err != nil {
			return 0, nil, err
		}
		n += p.Payment.Quantity
		paid = append(paid, p)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("ledger: read payments: %w", err)
	}
	return n, paid, nil
}

// History is what the ledger had paid under one rule to a set of
// subjects, read at once by [Ledger.History]: the form to check a whole
// sheet against. It is a snapshot; a History is safe for concurrent reads.
type History struct {
	rule string
	paid map[string][]Paid // subject → payments not reversed, in recorded order
}

// chunk is how many subjects one history query asks for.
const chunk = 500

// History reads the payments not reversed of rule to each of subjects, in
// queries of a few hundred subjects each. Subjects may repeat; "" is
// ignored. Checking a sheet is then a map lookup per row.
func (l *Ledger) History(ctx context.Context, rule string, subjects []string, opts ...LookupOption) (*History, error) {
	o := lookupOptions(opts)
	h := &History{rule: rule, paid: make(map[string][]Paid)}
	seen := make(map[string]bool, len(subjects))
	var todo []string
	for _, s := range subjects {
		if s != "" && !seen[s] {
			seen[s] = true
			todo = append(todo, s)
		}
	}
	for len(todo) > 0 {
		n := min(chunk, len(todo))
		part := todo[:n]
		todo = todo[n:]
		args := make([]any, 0, n+2)
		args = append(args, rule, o.exclude)
		for _, s := range part {
			args = append(args, s)
		}
		rows, err := l.db.QueryContext(ctx, l.d.sql(`SELECT `+paidColumns+paidFrom+`
			WHERE p.rule = ? AND r.id IS NULL AND p.batch_id <> ? AND p.subject IN (?`+
			strings.Repeat(", ?", n-1)+`) ORDER BY p.id`), args...)
		if err != nil {
			return nil, fmt.Errorf("ledger: read history of %s: %w", rule, err)
		}
		for rows.Next() {
			p, err := scanPaid(rows)
			if err != nil {
				_ = rows.Close()
				return nil, err
			}
			h.paid[p.Payment.Subject] = append(h.paid[p.Payment.Subject], p)
		}
		err = rows.Err()
		_ = rows.Close()
		if err != nil {
			return nil, fmt.Errorf("ledger: read history of %s: %w", rule, err)
		}
	}
	return h, nil
}

// Granted is [Ledger.Granted] answered from the history.
func (h *History) Granted(subject, key string) (Paid, bool) {
	for _, p := range h.paid[subject] {
		if p.Payment.Once && p.Payment.Key == key {
			return p, true
		}
	}
	return Paid{}, false
}

// Used is [Ledger.Used] answered from the history.
func (h *History) Used(subject string) (int64, []Paid) {
	var n int64
	for _, p := range h.paid[subject] {
		n += p.Payment.Quantity
	}
	return n, h.paid[subject]
}

// FindBatch returns the batch that recorded the file with this SHA-256
// for rule, if any.
func (l *Ledger) FindBatch(ctx context.Context, fileSHA256, rule string) (Batch, bool, error) {
	return l.findBatch(ctx, l.db, fileSHA256, rule)
}

const batchColumns = `id, file, file_sha256, run_time, rule, policy, policy_sha256, clerk`

func scanBatch(row interface{ Scan(...any) error }) (Batch, error) {
	var (
		b   Batch
		run string
	)
	if err := row.Scan(&b.ID, &b.File, &b.FileSHA256, &run, &b.Rule, &b.Policy, &b.PolicySHA256, &b.Clerk); err != nil {
		return Batch{}, err
	}
	t, err := parseTime(run)
	b.RunTime = t
	return b, err
}

func (l *Ledger) findBatch(ctx context.Context, q querier, fileSHA256, rule string) (Batch, bool, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, l.d.sql(`SELECT `+batchColumns+` FROM batches
		WHERE file_sha256 = ? AND rule = ?`), fileSHA256, rule))
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, false, nil
	}
	if err != nil {
		return Batch{}, false, fmt.Errorf("ledger: read batch: %w", err)
	}
	return b, true, nil
}
