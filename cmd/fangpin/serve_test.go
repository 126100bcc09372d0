package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an argument", []string{"serve", "training-grant"}, "serve takes no arguments"},
		{"no rows", []string{"serve", "--max-rows", "0"}, "--max-rows and --max-upload-mb must be at least 1"},
		{"huge upload", []string{"serve", "--max-upload-mb", "9999999999999"}, "is more than 4096"},
		{"bad overlay", []string{"serve", "--policy", "testdata/bad-overlay.yaml"}, "invalid policy file"},
		{"bad address", []string{"serve", "--addr", "127.0.0.1:99999"}, "cannot listen on 127.0.0.1:99999"},
		{"log in no folder", []string{"serve", "--decision-log", "no/such/dir/log.jsonl"}, "cannot open the decision log"},
		{"ledger in no folder", []string{"serve", "--ledger", "no/such/dir/ledger.db"}, "cannot open the ledger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := cli(t, "", tt.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, tt.want)
		})
	}
}

// syncBuffer is a buffer the server's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs serve with args on a free port of 127.0.0.1 until ctx
// ends, and returns its address and where its end is reported.
func startServe(t *testing.T, ctx context.Context, stderr *syncBuffer, args ...string) (string, chan error) {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, today: func() rules.Date { return rules.MustDate("2021-09-01") }}
	done := make(chan error, 1)
	go func() { done <- e.run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	addr := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)/`)
	var base string
	require.Eventually(t, func() bool {
		m := addr.FindStringSubmatch(stderr.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "serve did not start: %s", stderr)
	return base, done
}

// TestServeWithALedger records September's batch through the API, then
// sees November's refuse the same person, naming September's file.
func TestServeWithALedger(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ledger.db")
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done := startServe(t, ctx, &stderr, "--ledger", db)
	assert.Contains(t, stderr.String(), "fangpin serve: ledger "+db)

	batch := func(query, body string) string {
		req, err := http.NewRequest("POST", base+"/v1/rules/training-grant/batch"+query, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Fangpin-Clerk", "赵会计")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode, "body %s", b)
		return string(b)
	}
	p2 := `{"id":"P2","as_of":"2021-09-01","poverty_relieved":"是","monitored":"否","disaster_affected":"是","certificate_tier":"B类"}` + "\n"
	got := batch("?record=1&file=2021-09.jsonl", p2)
	assert.Contains(t, got, `"pass":true,"amount":"1800.00"`)
	assert.Contains(t, got, `{"ledger":{"batch":1,"file":"2021-09.jsonl",`)
	got = batch("?file=2021-11.jsonl", strings.Replace(p2, "2021-09-01", "2021-11-01", 1))
	assert.Contains(t, got, `"pass":false,"amount":"0.00","reasons":[{"code":"duplicate-training-grant"`)
	assert.Contains(t, got, "在 2021-09.jsonl 第 1 行通过")

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	// The ledger the server wrote is the one the CLI reads.
	paid, errs, code := cli(t, "", "ledger", "payments", "--ledger", db)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, 2, strings.Count(paid, "\n"), "a header and September's one payment: %s", paid)
	assert.Contains(t, paid, "2021-09.jsonl")
	assert.Contains(t, paid, "1800.00")
}

// TestServeRunsAndStops starts serve on a free port of 127.0.0.1, decides
// one case over HTTP and stops it the way a signal does, by ending ctx.
func TestServeRunsAndStops(t *testing.T) {
	declog := filepath.Join(t.TempDir(), "decisions.jsonl")
	var stdout, stderr syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, today: func() rules.Date { return rules.MustDate("2021-09-01") }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--decision-log", declog}) }()

	addr := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)/`)
	var base string
	require.Eventually(t, func() bool {
		m := addr.FindStringSubmatch(stderr.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "serve did not start: %s", &stderr)
	assert.Contains(t, stderr.String(), "henan-2021-48 豫办发电〔2021〕48号 (SHA-256 ")

	resp, err := http.Post(base+"/v1/rules/training-grant/decide", "application/json",
		strings.NewReader(`{"as_of":"2021-09-01","poverty_relieved":"是","monitored":"否","disaster_affected":"是","certificate_tier":"C类"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"pass":true`)
	assert.Contains(t, string(body), `"1500.00"`)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	assert.Contains(t, stderr.String(), `"msg":"request","method":"POST","path":"/v1/rules/training-grant/decide"`)
	assert.Contains(t, stderr.String(), "fangpin serve: stopped")
	logged, err := os.ReadFile(declog)
	require.NoError(t, err)
	assert.Equal(t, 1, bytes.Count(logged, []byte("\n")))
	assert.Contains(t, string(logged), `"certificate_tier":"C类"`)
	assert.Empty(t, stdout.String())
}

func TestLedgerNameHidesThePassword(t *testing.T) {
	for dsn, want := range map[string]string{
		"fangpin.db": "fangpin.db",
		"postgres://clerk:secret@db.local/fangpin":     "postgres://clerk:xxxxx@db.local/fangpin",
		"postgresql://clerk@db.local/fangpin?x=1":      "postgresql://clerk@db.local/fangpin?x=1",
		"postgres://postgres@/fangpin?host=/run/pgsql": "postgres://postgres@/fangpin?host=/run/pgsql",
	} {
		assert.Equal(t, want, ledgerName(dsn), "ledgerName(%q)", dsn)
	}
}
