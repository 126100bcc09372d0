package ledger_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postgresEnv names the variable that holds a PostgreSQL URL to run the
// tests against as well; each test gets a schema of its own there.
const postgresEnv = "FANGPIN_TEST_POSTGRES"

// eachDB runs f as a subtest against a new SQLite ledger and, when
// FANGPIN_TEST_POSTGRES is set, a new PostgreSQL one. f gets the DSN to
// open (a fresh database nobody else uses).
func eachDB(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		f(t, filepath.Join(t.TempDir(), "ledger.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv(postgresEnv)
		if base == "" {
			t.Skip(postgresEnv + " is not set")
		}
		f(t, postgresSchema(t, base))
	})
}

// postgresSchema creates a schema of its own for t in the database at
// base, drops it when t ends, and returns base with search_path set to it.
func postgresSchema(t *testing.T, base string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "ledger_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = db.ExecContext(ctx, "CREATE SCHEMA "+name)
	require.NoError(t, err, "create schema in %s", postgresEnv)
	t.Cleanup(func() {
		_, err := db.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		assert.NoError(t, err)
		db.Close()
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t *testing.T, dsn string) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// batch returns a batch of rule for the file of this name (its SHA-256 is
// that of the name), run on day at noon in Beijing.
func batch(file, rule, day string) ledger.Batch {
	d := rules.MustDate(day).Time()
	return ledger.Batch{
		File: file, FileSHA256: sum(file), RunTime: d.Add(4 * time.Hour),
		Rule: rule, Policy: "henan-2021-48", PolicySHA256: sum("henan-2021-48"), Clerk: "王会计",
	}
}

// grant is a training grant paid once per person and tier.
func grant(subject, tier string, row int, asOf string) ledger.Payment {
	amount := map[string]string{"A": "2000.00", "B": "1800.00", "C": "1500.00"}[tier]
	return ledger.Payment{
		Subject: subject, Key: tier, Amount: decimal.RequireFromString(amount), AsOf: rules.MustDate(asOf),
		Row: row, Line: row + 1, Once: true, Detail: []byte(`{"certificate_tier":"` + tier + `"}`),
	}
}

// months is a 以工代训 payment of n months at 200.00 a month, capped at 6.
func months(subject string, n int64, row int, asOf string) ledger.Payment {
	return ledger.Payment{
		Subject: subject, Quantity: n, Amount: decimal.NewFromInt(200 * n).Round(2), AsOf: rules.MustDate(asOf),
		Row: row, Line: row + 1, Cap: 6,
	}
}

// count returns the number of rows of table.
func count(t *testing.T, l *ledger.Ledger, table string) int {
	t.Helper()
	var n int
	require.NoError(t, ledger.DB(l).QueryRow("SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

// payments returns the ledger's payments matching f, as "subject/key
// amount file:row" lines with " reversed" on reversed ones.
func payments(t *testing.T, l *ledger.Ledger, f ledger.Filter) []string {
	t.Helper()
	var out []string
	for p, err := range l.Payments(context.Background(), f) {
		require.NoError(t, err)
		s := fmt.Sprintf("%s/%s %s %s:%d", p.Payment.Subject, p.Payment.Key, p.Payment.Amount.StringFixed(2),
			p.Batch.File, p.Payment.Row)
		if p.Reversal != nil {
			s += " reversed"
		}
		out = append(out, s)
	}
	return out
}

func assertDecimal(t *testing.T, want string, got decimal.Decimal) {
	t.Helper()
	assert.True(t, decimal.RequireFromString(want).Equal(got), "got %s, want %s", got, want)
}
