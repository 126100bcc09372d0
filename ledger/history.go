package ledger

import (
	"context"
	"errors"

	"github.com/ruralrelief/fangpin/rules"
)

// Past is the ledger as the policy's checks across records see it
// ([rules.History]): what earlier batches paid. The payments of the batch
// Except are left out, so a file run again is checked as it was the first
// time.
type Past struct {
	L      *Ledger
	Except int64 // a batch left out of every lookup; 0 for none
}

var _ rules.History = Past{}

// Granted returns the earlier payment of rule to subject under key.
func (p Past) Granted(ctx context.Context, rule, subject, key string) (rules.Prior, bool, error) {
	paid, ok, err := p.L.Granted(ctx, rule, subject, key, Excluding(p.Except))
	if err != nil || !ok {
		return rules.Prior{}, false, err
	}
	return rules.Prior{Source: paid.Batch.File, Line: paid.Payment.Line, Paid: rules.DateOf(paid.Batch.RunTime), ID: paid.ID}, true, nil
}

// Used returns the quantity of rule already paid to subject.
func (p Past) Used(ctx context.Context, rule, subject string) (int64, error) {
	n, _, err := p.L.Used(ctx, rule, subject, Excluding(p.Except))
	return n, err
}

// ErrNoSubject is the error of a record that passed but names nobody: the
// ledger cannot record a payment without saying whom it pays. It comes
// inside a *rules.InputError for the field "id"; the record cannot be
// decided, the rest of the batch goes on.
var ErrNoSubject = errors.New("a payment recorded in the ledger must name whom it pays (an id, 编号 or 身份证号)")

// Run is one batch checked against the ledger and then recorded: every
// decided record passes through [Run.Apply] in input order (the policy's
// checks across records, asking the ledger for earlier batches), and
// [Run.Commit] records the batch in one transaction. The command-line tool
// and the server both record through it. A loan is recorded through
// loan.Calculator.Record, which takes the Run as its loan.Books
// ([Run.Tally], [Run.History], [Run.Add]): one payment per period of its
// subsidy. A Run is not safe for concurrent use.
type Run struct {
	l        *Ledger
	batch    Batch
	earlier  *Batch // the same file and rule, recorded before
	past     Past
	tally    *rules.Tally
	payments []Payment
	refusals []Refusal
}

// Begin starts the batch b (its ID is ignored) decided under set. If the
// same file was recorded for the same rule before, the run is checked as
// that one was and [Run.Commit] records nothing: see [Run.Earlier].
func (l *Ledger) Begin(ctx context.Context, set *rules.Set, b Batch) (*Run, error) {
	r := &Run{l: l, batch: b}
	prev, ok, err := l.FindBatch(ctx, b.FileSHA256, b.Rule)
	if err != nil {
		return nil, err
	}
	past := Past{L: l}
	if ok {
		r.earlier, past.Except = &prev, prev.ID
	}
	r.past, r.tally = past, set.NewTally(b.File, past)
	return r, nil
}

// Earlier returns the earlier recording of the same file for the same
// rule, if there is one: running it again records nothing.
func (r *Run) Earlier() (Batch, bool) {
	if r.earlier == nil {
		return Batch{}, false
	}
	return *r.earlier, true
}

// Apply passes the decision res on in, for subject at row (1-based record
// number) and line (the sheet's own row) of the batch, through the
// policy's checks across records, and keeps what the ledger is to record:
// a payment if it passes, a refusal if a check across records refused it.
// in and opts must be what res was decided with. A record that passed with
// no subject is an error of that record (ErrNoSubject in a
// *rules.InputError); any other error stops the batch.
func (r *Run) Apply(ctx context.Context, subject string, row, line int, in rules.Input, res rules.Result, opts ...rules.EvalOption) (rules.Result, error) {
	if subject == "" && res.Pass {
		return rules.Result{Rule: res.Rule}, &rules.InputError{Rule: res.Rule, Field: "id", Label: "编号", Err: ErrNoSubject}
	}
	res, e, err := r.tally.Apply(ctx, subject, line, in, res, opts...)
	if err != nil {
		return res, err
	}
	r.keep(row, e)
	return res, nil
}

// Tally returns the policy's checks across the records of the batch, for
// a typed calculator that applies them itself (loan.Calculator.Record):
// the same checks [Run.Apply] makes.
func (r *Run) Tally() *rules.Tally { return r.tally }

// History returns what earlier batches paid, as the run's checks see it:
// a file run again is checked without its own earlier batch.
func (r *Run) History() rules.History { return r.past }

// Add keeps what the batch is to record of the record at row (1-based
// record number), from entries a typed calculator made of it after the
// checks (loan.Calculator.Record: a loan's subsidy, one entry per
// period): a payment for each entry that passes, a refusal for each that
// a check refused (Refusal set), each at its entry's Line. An entry that
// passes with no subject is an error of that record (ErrNoSubject in a
// *rules.InputError), and nothing of it is kept.
func (r *Run) Add(row int, entries ...rules.Entry) error {
	for _, e := range entries {
		if e.Pass && e.Subject == "" {
			return &rules.InputError{Rule: e.Rule, Field: "id", Label: "编号", Err: ErrNoSubject}
		}
	}
	for _, e := range entries {
		r.keep(row, e)
	}
	return nil
}

// keep adds what the ledger records of the entry e of the record at row:
// a payment if it passes, a refusal if a check refused it, else nothing.
func (r *Run) keep(row int, e rules.Entry) {
	switch {
	case e.Pass:
		r.payments = append(r.payments, Payment{Rule: e.Rule, Subject: e.Subject, Key: e.Key, Quantity: e.Quantity,
			Amount: e.Amount, AsOf: e.AsOf, Row: row, Line: e.Line, Once: e.Once && e.Subject != "", Cap: e.Cap})
	case e.Refusal != "":
		rf := Refusal{Rule: e.Rule, Subject: e.Subject, Key: e.Key, Code: e.Refusal, AsOf: e.AsOf, Row: row, Line: e.Line}
		if e.Prior != nil {
			rf.Earlier = e.Prior.ID
		}
		r.refusals = append(r.refusals, rf)
	}
}

// Commit records the batch: all of it in one transaction, or nothing. A
// file recorded before for the same rule records nothing (Recorded.Already).
// A *ConflictError means another batch paid the same grant or months since
// this one was checked: nothing of this one is recorded; run it again.
func (r *Run) Commit(ctx context.Context) (Recorded, error) {
	return r.l.Record(ctx, r.batch, r.payments, r.refusals)
}
