package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkDecideHandler is the server's own cost of one decision over
// the API: reading the JSON body, deciding, writing the decision, the
// metrics and the request log, without the network.
func BenchmarkDecideHandler(b *testing.B) {
	ts := newTestServer(b, Limits{})
	ts.declog = nil
	h := ts.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/rules/training-grant/decide", strings.NewReader(grantB))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
