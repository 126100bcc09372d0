package server

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

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
	w.Write(js)
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
func (s *Server) decideBody(w http.ResponseWriter, r *http.Request) (rules.Result, error) {
	info, ae := s.ruleOf(r.PathValue("rule"))
	if ae != nil {
		return rules.Result{}, ae
	}
	body, err := readBody(w, r, s.limits.BodyBytes)
	if err != nil {
		return rules.Result{}, err
	}
	fields, ae := readObject(body)
	if ae != nil {
		return rules.Result{}, ae
	}
	in, _, ae := inputOf(info, fields, s.today())
	if ae != nil {
		return rules.Result{}, ae
	}
	return s.decide(r.Context(), info, in)
}

func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request) error {
	res, err := s.decideBody(w, r)
	if err != nil {
		return err
	}
	js, err := decisionJSON(res)
	if err != nil {
		return err
	}
	return writeJSON(w, js)
}

func writeJSON(w http.ResponseWriter, js []byte) error {
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(js); err != nil {
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
	res.Explanation().WriteText(&b)
	for _, r := range res.Reasons {
		fmt.Fprintf(&b, "不符合原因：%s（%s，%s）\n", r.Message, r.Code, r.Clause)
	}
	return b.String()
}

func (s *Server) handleExplain(w http.ResponseWriter, r *http.Request) error {
	res, err := s.decideBody(w, r)
	if err != nil {
		return err
	}
	dec, err := decisionJSON(res)
	if err != nil {
		return err
	}
	js, err := marshal(struct {
		Decision    json.RawMessage   `json:"decision"`
		Explanation rules.Explanation `json:"explanation"`
		Text        string            `json:"text"`
	}{dec, res.Explanation(), explanationText(res)})
	if err != nil {
		return err
	}
	return writeJSON(w, js)
}

// handleBatch decides a JSONL body, one object per line, and answers one
// line per record in input order as each is decided. Blank lines are
// skipped. A line that cannot be read is a line with its error; the body
// growing past its limit or the records past theirs ends the answer with a
// line {"error": …}, since the status was sent with the first line.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) error {
	info, ae := s.ruleOf(r.PathValue("rule"))
	if ae != nil {
		return ae
	}
	rc := http.NewResponseController(w)
	rc.EnableFullDuplex() // read the body while answering; HTTP/2 needs nothing
	body := http.MaxBytesReader(w, r.Body, s.limits.BatchBytes)
	lines := newLineReader(body, s.limits.LineBytes)
	w.Header().Set("Content-Type", "application/x-ndjson")
	out := bufio.NewWriterSize(w, 32<<10)
	day := s.today()
	ctx := r.Context()
	run := s.newRun(ctx, info, "本批次")
	rows := 0
	end := func(ae *apiError) error {
		js, _ := marshal(struct {
			Error *apiError `json:"error"`
		}{ae})
		out.Write(js)
		return out.Flush()
	}
	for {
		if lines.r.Buffered() == 0 && out.Buffered() > 0 {
			// Send what is decided before waiting for more of the body.
			out.Flush()
			rc.Flush()
		}
		text, line, err := lines.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, errLineTooLong) {
			return end(classify(err))
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
			rec.id, rec.in, rec.res, rec.err = s.decideLine(ctx, info, text, day)
		}
		out.Write(recordJSON(info, run.admit(rec)))
		out.WriteByte('\n')
	}
	return out.Flush()
}

func (s *Server) decideLine(ctx context.Context, info rules.RuleInfo, text []byte, day rules.Date) (string, rules.Input, rules.Result, error) {
	fields, ae := readObject(text)
	if ae != nil {
		return "", nil, rules.Result{}, ae
	}
	in, id, ae := inputOf(info, fields, day)
	if ae != nil {
		return id, nil, rules.Result{}, ae
	}
	res, err := s.decide(ctx, info, in)
	return id, in, res, err
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
		js, err = marshal(dec)
	}
	if s.declog != nil {
		s.logLine(loan.Rule, text, js, err)
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
