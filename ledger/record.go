package ledger

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Limits on what a batch may carry, so nothing from outside is unbounded.
const (
	maxText   = 1024     // subject, key, rule, clerk, reason code, …
	maxFile   = 4096     // an input file's name
	maxDetail = 64 << 10 // a payment's or refusal's JSON detail
)

// maxAmount bounds an amount: below 10^18, which fits NUMERIC(20,2) and
// int64 fen with room to sum a million of them.
var maxAmount = decimal.New(1, 15)

// Batch is one run of a rule over one input file: what [Ledger.Record]
// records its payments and refusals under. The caller supplies every field
// but ID (the library never reads the clock or the file).
type Batch struct {
	ID           int64     `json:"id"`            // set by the ledger
	File         string    `json:"file"`          // the input file's name as the clerk gave it
	FileSHA256   string    `json:"file_sha256"`   // the SHA-256 of the file's bytes, lower-case hex
	RunTime      time.Time `json:"run_time"`      // when the run was made; stored in UTC to the nanosecond
	Rule         string    `json:"rule"`          // the rule run over the file, e.g. "training-grant"
	Policy       string    `json:"policy"`        // the policy id, e.g. "henan-2021-48"
	PolicySHA256 string    `json:"policy_sha256"` // the SHA-256 of the policy content, lower-case hex
	Clerk        string    `json:"clerk"`         // who ran it
}

// Payment is one decision that passed, as recorded in a batch.
//
// What may be paid again is said by Once and Cap; at most one is set:
//
//   - Once: the payment is made at most once per (rule, subject, key), as a
//     training grant per person and tier, or a loan's subsidy per period
//     (key "L-0012/2021Q3"). A second one is refused by a unique constraint
//     in the database until the first is reversed.
//   - Cap > 0: quantities (months) of this rule and subject add up to at
//     most Cap over every payment not reversed, as 以工代训 months. The
//     cap is checked in the recording transaction.
//   - neither: recorded without a check.
type Payment struct {
	Rule     string          `json:"rule"`     // "" for the batch's rule
	Subject  string          `json:"subject"`  // the person, project or loan id
	Key      string          `json:"key"`      // what makes a Once payment unique for its subject: "B" for a tier; "" when nothing more
	Quantity int64           `json:"quantity"` // the units paid (months), 0 when not counted
	Amount   decimal.Decimal `json:"amount"`   // yuan, at most 2 decimal places, ≥ 0
	AsOf     rules.Date      `json:"as_of"`    // the date the entitlement was judged on
	Row      int             `json:"row"`      // the 1-based record number in the input
	Line     int             `json:"line"`     // the sheet's own row: CSV line, Excel row
	Detail   json.RawMessage `json:"detail"`   // free JSON (the decision, its explanation); empty for none
	Once     bool            `json:"once"`
	Cap      int64           `json:"cap"`
}

// withRule returns p with its rule, or rule if it names none.
func (p Payment) withRule(rule string) Payment {
	if p.Rule == "" {
		p.Rule = rule
	}
	return p
}

// Refusal is a decision a batch refused because of what was already paid
// (a duplicate grant, months over the cap), recorded so an auditor can
// list every such case. Earlier, when not 0, is the payment it collided
// with.
type Refusal struct {
	Rule    string          `json:"rule"`    // "" for the batch's rule
	Subject string          `json:"subject"` // the person, project or loan id
	Key     string          `json:"key"`     // as in Payment
	Code    string          `json:"code"`    // the reason code, e.g. "duplicate-training-grant"
	AsOf    rules.Date      `json:"as_of"`
	Row     int             `json:"row"`
	Line    int             `json:"line"`
	Earlier int64           `json:"earlier"` // the id of the payment refused against; 0 for none
	Detail  json.RawMessage `json:"detail"`
}

// Recorded is what [Ledger.Record] did.
type Recorded struct {
	// Batch is the batch as recorded, with its ID; when Already is true
	// it is the earlier batch of the same file and rule.
	Batch Batch
	// Already reports that this file had been recorded for this rule
	// before, so nothing was recorded now.
	Already  bool
	Payments int // payments recorded now
	Refusals int // refusals recorded now
}

// Errors that a [ConflictError] wraps, for errors.Is.
var (
	// ErrDuplicate: a Once payment whose (rule, subject, key) is already paid.
	ErrDuplicate = errors.New("ledger: already paid")
	// ErrOverCap: a payment whose quantity would take its subject over Cap.
	ErrOverCap = errors.New("ledger: over the cap")
)

// ConflictError is the error of a recording that would pay what the ledger
// has already paid: the payment at Row of the batch collides with Earlier
// (for a duplicate, the one payment; over a cap, every payment counted
// in Used). Nothing of the batch is recorded.
type ConflictError struct {
	Payment Payment // the payment refused, with its rule filled in
	Earlier []Paid  // what the ledger had already paid
	Used    int64   // over a cap: the quantity already paid
	Err     error   // ErrDuplicate or ErrOverCap
}

// Error names the row refused and the batch and row that paid it before.
func (e *ConflictError) Error() string {
	p := e.Payment
	where := fmt.Sprintf("ledger: row %d (line %d): %s for %q", p.Row, p.Line, p.Rule, p.Subject)
	if p.Key != "" {
		where += fmt.Sprintf(" key %q", p.Key)
	}
	if errors.Is(e.Err, ErrOverCap) {
		s := fmt.Sprintf("%s: %d more would make %d, over the cap of %d", where, p.Quantity, e.Used+p.Quantity, p.Cap)
		if len(e.Earlier) > 0 {
			s += fmt.Sprintf(" (%d already paid, the last in %s)", e.Used, e.Earlier[len(e.Earlier)-1].where())
		}
		return s
	}
	if len(e.Earlier) == 0 {
		return where + ": already paid"
	}
	return fmt.Sprintf("%s: already paid in %s", where, e.Earlier[0].where())
}

// Unwrap returns ErrDuplicate or ErrOverCap.
func (e *ConflictError) Unwrap() error { return e.Err }

// InputError is a batch, payment or refusal the ledger cannot record as
// given. Row is the record's row (0 for the batch itself).
type InputError struct {
	Row   int
	Field string
	Err   error
}

// Error names the row (or the batch) and the field, then the problem.
func (e *InputError) Error() string {
	if e.Row == 0 {
		return fmt.Sprintf("ledger: batch %s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("ledger: row %d: %s: %v", e.Row, e.Field, e.Err)
}

// Unwrap returns the problem.
func (e *InputError) Unwrap() error { return e.Err }

// Record records a batch in one transaction: the batch, every payment and
// every refusal, or nothing. It checks each payment against the ledger
// (Once and Cap, see [Payment]) inside the transaction, so two clerks
// recording at once cannot both pay one grant: the one that loses gets a
// [*ConflictError] naming its row and the payment that won, and nothing
// of its batch is recorded.
//
// A file recorded before for the same rule (same FileSHA256) records
// nothing and returns Recorded.Already with the earlier batch; so does the
// loser of two clerks recording the same file at once.
//
// Invalid input gives an [*InputError] before the database is touched.
// Record does not change payments or refusals.
// In PostgreSQL the transaction is SERIALIZABLE and is retried a few times
// when the database asks for it; in SQLite it is an IMMEDIATE transaction.
func (l *Ledger) Record(ctx context.Context, b Batch, payments []Payment, refusals []Refusal) (Recorded, error) {
	if err := checkBatch(b); err != nil {
		return Recorded{}, err
	}
	for _, p := range payments {
		if err := checkPayment(p.withRule(b.Rule)); err != nil {
			return Recorded{}, err
		}
	}
	for _, r := range refusals {
		if r.Rule == "" {
			r.Rule = b.Rule
		}
		if err := checkRefusal(r); err != nil {
			return Recorded{}, err
		}
	}
	const attempts = 8
	for try := 1; ; try++ {
		r, err := l.record(ctx, b, payments, refusals)
		if err == nil || !retryable(err) || try == attempts {
			return r, err
		}
		// Back off a little, at random, so the retries do not meet again.
		select {
		case <-ctx.Done():
			return Recorded{}, ctx.Err()
		case <-time.After(time.Duration(rand.IntN(20*try)+1) * time.Millisecond): //nolint:gosec // G404: jitter between retries, not a secret
		}
	}
}

// retryable reports a PostgreSQL serialization failure or deadlock: the
// transaction did nothing and may be run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (l *Ledger) beginWrite(ctx context.Context) (*sql.Tx, error) {
	var opts *sql.TxOptions
	if l.d.postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	return l.db.BeginTx(ctx, opts) // SQLite: BEGIN IMMEDIATE, from the DSN
}

func (l *Ledger) record(ctx context.Context, b Batch, payments []Payment, refusals []Refusal) (_ Recorded, err error) {
	tx, err := l.beginWrite(ctx)
	if err != nil {
		return Recorded{}, fmt.Errorf("ledger: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	err = tx.QueryRowContext(ctx, l.d.sql(`INSERT INTO batches
		(file, file_sha256, run_time, rule, policy, policy_sha256, clerk) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (file_sha256, rule) DO NOTHING RETURNING id`),
		b.File, b.FileSHA256, formatTime(b.RunTime), b.Rule, b.Policy, b.PolicySHA256, b.Clerk).Scan(&b.ID)
	if errors.Is(err, sql.ErrNoRows) {
		earlier, found, err := l.findBatch(ctx, tx, b.FileSHA256, b.Rule)
		if err != nil {
			return Recorded{}, err
		}
		if !found {
			return Recorded{}, fmt.Errorf("ledger: batch of %q is recorded but cannot be read back", short(b.File))
		}
		return Recorded{Batch: earlier, Already: true}, tx.Rollback()
	}
	if err != nil {
		return Recorded{}, fmt.Errorf("ledger: record batch: %w", err)
	}

	once, err := tx.PrepareContext(ctx, l.d.sql(`INSERT INTO payments
		(batch_id, rule, subject, grant_key, generation, quantity, cap, amount, as_of, row_no, line_no, detail)
		VALUES (?, ?, ?, ?, (SELECT COUNT(*) FROM payments p JOIN reversals r ON r.payment_id = p.id
			WHERE p.rule = ? AND p.subject = ? AND p.grant_key = ? AND p.generation IS NOT NULL),
			?, NULL, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING id`))
	if err != nil {
		return Recorded{}, fmt.Errorf("ledger: prepare: %w", err)
	}
	defer once.Close()
	plain, err := tx.PrepareContext(ctx, l.d.sql(`INSERT INTO payments
		(batch_id, rule, subject, grant_key, generation, quantity, cap, amount, as_of, row_no, line_no, detail)
		VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return Recorded{}, fmt.Errorf("ledger: prepare: %w", err)
	}
	defer plain.Close()
	used, err := tx.PrepareContext(ctx, l.d.sql(`SELECT COALESCE(SUM(quantity), 0) FROM payments p
		WHERE p.rule = ? AND p.subject = ? AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.payment_id = p.id)`))
	if err != nil {
		return Recorded{}, fmt.Errorf("ledger: prepare: %w", err)
	}
	defer used.Close()

	st := stmts{once: once, plain: plain, used: used}
	for i, p := range payments {
		if err := l.pay(ctx, tx, st, b.ID, p.withRule(b.Rule)); err != nil {
			return Recorded{}, err
		}
		if l.afterPay != nil {
			if err := l.afterPay(i + 1); err != nil {
				return Recorded{}, err
			}
		}
	}

	if len(refusals) > 0 {
		ins, err := tx.PrepareContext(ctx, l.d.sql(`INSERT INTO refusals
			(batch_id, rule, subject, grant_key, code, as_of, row_no, line_no, earlier_id, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return Recorded{}, fmt.Errorf("ledger: prepare: %w", err)
		}
		defer ins.Close()
		for _, r := range refusals {
			if r.Rule == "" {
				r.Rule = b.Rule
			}
			earlier := sql.NullInt64{Int64: r.Earlier, Valid: r.Earlier != 0}
			if _, err := ins.ExecContext(ctx, b.ID, r.Rule, r.Subject, r.Key, r.Code, r.AsOf.String(),
				r.Row, r.Line, earlier, string(r.Detail)); err != nil {
				return Recorded{}, fmt.Errorf("ledger: row %d: record refusal: %w", r.Row, cause(ctx, err))
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return Recorded{}, fmt.Errorf("ledger: commit: %w", err)
	}
	return Recorded{Batch: b, Payments: len(payments), Refusals: len(refusals)}, nil
}

// stmts are the statements a recording prepares once for all its payments.
type stmts struct{ once, plain, used *sql.Stmt }

// pay records one payment of batch in tx, or returns why it may not be.
func (l *Ledger) pay(ctx context.Context, tx *sql.Tx, st stmts, batch int64, p Payment) error {
	detail := string(p.Detail)
	var cp sql.NullInt64
	switch {
	case p.Once:
		var id int64
		err := st.once.QueryRowContext(ctx, batch, p.Rule, p.Subject, p.Key, p.Rule, p.Subject, p.Key,
			p.Quantity, l.d.money(p.Amount), p.AsOf.String(), p.Row, p.Line, detail).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			earlier, found, err := l.granted(ctx, tx, p.Rule, p.Subject, p.Key, 0)
			if err != nil {
				return err
			}
			ce := &ConflictError{Payment: p, Err: ErrDuplicate}
			if found {
				ce.Earlier = []Paid{earlier}
			}
			return ce
		}
		if err != nil {
			return fmt.Errorf("ledger: row %d: record payment: %w", p.Row, cause(ctx, err))
		}
		return nil
	case p.Cap > 0:
		var n int64
		if err := st.used.QueryRowContext(ctx, p.Rule, p.Subject).Scan(&n); err != nil {
			return fmt.Errorf("ledger: row %d: read quantity paid: %w", p.Row, cause(ctx, err))
		}
		if n+p.Quantity > p.Cap {
			n, paid, err := l.used(ctx, tx, p.Rule, p.Subject, 0)
			if err != nil {
				return err
			}
			return &ConflictError{Payment: p, Earlier: paid, Used: n, Err: ErrOverCap}
		}
		cp = sql.NullInt64{Int64: p.Cap, Valid: true}
	}
	if _, err := st.plain.ExecContext(ctx, batch, p.Rule, p.Subject, p.Key, p.Quantity, cp,
		l.d.money(p.Amount), p.AsOf.String(), p.Row, p.Line, detail); err != nil {
		return fmt.Errorf("ledger: row %d: record payment: %w", p.Row, cause(ctx, err))
	}
	return nil
}

// cause is err, or the context's error when the context has ended: a
// transaction whose context is cancelled closes its statements, and what
// they then say ("statement is closed") would hide why.
func cause(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return err
}

const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime writes t in UTC with a fixed width, so text order is time order.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("ledger: time stored as %q", short(s))
	}
	return t, nil
}

func checkBatch(b Batch) error {
	bad := func(field string, format string, args ...any) error {
		return &InputError{Field: field, Err: fmt.Errorf(format, args...)}
	}
	if err := checkText(0, "file", b.File, maxFile, true); err != nil {
		return err
	}
	if !isSHA256(b.FileSHA256) {
		return bad("file_sha256", "%q is not a SHA-256 in lower-case hex", short(b.FileSHA256))
	}
	if b.RunTime.IsZero() {
		return bad("run_time", "missing")
	}
	if y := b.RunTime.UTC().Year(); y < 1 || y > 9999 {
		return bad("run_time", "year %d out of range", y)
	}
	for _, f := range []struct{ name, v string }{{"rule", b.Rule}, {"policy", b.Policy}, {"clerk", b.Clerk}} {
		if err := checkText(0, f.name, f.v, maxText, true); err != nil {
			return err
		}
	}
	if !isSHA256(b.PolicySHA256) {
		return bad("policy_sha256", "%q is not a SHA-256 in lower-case hex", short(b.PolicySHA256))
	}
	return nil
}

func checkPayment(p Payment) error {
	bad := func(field string, format string, args ...any) error {
		return &InputError{Row: p.Row, Field: field, Err: fmt.Errorf(format, args...)}
	}
	if err := checkRecord(p.Row, p.Line, p.Rule, p.Subject, p.Key, p.AsOf, p.Detail); err != nil {
		return err
	}
	if p.Quantity < 0 {
		return bad("quantity", "%d is negative", p.Quantity)
	}
	if p.Amount.IsNegative() {
		return bad("amount", "%s is negative", p.Amount)
	}
	if !p.Amount.Equal(p.Amount.Round(2)) {
		return bad("amount", "%s has more than 2 decimal places", short(p.Amount.String()))
	}
	if p.Amount.Cmp(maxAmount) >= 0 {
		return bad("amount", "%s is too large", short(p.Amount.String()))
	}
	if p.Cap < 0 {
		return bad("cap", "%d is negative", p.Cap)
	}
	if p.Once && p.Cap > 0 {
		return bad("cap", "a payment made once has no cap")
	}
	return nil
}

func checkRefusal(r Refusal) error {
	if err := checkRecord(r.Row, r.Line, r.Rule, r.Subject, r.Key, r.AsOf, r.Detail); err != nil {
		return err
	}
	if err := checkText(r.Row, "code", r.Code, maxText, true); err != nil {
		return err
	}
	if r.Earlier < 0 {
		return &InputError{Row: r.Row, Field: "earlier", Err: fmt.Errorf("%d is not a payment id", r.Earlier)}
	}
	return nil
}

func checkRecord(row, line int, rule, subject, key string, asOf rules.Date, detail json.RawMessage) error {
	if row < 1 {
		return &InputError{Row: row, Field: "row", Err: fmt.Errorf("%d is not a record number (1 or more)", row)}
	}
	if line < 0 {
		return &InputError{Row: row, Field: "line", Err: fmt.Errorf("%d is negative", line)}
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{{"rule", rule, true}, {"subject", subject, true}, {"key", key, false}} {
		if err := checkText(row, f.name, f.v, maxText, f.required); err != nil {
			return err
		}
	}
	if asOf.IsZero() {
		return &InputError{Row: row, Field: "as_of", Err: errors.New("missing")}
	}
	if len(detail) > maxDetail {
		return &InputError{Row: row, Field: "detail", Err: fmt.Errorf("%d bytes, more than %d", len(detail), maxDetail)}
	}
	if len(detail) > 0 && !json.Valid(detail) {
		return &InputError{Row: row, Field: "detail", Err: fmt.Errorf("%q is not JSON", short(string(detail)))}
	}
	return nil
}

func checkText(row int, field, s string, limit int, required bool) error {
	switch {
	case required && s == "":
		return &InputError{Row: row, Field: field, Err: errors.New("missing")}
	case len(s) > limit:
		return &InputError{Row: row, Field: field, Err: fmt.Errorf("%q is longer than %d bytes", short(s), limit)}
	case !utf8.ValidString(s):
		return &InputError{Row: row, Field: field, Err: fmt.Errorf("%q is not UTF-8", short(s))}
	}
	for _, r := range s {
		if r == 0 {
			return &InputError{Row: row, Field: field, Err: fmt.Errorf("%q holds a NUL", short(s))}
		}
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	if err != nil {
		return false
	}
	for _, c := range s {
		if c >= 'A' && c <= 'F' {
			return false
		}
	}
	return true
}
