package server

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the server's counters, written in Prometheus's text format
// (version 0.0.4) by hand: a few counters and two histograms do not need a
// client library.
type metrics struct {
	// decisions by rule and outcome (pass, fail, error); the rules are
	// known at start, so the map is never written after newMetrics.
	decisions map[string]*[3]atomic.Uint64
	decision  histogram // seconds per decision, all rules

	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[string]*histogram // seconds per request, by route
}

type requestKey struct {
	route string
	code  int
}

var outcomes = [3]string{"pass", "fail", "error"}

// buckets are the histograms' upper bounds in seconds: a decision takes
// microseconds, a request milliseconds, an uploaded sheet seconds.
var buckets = []float64{0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30}

type histogram struct {
	counts [14]atomic.Uint64 // one per bucket, then +Inf
	sumNs  atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	sec := d.Seconds()
	i := sort.SearchFloat64s(buckets, sec)
	h.counts[i].Add(1)
	h.sumNs.Add(uint64(d.Nanoseconds()))
}

func newMetrics(ruleIDs []string) *metrics {
	m := &metrics{decisions: map[string]*[3]atomic.Uint64{}, requests: map[requestKey]uint64{}, latency: map[string]*histogram{}}
	for _, id := range ruleIDs {
		m.decisions[id] = new([3]atomic.Uint64)
	}
	return m
}

func (m *metrics) decided(rule, outcome string, d time.Duration) {
	c, ok := m.decisions[rule]
	if !ok {
		return
	}
	for i, o := range outcomes {
		if o == outcome {
			c[i].Add(1)
		}
	}
	m.decision.observe(d)
}

func (m *metrics) request(route string, code int, d time.Duration) {
	m.mu.Lock()
	m.requests[requestKey{route, code}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{}
		m.latency[route] = h
	}
	m.mu.Unlock()
	h.observe(d)
}

// write writes every metric in the text exposition format.
func (m *metrics) write(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# HELP fangpin_decisions_total Decisions made, by rule and outcome (pass, fail, error).\n")
	b.WriteString("# TYPE fangpin_decisions_total counter\n")
	ids := make([]string, 0, len(m.decisions))
	for id := range m.decisions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for i, o := range outcomes {
			fmt.Fprintf(&b, "fangpin_decisions_total{rule=%s,outcome=%q} %d\n", label(id), o, m.decisions[id][i].Load())
		}
	}
	b.WriteString("# HELP fangpin_decision_duration_seconds Time to decide one record.\n")
	b.WriteString("# TYPE fangpin_decision_duration_seconds histogram\n")
	writeHistogram(&b, "fangpin_decision_duration_seconds", "", &m.decision)

	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	counts := make(map[requestKey]uint64, len(m.requests))
	for k, v := range m.requests {
		counts[k] = v
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	hs := make(map[string]*histogram, len(m.latency))
	for r, h := range m.latency {
		hs[r] = h
	}
	m.mu.Unlock()
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	sort.Strings(routes)
	b.WriteString("# HELP fangpin_http_requests_total HTTP requests answered, by route and status code.\n")
	b.WriteString("# TYPE fangpin_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "fangpin_http_requests_total{route=%s,code=\"%d\"} %d\n", label(k.route), k.code, counts[k])
	}
	b.WriteString("# HELP fangpin_http_request_duration_seconds Time to answer an HTTP request, by route.\n")
	b.WriteString("# TYPE fangpin_http_request_duration_seconds histogram\n")
	for _, r := range routes {
		writeHistogram(&b, "fangpin_http_request_duration_seconds", "route="+label(r)+",", hs[r])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHistogram(b *strings.Builder, name, labels string, h *histogram) {
	var cum uint64
	for i, le := range buckets {
		cum += h.counts[i].Load()
		fmt.Fprintf(b, "%s_bucket{%sle=%q} %d\n", name, labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	cum += h.counts[len(buckets)].Load()
	fmt.Fprintf(b, "%s_bucket{%sle=\"+Inf\"} %d\n", name, labels, cum)
	trim := strings.TrimSuffix(labels, ",")
	if trim != "" {
		trim = "{" + trim + "}"
	}
	fmt.Fprintf(b, "%s_sum%s %s\n", name, trim, strconv.FormatFloat(float64(h.sumNs.Load())/1e9, 'g', -1, 64))
	fmt.Fprintf(b, "%s_count%s %d\n", name, trim, cum)
}

// label quotes a label value as the text format wants: backslash, quote
// and newline escaped.
func label(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
