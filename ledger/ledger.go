package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/shopspring/decimal"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// Ledger is an open payment ledger. It is safe for concurrent use by many
// goroutines; two Ledgers (or two processes) on the same database are
// kept apart by the database itself, never by a lock in this process.
type Ledger struct {
	db *sql.DB
	d  dialect

	// afterPay, when set (by tests only), runs after each payment a
	// recording inserts, with the number inserted so far.
	afterPay func(n int) error
}

// Open opens the ledger named by dsn, creating it when it does not exist
// and migrating an older schema to the current one:
//
//   - postgres://… or postgresql://… is a PostgreSQL database, reached
//     through pgx; the URL's parameters (sslmode, search_path, …) are
//     passed on as pgx reads them;
//   - anything else is the path of a SQLite file, opened in WAL mode with
//     a busy timeout of 30 s, so other processes may read while one
//     records.
//
// A ledger whose schema is newer than this package is refused with an
// error wrapping [ErrNewerSchema]; nothing in it is changed.
func Open(ctx context.Context, dsn string) (*Ledger, error) {
	return open(ctx, dsn, len(migrations))
}

// open opens dsn and migrates it up to schema version target.
func open(ctx context.Context, dsn string, target int) (*Ledger, error) {
	var (
		driver, source string
		d              dialect
	)
	switch {
	case dsn == "":
		return nil, errors.New("ledger: no database given (a file path or a postgres:// URL)")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		driver, source, d = "pgx", dsn, dialect{postgres: true}
	default:
		if strings.ContainsAny(dsn, "?#\x00") {
			return nil, fmt.Errorf("ledger: file name %q may not contain '?', '#' or NUL", short(dsn))
		}
		driver = "sqlite"
		source = dsn + "?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)" +
			"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=cache_size(-32768)&_txlock=immediate"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("ledger: open %s: %v", d.name(), err)
	}
	if !d.postgres {
		// Bound the page caches (32 MiB each); writers take turns anyway.
		db.SetMaxOpenConns(8)
	}
	l := &Ledger{db: db, d: d}
	if err := l.migrate(ctx, target); err != nil {
		_ = db.Close() // the migration's error is the one to report
		return nil, err
	}
	return l, nil
}

// Close closes the ledger's connections.
func (l *Ledger) Close() error { return l.db.Close() }

// dialect holds the few places where SQLite and PostgreSQL differ. The
// schema and every statement are otherwise the same text.
type dialect struct{ postgres bool }

func (d dialect) name() string {
	if d.postgres {
		return "postgresql"
	}
	return "sqlite"
}

// sql rewrites a statement written with ? placeholders and {id},
// {money}, {summoney} and {inner} markers for this database.
func (d dialect) sql(q string) string {
	if d.postgres {
		q = strings.ReplaceAll(q, "{id}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
		q = strings.ReplaceAll(q, "{money}", "NUMERIC(20,2) NOT NULL CHECK (amount >= 0)")
		q = strings.ReplaceAll(q, "{summoney}", "CAST(COALESCE(SUM(amount), 0) AS TEXT)")
		q = strings.ReplaceAll(q, "{inner}", "JOIN")
		var b strings.Builder
		n := 0
		for i := 0; i < len(q); i++ {
			if q[i] == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteByte(q[i])
		}
		return b.String()
	}
	q = strings.ReplaceAll(q, "{id}", "INTEGER PRIMARY KEY")
	// Amounts are integer fen in SQLite: its NUMERIC affinity would turn
	// them into floating point, which money never touches.
	q = strings.ReplaceAll(q, "{money}", "INTEGER NOT NULL CHECK (typeof(amount) = 'integer' AND amount >= 0)")
	q = strings.ReplaceAll(q, "{summoney}", "COALESCE(SUM(amount), 0)")
	// A CROSS JOIN is an inner join whose left table SQLite's planner
	// keeps outermost: the payments found by index, then their batches.
	q = strings.ReplaceAll(q, "{inner}", "CROSS JOIN")
	return q
}

// money is the value an amount is stored as: integer fen in SQLite,
// decimal text for PostgreSQL's NUMERIC.
func (d dialect) money(a decimal.Decimal) any {
	if d.postgres {
		return a.StringFixed(2)
	}
	return a.Shift(2).IntPart()
}

// money reads an amount as either database stores it.
type money struct{ v decimal.Decimal }

func (m *money) Scan(src any) error {
	switch x := src.(type) {
	case int64:
		m.v = decimal.New(x, -2)
	case string:
		return m.parse(x)
	case []byte:
		return m.parse(string(x))
	case nil:
		m.v = decimal.Zero
	default:
		return fmt.Errorf("ledger: amount stored as %T", src)
	}
	return nil
}

func (m *money) parse(s string) error {
	v, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("ledger: amount stored as %q: %v", short(s), err)
	}
	m.v = v
	return nil
}

// short quotes at most a short prefix of long text in messages.
func short(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		i--
	}
	return s[:i] + "…"
}
