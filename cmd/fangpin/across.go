package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
)

// across is how a run passes each decided record, in input order, through
// the policy's checks across records: a rules.Tally over the sheet alone,
// or, with --ledger, a ledger.Run that also asks the earlier batches and
// records this one. Both are the library's; the tool adds no check of its
// own.
type across struct {
	tally  *rules.Tally // without a ledger
	ledger *ledger.Ledger
	run    *ledger.Run
}

// ledgerFlags are the flags of a command that can record into a ledger.
type ledgerFlags struct {
	dsn, clerk *string
}

func addLedgerFlags(fs interface {
	String(name, value, usage string) *string
}) ledgerFlags {
	return ledgerFlags{
		dsn:   fs.String("ledger", "", "check against, and record into, the payment ledger: a SQLite file or a postgres:// URL"),
		clerk: fs.String("clerk", "", "who runs the batch, recorded in the ledger (default: the system user)"),
	}
}

// openAcross starts the checks of a batch of rule read from input. With a
// ledger, input must be a file: the batch is named by its SHA-256.
func (e *env) openAcross(ctx context.Context, set *rules.Set, rule, input string, f ledgerFlags) (*across, error) {
	if *f.dsn == "" {
		return &across{tally: set.NewTally(input, nil)}, nil
	}
	if input == "-" {
		return nil, usageError("--ledger needs the input as a file, so the batch can be named by its SHA-256")
	}
	sum, err := fileSHA256(input)
	if err != nil {
		return nil, usageError("cannot read input: %v", err)
	}
	l, err := ledger.Open(ctx, *f.dsn)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--ledger: %v", err)}
	}
	clerk := *f.clerk
	if clerk == "" {
		if u, err := user.Current(); err == nil {
			clerk = u.Username
		}
	}
	b := ledger.Batch{File: input, FileSHA256: sum, RunTime: e.now().UTC(), Rule: rule,
		Policy: set.Meta().ID, PolicySHA256: set.Hash(), Clerk: clerk}
	run, err := l.Begin(ctx, set, b)
	if err != nil {
		_ = l.Close()
		return nil, &exitError{code: 2, err: fmt.Errorf("--ledger: %v", err)}
	}
	return &across{ledger: l, run: run}, nil
}

// loan passes a decided loan, at row and line of the batch, through the
// checks: with a ledger, loan.Calculator.Record (a loan listed twice, the
// periods earlier batches paid, and the periods to record); without, the
// checks across the sheet alone (calc.Across). An error that is a
// *rules.InputError is this loan's (one that passed with no id).
func (a *across) loan(ctx context.Context, calc *loan.Calculator, row, line int, l loan.Loan, d loan.Decision) (loan.Decision, error) {
	if a.run != nil {
		return calc.Record(ctx, a.run, row, line, l, d)
	}
	return calc.Across(ctx, a.tally, line, l, d)
}

// sameDay refuses a loan sheet recorded before as of another day: the
// batch is named by the file's SHA-256, so the same bytes decided as of
// another day (a list of loans kept unchanged from quarter to quarter)
// would be taken for the earlier batch and record nothing. The day the
// earlier batch was decided on is its payments' as-of day.
func (a *across) sameDay(ctx context.Context, input string, asOf rules.Date) error {
	if a.run == nil || asOf.IsZero() {
		return nil
	}
	b, ok := a.run.Earlier()
	if !ok {
		return nil
	}
	for p, err := range a.ledger.Payments(ctx, ledger.Filter{Batch: b.ID}) {
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--ledger: %v", err)}
		}
		if p.Payment.AsOf != asOf {
			return usageError("%s was recorded as batch %d as of %s; the same bytes as of %s would be taken for that batch and record nothing: record the bank's sheet of %s",
				input, b.ID, p.Payment.AsOf, asOf, asOf)
		}
		break
	}
	return nil
}

// ledgered reports whether the run checks against, and records into, a
// ledger.
func (a *across) ledgered() bool { return a.run != nil }

// commit records the batch into the ledger, if there is one, and returns
// the summary lines that say what was recorded. A batch another clerk's
// overlaps with is refused whole (exit 2): nothing of it is recorded.
func (a *across) commit(ctx context.Context) ([][]string, error) {
	if a.run == nil {
		return nil, nil
	}
	rec, err := a.run.Commit(ctx)
	var ce *ledger.ConflictError
	switch {
	case errors.As(err, &ce):
		return nil, &exitError{code: 2, err: fmt.Errorf("%v; nothing of this batch was recorded and no output was written: run it again", err)}
	case err != nil:
		return nil, &exitError{code: 2, err: fmt.Errorf("--ledger: %v; nothing of this batch was recorded and no output was written", err)}
	case rec.Already:
		return [][]string{{"台账 ledger", fmt.Sprintf("already recorded as batch %d on %s; nothing new recorded", rec.Batch.ID,
			rec.Batch.RunTime.UTC().Format("2006-01-02"))}}, nil
	}
	return [][]string{{"台账 ledger", fmt.Sprintf("batch %d: %s payments and %s refusals recorded", rec.Batch.ID,
		strconv.Itoa(rec.Payments), strconv.Itoa(rec.Refusals))}}, nil
}

func (a *across) close() {
	if a.ledger != nil {
		_ = a.ledger.Close()
	}
}

// fileSHA256 is the SHA-256 of a file's bytes, lower-case hex.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // read only
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
