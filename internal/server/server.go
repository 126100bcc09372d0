// Package server is fangpin serve: a JSON API that decides the policy's rules
// for other programs, and a web page, in Chinese, for county staff who upload
// a sheet, try one case or read the policy.
//
// The server keeps no state between requests: the compiled policy is loaded
// once at start (overlays only from the command line, never over HTTP) and
// shared read-only, so any number of copies can run behind a load balancer.
// Every request is bounded: a body size, a number of rows, read and write
// timeouts. Every error is JSON {"error": {"code", "field", "message"}} on
// the API and a plain message on the page; a panic in a handler is
// recovered, logged and answered with 500.
//
// Every decision of a rule, on the API and on the page, goes through
// Server.decide (a loan's through Server.decideLoan), every record of a
// batch or an uploaded sheet through run.admit, in input order, and every
// answered decision through Server.settle (metrics, decision log). With a
// ledger (Config.Ledger) batches and sheets are checked against earlier
// batches, and recorded when the request asks for it.
package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/measures"
	"github.com/ruralrelief/fangpin/rules"
)

// Limits bound what one request may ask of the server.
type Limits struct {
	// BodyBytes caps a JSON request body (decide, explain, loans).
	BodyBytes int64
	// BatchBytes caps a JSONL batch body.
	BatchBytes int64
	// UploadBytes caps an uploaded sheet, with the rest of its form.
	UploadBytes int64
	// Rows caps the records of one batch or uploaded sheet.
	Rows int
	// LineBytes caps one line of a JSONL batch.
	LineBytes int
}

// DefaultLimits returns the limits of a server whose Config leaves them
// zero: a JSON body of 1 MiB, a batch of 64 MiB with lines of at most
// 64 KiB, an upload of 32 MiB, 100,000 records.
func DefaultLimits() Limits {
	return Limits{
		BodyBytes:   1 << 20,
		BatchBytes:  64 << 20,
		UploadBytes: 32 << 20,
		Rows:        100_000,
		LineBytes:   64 << 10,
	}
}

// Config is what a Server is built from.
type Config struct {
	// Policy is the compiled policy with its overlays.
	Policy *rules.Set
	// Ledger, if not nil, is the payment ledger: every batch and uploaded
	// sheet is checked against the batches it holds, and one asked to be
	// recorded is recorded in it. The caller opens and closes it.
	Ledger *ledger.Ledger
	// Logger gets one line per request; nil discards them.
	Logger *slog.Logger
	// DecisionLog, if not nil, gets one JSON line per decision: the
	// decision object (rules.AppendJSON, with row, line and id for a record
	// of a batch, and policy and policy_sha256), then "input" and "time".
	DecisionLog io.Writer
	// Today is the as-of date of a request that gives none; nil is the
	// server's clock in China Standard Time.
	Today func() rules.Date
	// Now is the clock of the decision log; nil is time.Now.
	Now func() time.Time
	// Limits bound each request; a zero field takes its DefaultLimits value.
	Limits Limits
}

// Server answers the API and the page. It is safe for concurrent use.
type Server struct {
	set      *rules.Set
	rules    []rules.RuleInfo
	loans    *loan.Calculator // nil when the policy has no loan rule
	loanErr  error
	ledger   *ledger.Ledger
	reg      *measures.Registry
	params   []paramHistory
	log      *slog.Logger
	today    func() rules.Date
	now      func() time.Time
	limits   Limits
	metrics  *metrics
	declog   *decisionLog
	catalog  []byte // GET /v1/rules, rendered once
	paramsJS []byte // GET /v1/parameters, rendered once
	handler  http.Handler
	tmpl     map[string]*template.Template
}

// New builds a server on a compiled policy.
func New(cfg Config) (*Server, error) {
	if cfg.Policy == nil {
		return nil, errors.New("server: no policy")
	}
	s := &Server{set: cfg.Policy, ledger: cfg.Ledger, log: cfg.Logger, today: cfg.Today, now: cfg.Now, limits: cfg.Limits}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.today == nil {
		s.today = func() rules.Date { return rules.DateOf(time.Now().In(measures.CST)) }
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.limits = s.limits.withDefaults()
	for _, id := range s.set.RuleIDs() {
		info, _ := s.set.Rule(id)
		s.rules = append(s.rules, info)
	}
	s.loans, s.loanErr = loan.New(loan.WithPolicy(s.set))
	reg, err := measures.Load()
	if err != nil {
		return nil, fmt.Errorf("server: %v", err)
	}
	s.reg = reg
	s.params = parameterHistory(s.set)
	if s.catalog, err = marshal(s.ruleCatalog()); err != nil {
		return nil, err
	}
	if s.paramsJS, err = marshal(s.parameterCatalog()); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(s.set.RuleIDs())
	if cfg.DecisionLog != nil {
		s.declog = &decisionLog{w: cfg.DecisionLog}
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.BodyBytes > 0 {
		d.BodyBytes = l.BodyBytes
	}
	if l.BatchBytes > 0 {
		d.BatchBytes = l.BatchBytes
	}
	if l.UploadBytes > 0 {
		d.UploadBytes = l.UploadBytes
	}
	if l.Rows > 0 {
		d.Rows = l.Rows
	}
	if l.LineBytes > 0 {
		d.LineBytes = l.LineBytes
	}
	return d
}

// Handler returns the server's routes with logging, metrics and recovery.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server for addr with the server's timeouts:
// headers within 10 s, a whole request within 2 minutes (an upload of the
// largest sheet allowed), the answer within 2 minutes, idle connections
// closed after 1 minute.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Run serves on srv until ctx is done, then shuts down gracefully: no new
// connections, and requests under way get up to grace to finish.
func Run(ctx context.Context, srv *http.Server, serve func() error, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// decisionLog writes one JSON line per decision; lines from concurrent
// requests never interleave.
type decisionLog struct {
	mu  sync.Mutex
	w   io.Writer
	err error // the first write error, after which nothing is written
}

func (l *decisionLog) write(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		_, l.err = l.w.Write(line)
	}
}
