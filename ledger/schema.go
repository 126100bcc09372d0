package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SchemaVersion is the version of the ledger schema this package writes.
// A ledger records every version applied to it in its ledger_schema table.
const SchemaVersion = 2

// migrations[i] brings a ledger from version i to version i+1. Each is one
// transaction together with the row that records its version. Released
// steps are never edited; a change is a new step.
var migrations = [][]string{
	// 1: batches, payments and reversals.
	{
		`CREATE TABLE ledger_schema (version BIGINT PRIMARY KEY)`,
		`CREATE TABLE batches (
			id {id},
			file TEXT NOT NULL,
			file_sha256 TEXT NOT NULL,
			run_time TEXT NOT NULL,
			rule TEXT NOT NULL,
			policy TEXT NOT NULL,
			policy_sha256 TEXT NOT NULL,
			clerk TEXT NOT NULL,
			UNIQUE (file_sha256, rule)
		)`,
		// generation is NULL for a payment that may repeat (a quantity
		// under a cap, or no limit); for a payment made once per key it
		// counts the earlier payments of that key that were reversed, so
		// the unique constraint allows one live payment per key.
		`CREATE TABLE payments (
			id {id},
			batch_id BIGINT NOT NULL REFERENCES batches (id),
			rule TEXT NOT NULL,
			subject TEXT NOT NULL,
			grant_key TEXT NOT NULL,
			generation BIGINT,
			quantity BIGINT NOT NULL,
			cap BIGINT,
			amount {money},
			as_of TEXT NOT NULL,
			row_no BIGINT NOT NULL,
			line_no BIGINT NOT NULL,
			detail TEXT NOT NULL,
			UNIQUE (rule, subject, grant_key, generation)
		)`,
		`CREATE INDEX payments_batch ON payments (batch_id)`,
		`CREATE TABLE reversals (
			id {id},
			payment_id BIGINT NOT NULL UNIQUE REFERENCES payments (id),
			reason TEXT NOT NULL,
			who TEXT NOT NULL,
			at TEXT NOT NULL
		)`,
		"{append-only:ledger_schema}",
		"{append-only:batches}",
		"{append-only:payments}",
		"{append-only:reversals}",
	},
	// 2: refusals (decisions refused as duplicates or over a cap), and
	// an index for queries by as-of month.
	{
		`CREATE TABLE refusals (
			id {id},
			batch_id BIGINT NOT NULL REFERENCES batches (id),
			rule TEXT NOT NULL,
			subject TEXT NOT NULL,
			grant_key TEXT NOT NULL,
			code TEXT NOT NULL,
			as_of TEXT NOT NULL,
			row_no BIGINT NOT NULL,
			line_no BIGINT NOT NULL,
			earlier_id BIGINT REFERENCES payments (id),
			detail TEXT NOT NULL
		)`,
		`CREATE INDEX refusals_subject ON refusals (subject)`,
		`CREATE INDEX refusals_batch ON refusals (batch_id)`,
		`CREATE INDEX payments_as_of ON payments (as_of)`,
		"{append-only:refusals}",
	},
}

// ErrNewerSchema is wrapped by the error [Open] returns for a ledger written
// by a newer version of this package.
var ErrNewerSchema = errors.New("ledger: schema is newer than this program")

// appendOnly returns the statements that make table refuse UPDATE and
// DELETE (and, in PostgreSQL, TRUNCATE).
func (d dialect) appendOnly(table string) []string {
	if d.postgres {
		return []string{
			`CREATE FUNCTION ` + table + `_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'the ledger is append-only: % on ` + table + ` refused', TG_OP; END $$`,
			`CREATE TRIGGER ` + table + `_append_only BEFORE UPDATE OR DELETE ON ` + table +
				` FOR EACH ROW EXECUTE FUNCTION ` + table + `_append_only()`,
			`CREATE TRIGGER ` + table + `_no_truncate BEFORE TRUNCATE ON ` + table +
				` FOR EACH STATEMENT EXECUTE FUNCTION ` + table + `_append_only()`,
		}
	}
	var out []string
	for _, op := range []string{"UPDATE", "DELETE"} {
		out = append(out, `CREATE TRIGGER `+table+`_no_`+op+` BEFORE `+op+` ON `+table+
			` BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: `+op+` on `+table+` refused'); END`)
	}
	return out
}

// migrate brings the ledger to version target, one transaction per step.
func (l *Ledger) migrate(ctx context.Context, target int) error {
	for {
		done, err := l.migrateStep(ctx, target)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next step towards target, reporting whether the
// ledger was already there. Two processes opening a new ledger at once
// are kept apart by the transaction (SQLite's write lock; an advisory
// lock in PostgreSQL).
func (l *Ledger) migrateStep(ctx context.Context, target int) (done bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("ledger: open %s: %v", l.d.name(), err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if l.d.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7446250851)`); err != nil {
			return false, fmt.Errorf("ledger: lock for migration: %v", err)
		}
	}
	v, err := l.version(ctx, tx)
	if err != nil {
		return false, err
	}
	if v > len(migrations) {
		return false, fmt.Errorf("%w: the ledger has schema version %d, this program knows up to %d; use a newer fangpin",
			ErrNewerSchema, v, len(migrations))
	}
	if v >= target {
		return true, tx.Rollback()
	}
	for _, stmt := range migrations[v] {
		stmts := []string{stmt}
		if t, ok := cutMarker(stmt, "{append-only:"); ok {
			stmts = l.d.appendOnly(t)
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, l.d.sql(s)); err != nil {
				return false, fmt.Errorf("ledger: migrate to schema version %d: %v", v+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, l.d.sql(`INSERT INTO ledger_schema (version) VALUES (?)`), v+1); err != nil {
		return false, fmt.Errorf("ledger: migrate to schema version %d: %v", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("ledger: migrate to schema version %d: %v", v+1, err)
	}
	return false, nil
}

// version reads the ledger's schema version: 0 for a new database.
func (l *Ledger) version(ctx context.Context, tx *sql.Tx) (int, error) {
	var exists bool
	q := `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_schema')`
	if l.d.postgres {
		q = `SELECT to_regclass('ledger_schema') IS NOT NULL`
	}
	if err := tx.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return 0, fmt.Errorf("ledger: read schema version: %v", err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM ledger_schema`).Scan(&v); err != nil {
		return 0, fmt.Errorf("ledger: read schema version: %v", err)
	}
	return int(v.Int64), nil
}

// cutMarker reports whether s is "{prefix…}" and returns the text inside.
func cutMarker(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix && s[len(s)-1] == '}' {
		return s[len(prefix) : len(s)-1], true
	}
	return "", false
}
