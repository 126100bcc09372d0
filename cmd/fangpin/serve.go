package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ruralrelief/fangpin/internal/server"
	"github.com/ruralrelief/fangpin/ledger"
)

// ledgerName is a ledger's DSN as it may be printed: a PostgreSQL URL
// without its password.
func ledgerName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// serve runs the JSON API and the web page until SIGINT or SIGTERM, then
// lets the requests under way finish (up to --grace).
func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve")
	var policyFiles multi
	fs.Var(&policyFiles, "policy", "an overlay or policy file; repeatable (policies cannot be uploaded over HTTP)")
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on; give 0.0.0.0:8080 to be reached from other machines")
	ledgerDB := fs.String("ledger", "", "a payment ledger (a SQLite file or a postgres:// URL): batches and uploads are checked against it, and recorded in it when asked (?record=1, the 记入台账 box)")
	decisionLog := fs.String("decision-log", "", "append each decision as a JSON line (input, decision, policy SHA-256, time) to this file")
	maxRows := fs.Int("max-rows", server.DefaultLimits().Rows, "the most records one batch or uploaded sheet may have")
	maxUpload := fs.Int64("max-upload-mb", server.DefaultLimits().UploadBytes>>20, "the largest uploaded sheet, in MiB")
	grace := fs.Duration("grace", 10*time.Second, "how long requests under way may take to finish on shutdown")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("serve takes no arguments, got %q", pos)
	}
	if *maxRows < 1 || *maxUpload < 1 {
		return usageError("serve: --max-rows and --max-upload-mb must be at least 1")
	}
	if *maxUpload > 4096 {
		return usageError("serve: --max-upload-mb %d is more than 4096 (4 GiB)", *maxUpload)
	}
	set, err := loadPolicy(policyFiles)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	cfg := server.Config{Policy: set, Logger: logger,
		Limits: server.Limits{Rows: *maxRows, UploadBytes: *maxUpload << 20}}
	if *decisionLog != "" {
		f, err := os.OpenFile(*decisionLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return usageError("cannot open the decision log: %v", err)
		}
		defer func() { _ = f.Close() }() // unbuffered: each line reached the file when logged
		cfg.DecisionLog = f
	}
	if *ledgerDB != "" {
		l, err := ledger.Open(ctx, *ledgerDB)
		if err != nil {
			return usageError("cannot open the ledger: %v", err)
		}
		defer l.Close()
		cfg.Ledger = l
	}
	srv, err := server.New(cfg)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError("cannot listen on %s: %v", *addr, err)
	}
	hs := srv.HTTPServer(*addr)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(e.stderr, "fangpin serve: %s %s (SHA-256 %s) on http://%s/\n", set.Meta().ID, set.Meta().Number, set.Hash(), ln.Addr())
	if *ledgerDB != "" {
		fmt.Fprintf(e.stderr, "fangpin serve: ledger %s\n", ledgerName(*ledgerDB))
	}
	if err := server.Run(ctx, hs, func() error { return hs.Serve(ln) }, *grace); err != nil {
		return &exitError{code: 1, err: fmt.Errorf("serve: %v", err)}
	}
	fmt.Fprintln(e.stderr, "fangpin serve: stopped")
	return nil
}
