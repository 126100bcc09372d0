// Package ledger keeps the payment ledger: what a county has paid, across
// every batch, so that a new batch can be checked against it. The most
// common audit finding about these subsidies is a payment made twice
// across months (a training grant in September's roster and again in
// November's; 以工代训 months in two batches adding up past 6), which no
// check inside one sheet can see.
//
// A ledger is a database: a SQLite file by default (a pure-Go driver, no
// cgo, nothing to install), or PostgreSQL for a county's shared server,
// chosen by a postgres:// URL in [Open]. Both hold the same schema and
// behave the same; the tests run against both.
//
// A run records like this:
//
//	l, err := ledger.Open(ctx, "fangpin.db")
//	h, err := l.History(ctx, "training-grant", subjects) // what the sheet's people were paid before
//	if p, ok := h.Granted("P0012", "B"); ok { /* refuse, naming p.Batch.File and p.Payment.Row */ }
//	rec, err := l.Record(ctx, batch, payments, refusals) // one transaction: all or nothing
//
// # Batches and idempotency
//
// A [Batch] is one run of one rule over one input file, named by the
// file's SHA-256. Recording a file already recorded for that rule records
// nothing and says so ([Recorded].Already). When a file is run again, its
// own earlier batch is left out of the lookups with [Excluding], so the
// run decides as it did the first time.
//
// # What may be paid twice
//
// A [Payment] made Once (a grant per person and tier; a loan's subsidy
// per period) is unique by (rule, subject, key) through a unique
// constraint in the database, so two clerks recording at the same moment
// cannot both pay it: the second gets a [*ConflictError] wrapping
// [ErrDuplicate], naming the payment that won, and nothing of its batch is
// recorded. A payment with a Cap (months) is checked inside the recording
// transaction, which is IMMEDIATE in SQLite (one writer at a time) and
// SERIALIZABLE in PostgreSQL (retried when the database asks), so caps
// hold under concurrency too ([ErrOverCap]).
//
// # Append-only
//
// Nothing in a ledger is updated or deleted; triggers refuse it even from
// outside this package. A payment paid in error is reversed (冲正) with
// [Ledger.Reverse], which adds a row naming the reason and who did it;
// lookups, caps and totals leave reversed payments out, so the grant can
// be paid again.
//
// # Money and dates
//
// Amounts are exact: NUMERIC(20,2) in PostgreSQL, integer fen in SQLite,
// never floating point. Amounts have at most 2 decimal places. As-of dates
// are stored as YYYY-MM-DD and run times in UTC; the library never reads
// the clock: the caller passes every time.
//
// # Schema versions
//
// A ledger records the schema versions applied to it. [Open] migrates an
// older ledger, each step in a transaction, and refuses one written by a
// newer program ([ErrNewerSchema]) without changing it.
//
// # Concurrency
//
// A [*Ledger] is safe for use by many goroutines, and many processes may
// open the same database; they are kept apart by the database alone.
package ledger
