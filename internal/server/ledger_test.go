package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postgresEnv names the variable that holds a PostgreSQL URL to run the
// ledger tests against as well, as the ledger package's own tests do.
const postgresEnv = "FANGPIN_TEST_POSTGRES"

// eachLedger runs f against a server with a new SQLite ledger and, when
// FANGPIN_TEST_POSTGRES is set, one with a new PostgreSQL ledger (a schema
// of its own, dropped afterwards).
func eachLedger(t *testing.T, f func(t *testing.T, ts *testServer, l *ledger.Ledger)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		ts, l := newLedgerServer(t, filepath.Join(t.TempDir(), "ledger.db"))
		f(t, ts, l)
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv(postgresEnv)
		if base == "" {
			t.Skip(postgresEnv + " is not set")
		}
		ts, l := newLedgerServer(t, postgresSchema(t, base))
		f(t, ts, l)
	})
}

// postgresSchema creates a schema of its own for t in the database at
// base, drops it when t ends, and returns base with search_path set to it.
func postgresSchema(t *testing.T, base string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "server_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	require.NoError(t, err)
	_, err = db.ExecContext(context.Background(), "CREATE SCHEMA "+name)
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

// newLedgerServer is a test server (today 2021-09-01) with the ledger at
// dsn. Its clock, which times the batches, is set by the tests.
func newLedgerServer(t *testing.T, dsn string) (*testServer, *ledger.Ledger) {
	t.Helper()
	l, err := ledger.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	set, err := policies.Load()
	require.NoError(t, err)
	ts := &testServer{log: &lockedBuffer{}, decisions: &lockedBuffer{}}
	ts.Server, err = New(Config{Policy: set, Ledger: l,
		Logger:      slog.New(slog.NewJSONHandler(ts.log, nil)),
		DecisionLog: ts.decisions,
		Today:       func() rules.Date { return rules.MustDate("2021-09-01") },
		Now:         func() time.Time { return time.Date(2021, 9, 30, 9, 0, 0, 0, time.UTC) },
	})
	require.NoError(t, err)
	return ts, l
}

// The two months' sheets: 李四 (P2) is in both, with the same tier.
const (
	september = "编号,姓名,脱贫人口,监测对象,因灾受损,证书工种类别\n" +
		"P1,张三,是,否,是,A类\n" +
		"P2,李四,是,否,是,B类\n"
	november = "编号,姓名,脱贫人口,监测对象,因灾受损,证书工种类别\n" +
		"P3,王五,否,是,是,C类\n" +
		"P2,李四,是,否,是,B类\n"
)

// collect reads a ledger query's rows.
func collect[T any](t *testing.T, rows iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for r, err := range rows {
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

func TestUploadRecordedThenTheSamePersonRefused(t *testing.T) {
	eachLedger(t, func(t *testing.T, ts *testServer, l *ledger.Ledger) {
		ctx := context.Background()
		form := map[string]string{"rule": "training-grant", "as_of": "2021-09-01", "format": "csv", "record": "1", "clerk": "赵会计"}
		rec := ts.postUpload(t, form, "2021-09 培训补贴.csv", []byte(september))
		require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
		page := html.UnescapeString(rec.Body.String())
		assert.Contains(t, page, "已记入台账：批次 1，付款 2 条，拒绝 0 条")
		paid := collect(t, l.Payments(ctx, ledger.Filter{}))
		require.Len(t, paid, 2)
		assert.Equal(t, "P2", paid[1].Payment.Subject)
		assert.Equal(t, "1800.00", paid[1].Payment.Amount.StringFixed(2))
		assert.Equal(t, 3, paid[1].Payment.Line, "the sheet's own line: the header is line 1")
		assert.Equal(t, "2021-09 培训补贴.csv", paid[1].Batch.File)
		assert.Equal(t, "赵会计", paid[1].Batch.Clerk)
		assert.Equal(t, ts.set.Hash(), paid[1].Batch.PolicySHA256)

		// November's sheet, only checked: 李四 is refused, naming
		// September's file and line; nothing is recorded.
		delete(form, "record")
		rec = ts.postUpload(t, form, "2021-11 培训补贴.csv", []byte(november))
		require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
		page = html.UnescapeString(rec.Body.String())
		assert.Contains(t, page, "已与台账中此前各批次核对；本次没有记入台账")
		assert.Contains(t, page, "已于 2021-09-30 在 2021-09 培训补贴.csv 第 3 行通过")
		assert.Contains(t, page, "<code>duplicate-training-grant</code>")
		_, header, rows := readResult(t, rec.Body.String())
		require.Len(t, rows, 2)
		assert.Equal(t, "true", rows[0][column(t, header, "pass")])
		assert.Equal(t, "false", rows[1][column(t, header, "pass")])
		assert.Equal(t, "0.00", rows[1][column(t, header, "amount")])
		assert.Equal(t, "duplicate-training-grant", rows[1][column(t, header, "reasons")])
		batches := collect(t, l.Batches(ctx))
		assert.Len(t, batches, 1, "a sheet only checked records nothing")

		// November's sheet recorded: 王五 paid, 李四's refusal recorded.
		form["record"] = "1"
		rec = ts.postUpload(t, form, "2021-11 培训补贴.csv", []byte(november))
		require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
		page = html.UnescapeString(rec.Body.String())
		assert.Contains(t, page, "已记入台账：批次 2，付款 1 条，拒绝 1 条")
		assert.Contains(t, page, "第 3 行通过")
		refusals := collect(t, l.Refusals(ctx, ledger.Filter{Subject: "P2"}))
		require.Len(t, refusals, 1)
		assert.Equal(t, "duplicate-training-grant", refusals[0].Refusal.Code)
		assert.Equal(t, paid[1].ID, refusals[0].Refusal.Earlier)

		// September's sheet again: recorded before, so checked as it was
		// then, and not recorded twice.
		rec = ts.postUpload(t, form, "九月.csv", []byte(september))
		require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
		page = html.UnescapeString(rec.Body.String())
		assert.Contains(t, page, "这个文件已于 2021-09-30T09:00:00Z 记入台账（批次 1，文件名 2021-09 培训补贴.csv），本次没有重复记入")
		assert.Contains(t, page, `<td id="passed">2</td>`)
		paid = collect(t, l.Payments(ctx, ledger.Filter{}))
		assert.Len(t, paid, 3)
	})
}

// batchLines is the JSONL of the two months, as the API takes them.
func batchLines(sheet string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(sheet), "\n")[1:] {
		c := strings.Split(line, ",")
		js, _ := json.Marshal(map[string]string{"id": c[0], "poverty_relieved": c[2], "monitored": c[3], "disaster_affected": c[4], "certificate_tier": c[5]})
		b.Write(js)
		b.WriteByte('\n')
	}
	return b.String()
}

func (ts *testServer) batch(t *testing.T, query, clerk, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/v1/rules/training-grant/batch"+query, strings.NewReader(body))
	if clerk != "" {
		req.Header.Set(clerkHeader, clerk)
	}
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	return rec
}

func TestBatchRecordedThenTheSamePersonRefused(t *testing.T) {
	doc := loadOpenAPI(t)
	eachLedger(t, func(t *testing.T, ts *testServer, l *ledger.Ledger) {
		ctx := context.Background()
		sept := "?record=1&file=" + url.QueryEscape("2021-09.jsonl")
		rec := ts.batch(t, sept, "赵会计", batchLines(september))
		require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
		lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
		require.Len(t, lines, 3, "a line per record, then what was recorded")
		var got struct{ Ledger recording }
		require.NoError(t, json.Unmarshal([]byte(lines[2]), &got))
		assert.Equal(t, recording{Batch: 1, File: "2021-09.jsonl", SHA256: got.Ledger.SHA256, Payments: 2, RunTime: "2021-09-30T09:00:00Z"}, got.Ledger)
		var v any
		require.NoError(t, json.Unmarshal([]byte(lines[2]), &v))
		assert.NoError(t, doc.Components.Schemas["Recording"].Value.VisitJSON(v))

		// The same body again: checked as it was the first time, not
		// recorded twice.
		again := ts.batch(t, sept, "钱会计", batchLines(september))
		againLines := strings.Split(strings.TrimSpace(again.Body.String()), "\n")
		require.Len(t, againLines, 3)
		assert.Equal(t, lines[:2], againLines[:2])
		assert.Contains(t, againLines[2], `"already":true,"payments":0`)

		// November, not recorded: 李四 is refused, naming September's file
		// and line.
		nov := readLines(t, ts.batch(t, "?file=2021-11.jsonl", "", batchLines(november)).Body.String())
		require.Len(t, nov, 2, "nothing recorded: no ledger line")
		assert.True(t, *nov[0].Pass)
		assert.False(t, *nov[1].Pass)
		d := readDecision(t, nov[1].raw)
		assert.Equal(t, []string{"duplicate-training-grant"}, d.codes())
		assert.Contains(t, d.Reasons[0].Message, "已于 2021-09-30 在 2021-09.jsonl 第 2 行通过")
		assert.Equal(t, "0.00", d.output(t, "amount"))
		batches := collect(t, l.Batches(ctx))
		assert.Len(t, batches, 1)
	})
}

func TestBatchRecordErrors(t *testing.T) {
	plain := newTestServer(t, Limits{})
	e := apiErr(t, plain.batch(t, "?record=1&file=a.jsonl", "赵会计", grantB))
	assert.Equal(t, codeNoLedger, e.Code)

	ts, l := newLedgerServer(t, filepath.Join(t.TempDir(), "ledger.db"))
	tests := []struct {
		name, query, clerk string
		status             int
		code, field        string
	}{
		{"no clerk", "?record=1&file=a.jsonl", "", 400, codeMissingInput, "clerk"},
		{"no file", "?record=1", "赵会计", 400, codeMissingInput, "file"},
		{"record is neither", "?record=maybe&file=a.jsonl", "赵会计", 400, codeInvalidInput, "record"},
		{"a file name too long", "?record=1&file=" + strings.Repeat("a", 600), "赵会计", 400, codeInvalidInput, "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.batch(t, tt.query, tt.clerk, grantB)
			assert.Equal(t, tt.status, rec.Code)
			e := apiErr(t, rec)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.field, e.Field)
		})
	}
	rec := ts.batch(t, "?record=1&file=a.jsonl&clerk="+url.QueryEscape("赵会计"), "", grantB+"\n")
	lines := readLines(t, rec.Body.String())
	require.Len(t, lines, 2, "the record, then what was recorded")
	require.NotNil(t, lines[0].Error, "a record paid must say to whom")
	assert.Equal(t, "id", lines[0].Error.Field)
	assert.Contains(t, rec.Body.String(), `"payments":0`)
	assert.Empty(t, collect(t, l.Payments(context.Background(), ledger.Filter{})))

	small, _ := newLedgerServer(t, filepath.Join(t.TempDir(), "ledger.db"))
	small.limits.BatchBytes = 100
	rec = small.batch(t, "?record=1&file=a.jsonl", "赵会计", strings.Repeat(grantB+"\n", 3))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "a batch to be recorded is read whole before any answer")
	assert.Equal(t, codeBodyTooLarge, apiErr(t, rec).Code)
}

func TestUploadRecordErrors(t *testing.T) {
	form := map[string]string{"rule": "training-grant", "as_of": "2021-09-01", "record": "1", "clerk": "赵会计"}
	plain := newTestServer(t, Limits{})
	rec := plain.postUpload(t, form, "a.csv", []byte(september))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "这个服务没有台账")
	assert.NotContains(t, rec.Body.String(), `name="record"`, "no checkbox without a ledger")

	ts, _ := newLedgerServer(t, filepath.Join(t.TempDir(), "ledger.db"))
	assert.Contains(t, ts.do(t, "GET", "/", "").Body.String(), `<input type="checkbox" name="record" id="record" value="1">`)
	delete(form, "clerk")
	rec = ts.postUpload(t, form, "a.csv", []byte(september))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "记入台账需要填写经办人")
	form["clerk"] = strings.Repeat("赵", 100)
	rec = ts.postUpload(t, form, "a.csv", []byte(september))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "表单中的 clerk 太长")
}

func TestLedgerConflictIsAConflict(t *testing.T) {
	err := &ledger.ConflictError{Payment: ledger.Payment{Rule: "training-grant", Subject: "P2", Key: "certificate_tier=B", Row: 2, Line: 3},
		Err: ledger.ErrDuplicate}
	ae := classify(errors.Join(errors.New("record"), err))
	assert.Equal(t, http.StatusConflict, ae.Status)
	assert.Equal(t, codeLedgerConflict, ae.Code)
	assert.Contains(t, ae.Message, `row 2 (line 3): training-grant for "P2"`)
}
