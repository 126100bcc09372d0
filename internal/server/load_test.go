package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLoad sends 10,000 single decisions from 32 concurrent clients to a
// server on 127.0.0.1 and wants every one answered right. It logs the
// latency percentiles (BENCHMARKS.md keeps the figures); it asserts none,
// since a shared machine's timings are not a test result. It stops after
// 10,000 requests or 2 minutes, whichever comes first.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped under -short")
	}
	const total, clients = 10_000, 32
	ts := newTestServer(t, Limits{})
	ts.declog = nil // the test keeps no decision log of 10,000 lines
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), "the load test runs on loopback only, not %s", srv.URL)
	client := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var next atomic.Int64
	var mu sync.Mutex
	var errs []string
	latencies := make([][]time.Duration, clients)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if i > total {
					return
				}
				tier, amount := []string{"A", "B", "C"}[i%3], []string{"2000.00", "1800.00", "1500.00"}[i%3]
				affected := i%5 != 0
				body := fmt.Sprintf(`{"as_of":"2021-09-01","poverty_relieved":"是","monitored":"否","disaster_affected":%t,"certificate_tier":"%s类"}`, affected, tier)
				if !affected {
					amount = "0.00"
				}
				t0 := time.Now()
				err := decideOnce(ctx, client, srv.URL, body, affected, amount)
				latencies[c] = append(latencies[c], time.Since(t0))
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("request %d: %v", i, err))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(latencies...)
	slices.Sort(all)
	require.Empty(t, errs, "%d of %d requests failed", len(errs), len(all))
	require.Len(t, all, total, "every request was sent before the time limit")
	pct := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))] }
	t.Logf("%d decisions from %d clients in %v (%.0f/s): p50 %v, p90 %v, p99 %v, max %v",
		len(all), clients, elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), all[len(all)-1].Round(time.Microsecond))
}

func decideOnce(ctx context.Context, client *http.Client, base, body string, pass bool, amount string) error {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/rules/training-grant/decide", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	want := fmt.Sprintf(`"pass":%t`, pass)
	if !strings.Contains(string(b), want) || !strings.Contains(string(b), `"`+amount+`"`) {
		return fmt.Errorf("want %s and amount %s, got %.300s", want, amount, b)
	}
	return nil
}
