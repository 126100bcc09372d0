package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ledgerWithSeptember returns a SQLite ledger holding September's roster.
func ledgerWithSeptember(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "fangpin.db")
	l, err := ledger.Open(context.Background(), db)
	require.NoError(t, err)
	defer l.Close()
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	_, err = l.Record(context.Background(), ledger.Batch{
		File: "2021-09.csv", FileSHA256: hash("sep"), RunTime: time.Date(2021, 9, 30, 8, 0, 0, 0, time.UTC),
		Rule: "training-grant", Policy: "henan-2021-48", PolicySHA256: hash("policy"), Clerk: "王会计",
	}, []ledger.Payment{
		{Subject: "张伟", Key: "B", Amount: decimal.RequireFromString("1800"), AsOf: rules.MustDate("2021-09-30"), Row: 1, Line: 2, Once: true},
		{Subject: "李娜", Key: "A", Amount: decimal.RequireFromString("2000"), AsOf: rules.MustDate("2021-09-30"), Row: 2, Line: 3, Once: true},
	}, []ledger.Refusal{{Subject: "王芳", Key: "C", Code: "duplicate-training-grant", AsOf: rules.MustDate("2021-09-30"), Row: 3, Line: 4}})
	require.NoError(t, err)
	return db
}

func TestLedgerQueries(t *testing.T) {
	db := ledgerWithSeptember(t)
	out, stderr, code := cli(t, "", "ledger", "payments", "--ledger", db, "--subject", "张伟")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], "id,rule,subject,key,quantity,amount,as_of,row,line,once"), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "1,training-grant,张伟,B,0,1800.00,2021-09-30,1,2,true"), lines[1])

	out, stderr, code = cli(t, "", "ledger", "totals", "--ledger", db)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "rule,month,payments,quantity,amount,reversed,reversed_amount\n"+
		"training-grant,2021-09,2,0,3800.00,0,0.00\n", out)

	out, stderr, code = cli(t, "", "ledger", "refusals", "--ledger", db, "--month", "2021-09")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "王芳,C,duplicate-training-grant,2021-09-30,3,4")

	out, stderr, code = cli(t, "", "ledger", "reverse", "1", "--ledger", db, "--reason", "录错", "--by", "刘科长", "--at", "2021-10-08T09:00:00+08:00")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "payment 1 reversed (reversal 1)\n", out)
	_, stderr, code = cli(t, "", "ledger", "reverse", "1", "--ledger", db, "--reason", "again", "--by", "刘科长")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "already reversed")

	xlsx := filepath.Join(t.TempDir(), "payments.xlsx")
	_, stderr, code = cli(t, "", "ledger", "payments", "--ledger", db, "-o", xlsx)
	require.Equal(t, 0, code, stderr)
	r, err := table.Open(xlsx, nil, table.ReadOptions{})
	require.NoError(t, err)
	defer r.Close()
	_, cells, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, "1800", cells[5], "amount as an exact number cell")
	assert.Equal(t, "true", cells[18], "reversed")
	assert.Equal(t, "2021-10-08T01:00:00Z", cells[21], "reversed_at in UTC")
}

func TestLedgerUsageErrors(t *testing.T) {
	db := ledgerWithSeptember(t)
	for _, args := range [][]string{
		{"ledger"},
		{"ledger", "people", "--ledger", db},
		{"ledger", "payments", "--ledger", db, "--month", "2021-9"},
		{"ledger", "payments", "extra", "--ledger", db},
		{"ledger", "reverse", "x", "--ledger", db, "--reason", "r", "--by", "w"},
		{"ledger", "reverse", "1", "--ledger", db},
	} {
		_, _, code := cli(t, "", args...)
		assert.Equal(t, 2, code, "%q", args)
	}
	newer := filepath.Join(t.TempDir(), "none", "x.db")
	_, stderr, code := cli(t, "", "ledger", "batches", "--ledger", newer)
	assert.Equal(t, 2, code)
	assert.NotEmpty(t, stderr)
	_, err := os.Stat(newer)
	assert.True(t, os.IsNotExist(err))
}
