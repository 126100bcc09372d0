package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testServer is a server on the default policy and its overlays, with
// today pinned to 2021-09-01 and the logs kept.
type testServer struct {
	*Server
	log, decisions *lockedBuffer
}

func newTestServer(t testing.TB, limits Limits, overlays ...rules.Source) *testServer {
	t.Helper()
	set, err := policies.Load(overlays...)
	require.NoError(t, err)
	ts := &testServer{log: &lockedBuffer{}, decisions: &lockedBuffer{}}
	ts.Server, err = New(Config{Policy: set, Limits: limits,
		Logger:      slog.New(slog.NewJSONHandler(ts.log, nil)),
		DecisionLog: ts.decisions,
		Today:       func() rules.Date { return rules.MustDate("2021-09-01") },
		Now:         func() time.Time { return time.Date(2021, 9, 1, 9, 30, 0, 0, time.UTC) },
	})
	require.NoError(t, err)
	return ts
}

// do sends a request to the server's handler and returns the answer.
func (ts *testServer) do(t *testing.T, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	return rec
}

// apiErr reads an error answer.
func apiErr(t *testing.T, rec *httptest.ResponseRecorder) apiError {
	t.Helper()
	var e struct {
		Error apiError `json:"error"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "body %s", rec.Body)
	return e.Error
}

// decision is the part of a decision's JSON the tests read.
type decision struct {
	Rule    string `json:"rule"`
	Pass    bool   `json:"pass"`
	Reasons []struct {
		Code, Message, Clause string
	} `json:"reasons"`
	raw map[string]json.RawMessage
}

func readDecision(t *testing.T, body []byte) decision {
	t.Helper()
	var d decision
	require.NoError(t, json.Unmarshal(body, &d), "body %s", body)
	require.NoError(t, json.Unmarshal(body, &d.raw))
	return d
}

// output returns a named output's value: a top-level key of the decision,
// its value a JSON string.
func (d decision) output(t *testing.T, name string) string {
	t.Helper()
	raw, ok := d.raw[name]
	require.True(t, ok, "no output %s in %v", name, d.raw)
	var v string
	require.NoError(t, json.Unmarshal(raw, &v), "output %s is %s, not a JSON string", name, raw)
	return v
}

func (d decision) codes() []string {
	var cs []string
	for _, r := range d.Reasons {
		cs = append(cs, r.Code)
	}
	return cs
}

const grantB = `{"as_of":"2021-09-01","poverty_relieved":"是","monitored":false,"disaster_affected":true,"certificate_tier":"B类"}`

var _ = http.MethodGet

func httptestRecorder(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}
