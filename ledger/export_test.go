package ledger

import (
	"context"
	"database/sql"
)

// SetAfterPay makes every recording of l call f after each payment it
// inserts, with the number inserted so far; an error from f aborts the
// recording.
func SetAfterPay(l *Ledger, f func(n int) error) { l.afterPay = f }

// DB returns l's database handle.
func DB(l *Ledger) *sql.DB { return l.db }

// Rebind rewrites a statement for l's database.
func Rebind(l *Ledger, q string) string { return l.d.sql(q) }

// OpenAt opens dsn and migrates it only up to schema version v.
func OpenAt(ctx context.Context, dsn string, v int) (*Ledger, error) { return open(ctx, dsn, v) }
