package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
)

//go:embed openapi.json
var openAPI []byte

// apiHandler is an API handler: an error it returns is answered as JSON,
// if nothing was written yet.
type apiHandler func(w http.ResponseWriter, r *http.Request) error

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(method, path string, h apiHandler) {
		mux.Handle(method+" "+path, s.serveAPI(h))
		mux.Handle(path, s.serveAPI(func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", method)
			return errorf(http.StatusMethodNotAllowed, codeMethodNotAllowed, "", "%s takes %s, not %s", prefix(r.URL.Path, 80), method, r.Method)
		}))
	}
	api("POST", "/v1/rules/{rule}/decide", s.handleDecide)
	api("POST", "/v1/rules/{rule}/explain", s.handleExplain)
	api("POST", "/v1/rules/{rule}/batch", s.handleBatch)
	api("POST", "/v1/loans/decide", s.handleLoan)
	api("GET", "/v1/rules", s.handleStatic(s.catalog, "application/json"))
	api("GET", "/v1/parameters", s.handleStatic(s.paramsJS, "application/json"))
	api("GET", "/v1/openapi.json", s.handleStatic(openAPI, "application/json"))
	api("GET", "/healthz", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := fmt.Fprintf(w, "{\"status\":\"ok\",\"policy\":%s,\"policy_sha256\":%q}\n", quote(s.set.Meta().ID), s.set.Hash())
		return err
	})
	api("GET", "/metrics", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		return s.metrics.write(w)
	})
	mux.Handle("/v1/", s.serveAPI(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, codeNotFound, "", "no API at %s; see /v1/openapi.json", prefix(r.URL.Path, 80))
	}))
	s.pages(mux)
	return s.logRequests(s.recover(mux))
}

// serveAPI answers an error from h as JSON.
func (s *Server) serveAPI(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			ae := classify(err)
			if ae.Status == http.StatusInternalServerError {
				s.log.Error("request failed", "path", r.URL.Path, "err", err)
				ae.Message = "the server failed; the log says why"
			}
			writeError(w, ae)
		}
	})
}

func writeError(w http.ResponseWriter, ae *apiError) {
	if sw, ok := w.(*statusWriter); ok && sw.wrote {
		return // the answer has started; the log has the error
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(ae.Status)
	js, _ := marshal(struct {
		Error *apiError `json:"error"`
	}{ae})
	_, _ = w.Write(js) // the client may have gone; nothing is left to tell it
}

func (s *Server) handleStatic(body []byte, contentType string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", contentType)
		_, err := w.Write(body)
		return err
	}
}

// ruleOf finds the rule named in the path.
func (s *Server) ruleOf(id string) (rules.RuleInfo, *apiError) {
	info, ok := s.set.Rule(id)
	if !ok {
		return info, errorf(http.StatusNotFound, codeUnknownRule, "", "unknown rule %s; the rules are %s", prefix(id, 40), strings.Join(s.set.RuleIDs(), ", "))
	}
	return info, nil
}

// readBody reads a body of at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

// decideBody reads a decide or explain request and decides it.
func (s *Server) decideBody(w http.ResponseWriter, r *http.Request) (record, error) {
	info, ae := s.ruleOf(r.PathValue("rule"))
	if ae != nil {
		return record{}, ae
	}
	body, err := readBody(w, r, s.limits.BodyBytes)
	if err != nil {
		return record{}, err
	}
	fields, ae := readObject(body)
	if ae != nil {
		return record{}, ae
	}
	in, id, ae := inputOf(info, fields, s.today())
	if ae != nil {
		return record{}, ae
	}
	rec := record{id: id, in: in}
	s.decide(r.Context(), info, &rec)
	s.settle(rec)
	return rec, rec.err
}

func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.decideBody(w, r)
	if err != nil {
		return err
	}
	return writeJSON(w, s.decisionJSON(rec))
}

func writeJSON(w http.ResponseWriter, js []byte) error {
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(js); err != nil { //nolint:gosec // G705: JSON served as application/json, never as HTML
		return err
	}
	if len(js) > 0 && js[len(js)-1] != '\n' {
		_, err := w.Write([]byte{'\n'})
		return err
	}
	return nil
}

// explanationText is a decision explained in Chinese: the explanation,
// then each reason it did not pass, with its clause.
func explanationText(res rules.Result) string {
	var b strings.Builder
	_ = res.Explanation().WriteText(&b) // a strings.Builder does not fail
	for _, r := range res.Reasons {
		fmt.Fprintf(&b, "不符合原因：%s（%s，%s）\n", r.Message, r.Code, r.Clause)
	}
	return b.String()
}

func (s *Server) handleExplain(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.decideBody(w, r)
	if err != nil {
		return err
	}
	js, err := marshal(struct {
		Decision    json.RawMessage   `json:"decision"`
		Explanation rules.Explanation `json:"explanation"`
		Text        string            `json:"text"`
	}{s.decisionJSON(rec), rec.res.Explanation(), explanationText(rec.res)})
	if err != nil {
		return err
	}
	return writeJSON(w, js)
}

// clerkHeader names who runs a batch that is recorded in the ledger; the
// query parameter clerk does the same.
const clerkHeader = "X-Fangpin-Clerk"

// handleBatch decides a JSONL body, one object per line, and answers one
// line per record in input order as each is decided. Blank lines are
// skipped. A line that cannot be read is a line with its error; the body
// growing past its limit or the records past theirs ends the answer with a
// line {"error": …}, since the status was sent with the first line.
//
// On a server with a ledger, the records are checked against the batches
// it holds. With ?record=1 (and file, the name the lines are recorded
// under, and the clerk) the batch is also recorded in it: the body is read
// whole first (its SHA-256 names the batch), and once every line is
// answered the batch is recorded in one transaction and the answer ends
// with a line {"ledger": …} saying what was recorded, or {"error": …} when
// nothing was.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) error {
	info, ae := s.ruleOf(r.PathValue("rule"))
	if ae != nil {
		return ae
	}
	ctx := r.Context()
	q := r.URL.Query()
	toLedger, ae := recordFlag(q.Get("record"))
	if ae != nil {
		return ae
	}
	source := strings.TrimSpace(q.Get("file"))
	var body io.Reader = http.MaxBytesReader(w, r.Body, s.limits.BatchBytes)
	var rn *run
	if toLedger {
		clerk := strings.TrimSpace(r.Header.Get(clerkHeader))
		if clerk == "" {
			clerk = strings.TrimSpace(q.Get("clerk"))
		}
		if ae := s.canRecord(source, clerk); ae != nil {
			return ae
		}
		f, sum, err := spool(body)
		if err != nil {
			return err
		}
		defer func() { // a temporary copy of the request: nothing to keep
			_ = f.Close()
			_ = os.Remove(f.Name())
		}()
		body = f
		if rn, err = s.recordRun(ctx, info, ledger.Batch{File: source, FileSHA256: sum, RunTime: s.now(), Clerk: clerk}); err != nil {
			return err
		}
	} else {
		if source == "" {
			source = "本批次"
		}
		rn = s.newRun(ctx, info, source, 0)
	}
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex() // read the body while answering; HTTP/2 needs nothing, HTTP/1 without it only buffers
	lines := newLineReader(body, s.limits.LineBytes)
	w.Header().Set("Content-Type", "application/x-ndjson")
	out := bufio.NewWriterSize(w, 32<<10)
	day := s.today()
	rows := 0
	end := func(err error) error {
		ae := classify(err)
		if ae.Status == http.StatusInternalServerError {
			s.log.Error("batch failed", "rule", info.ID, "err", err)
			ae = errorf(ae.Status, ae.Code, "", "the server failed; the log says why")
		}
		js, _ := marshal(struct {
			Error *apiError `json:"error"`
		}{ae})
		out.Write(js)
		return out.Flush()
	}
	for {
		if lines.r.Buffered() == 0 && out.Buffered() > 0 {
			// Send what is decided before waiting for more of the body.
			if out.Flush() != nil || rc.Flush() != nil {
				return nil // the client has gone
			}
		}
		text, line, err := lines.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, errLineTooLong) {
			return end(err)
		}
		if err == nil && len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		if ctx.Err() != nil {
			return nil // the client has gone
		}
		rows++
		if rows > s.limits.Rows {
			return end(errorf(http.StatusRequestEntityTooLarge, codeTooManyRows, "", "a batch may have at most %d records; split the rest into another request", s.limits.Rows))
		}
		rec := record{row: rows, line: line}
		if err != nil {
			rec.err = errorf(http.StatusRequestEntityTooLarge, codeLineTooLong, "", "line %d is longer than %d bytes", line, s.limits.LineBytes)
		} else {
			s.decideLine(ctx, info, text, day, &rec)
		}
		rec = rn.admit(rec)
		s.settle(rec)
		out.Write(recordJSON(info, rec))
		out.WriteByte('\n')
	}
	if toLedger {
		if ctx.Err() != nil {
			return nil // the client has gone: nothing is recorded
		}
		got, err := rn.commit(ctx)
		if err != nil {
			return end(err)
		}
		js, _ := marshal(struct {
			Ledger recording `json:"ledger"`
		}{recordingOf(got)})
		out.Write(js)
	}
	return out.Flush()
}

// recordFlag reads ?record= or the form's checkbox: "1", "true", "on" or
// "是" record; "", "0", "false", "off" or "否" do not.
func recordFlag(v string) (bool, *apiError) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "on", "yes", "是":
		return true, nil
	case "", "0", "false", "off", "no", "否":
		return false, nil
	}
	return false, errorf(http.StatusBadRequest, codeInvalidInput, "record", "record is 1 (record the batch in the ledger) or 0, not %s", prefix(v, 20))
}

// maxNameBytes bounds a recorded batch's file name and clerk.
const maxNameBytes = 512

// canRecord says why a batch cannot be recorded, if it cannot: no ledger,
// no file name, no clerk.
func (s *Server) canRecord(file, clerk string) *apiError {
	switch {
	case s.ledger == nil:
		return errorf(http.StatusBadRequest, codeNoLedger, "record", "this server keeps no ledger (start it with --ledger DB) and cannot record a batch")
	case file == "":
		return errorf(http.StatusBadRequest, codeMissingInput, "file", "a batch to be recorded needs the name of its file (?file=2021-09 培训补贴.jsonl): the ledger names it to every later batch that pays the same person")
	case clerk == "":
		return errorf(http.StatusBadRequest, codeMissingInput, "clerk", "a batch to be recorded needs the clerk who runs it (the %s header or ?clerk=)", clerkHeader)
	case len(file) > maxNameBytes || !utf8.ValidString(file):
		return errorf(http.StatusBadRequest, codeInvalidInput, "file", "the file name %s is longer than %d bytes or not UTF-8", prefix(file, 40), maxNameBytes)
	case len(clerk) > maxNameBytes || !utf8.ValidString(clerk):
		return errorf(http.StatusBadRequest, codeInvalidInput, "clerk", "the clerk %s is longer than %d bytes or not UTF-8", prefix(clerk, 40), maxNameBytes)
	}
	return nil
}

// spool copies a body to a temporary file, returning the file (at its
// start) and the SHA-256 of its bytes in lower-case hex.
func spool(body io.Reader) (*os.File, string, error) {
	f, err := os.CreateTemp("", "fangpin-batch-*.jsonl")
	if err != nil {
		return nil, "", err
	}
	h := sha256.New()
	if _, err = io.Copy(io.MultiWriter(f, h), body); err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close() // the copy failed: that error is the one to report
		_ = os.Remove(f.Name())
		return nil, "", err
	}
	return f, hex.EncodeToString(h.Sum(nil)), nil
}

// decideLine reads one line of a batch into rec and decides it.
func (s *Server) decideLine(ctx context.Context, info rules.RuleInfo, text []byte, day rules.Date, rec *record) {
	fields, ae := readObject(text)
	if ae != nil {
		rec.err = ae
		return
	}
	in, id, ae := inputOf(info, fields, day)
	rec.id = id
	if ae != nil {
		rec.err = ae
		return
	}
	rec.in = in
	s.decide(ctx, info, rec)
}

// handleLoan decides a loan's interest subsidy. The body has the loan
// fields of the design (see loan.Fields), by name or Chinese label; the
// repayments are a list of {"date", "amount"} or the text form
// "YYYY-MM-DD:amount;…".
func (s *Server) handleLoan(w http.ResponseWriter, r *http.Request) error {
	if s.loans == nil {
		return errorf(http.StatusNotFound, codeUnknownRule, "", "this policy cannot decide loans: %v", s.loanErr)
	}
	body, err := readBody(w, r, s.limits.BodyBytes)
	if err != nil {
		return err
	}
	fields, ae := readObject(body)
	if ae != nil {
		return ae
	}
	text, ae := loanText(fields)
	if ae != nil {
		return ae
	}
	start := time.Now()
	dec, err := s.decideLoan(r.Context(), text)
	out := "error"
	if err == nil {
		out = "fail"
		if dec.Granted {
			out = "pass"
		}
	}
	s.metrics.decided(loan.Rule, out, time.Since(start))
	var js []byte
	if err == nil {
		js, err = json.Marshal(dec)
	}
	if s.declog != nil {
		logged := js
		if err != nil {
			logged = rules.AppendJSON(nil, rules.Result{Rule: loan.Rule}, err, rules.JSONOptions{ID: text["id"], Policy: s.set})
		}
		s.logLine(logged, text)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, js)
}

func (s *Server) decideLoan(ctx context.Context, text map[string]string) (loan.Decision, error) {
	l, err := loan.Parse(func(name string) string { return text[name] })
	if err != nil {
		return loan.Decision{}, err
	}
	return s.loans.Subsidy(ctx, l)
}

// loanText maps a loan object to the text of each field, as loan.Parse
// reads it.
func loanText(fields []field) (map[string]string, *apiError) {
	byKey := map[string]string{}
	var names []string
	for _, f := range loan.Fields() {
		byKey[f.Name], byKey[f.Label] = f.Name, f.Name
		names = append(names, f.Name)
	}
	text := map[string]string{}
	for _, f := range fields {
		name, ok := byKey[f.key]
		if !ok {
			return nil, errorf(http.StatusBadRequest, codeUnknownField, f.key, "a loan has no field %s; its fields are %s", prefix(f.key, 40), strings.Join(names, ", "))
		}
		if _, dup := text[name]; dup {
			return nil, errorf(http.StatusBadRequest, codeDuplicateField, name, "the field %s is given twice", name)
		}
		switch {
		case f.null:
			text[name] = ""
		case f.raw != nil && name == "repayments":
			var rs []struct {
				Date   json.RawMessage `json:"date"`
				Amount json.RawMessage `json:"amount"`
			}
			if err := json.Unmarshal(f.raw, &rs); err != nil {
				return nil, errorf(http.StatusUnprocessableEntity, codeInvalidInput, name, "repayments must be a list of {\"date\": \"YYYY-MM-DD\", \"amount\": \"1000.00\"}: %v", err)
			}
			parts := make([]string, len(rs))
			for i, rp := range rs {
				parts[i] = scalarText(rp.Date) + ":" + scalarText(rp.Amount)
			}
			text[name] = strings.Join(parts, ";")
		case f.raw != nil:
			return nil, errorf(http.StatusUnprocessableEntity, codeInvalidInput, name, "%s must be a string, a number or true/false, not %s", name, prefix(string(f.raw), 40))
		default:
			text[name] = f.text
		}
	}
	return text, nil
}

// quote writes s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// scalarText is a JSON string's text or a number's own digits.
func scalarText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// statusWriter records what a handler answered, for the log and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request and counts it in the metrics.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.request(route, sw.status, d)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("duration", d),
			slog.String("remote", r.RemoteAddr))
	})
}

// recover turns a panic in a handler into a 500 and a log line with the
// stack, so no panic reaches the connection.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w, status: http.StatusOK}
		}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			writeError(sw, errorf(http.StatusInternalServerError, codeInternal, "", "the server failed; the log says why"))
		}()
		next.ServeHTTP(sw, r)
	})
}
