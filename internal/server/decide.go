package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/rules"
)

// record is one case on its way through the server: a single decision, or
// one record of a batch or an uploaded sheet.
type record struct {
	row, line int         // for a batch or sheet: 1-based record number and the line it was read from
	id        string      // the record's id, echoed; "" when it has none
	cells     []string    // the sheet's cells, for an uploaded sheet
	in        rules.Input // what res was decided on
	res       rules.Result
	err       error
	decided   bool          // the engine was asked (err then says why it could not decide)
	took      time.Duration // how long the engine took
	refused   bool          // passed alone, refused by the checks across records
}

// decide decides rec.in under rule info: the only way any handler decides
// a rule. The record is not yet counted or logged: settle does that once
// its answer is final.
func (s *Server) decide(ctx context.Context, info rules.RuleInfo, rec *record) {
	start := time.Now()
	rec.res, rec.err = s.set.Eval(ctx, info.ID, rec.in)
	rec.took, rec.decided = time.Since(start), true
	if rec.err != nil {
		rec.res = rules.Result{Rule: info.ID}
	}
}

// settle counts a decided record in the metrics and writes it to the
// decision log, as it is answered: after the checks across records.
func (s *Server) settle(rec record) {
	if !rec.decided {
		return
	}
	s.metrics.decided(rec.res.Rule, outcome(rec.res, rec.err), rec.took)
	if s.declog != nil {
		line := rules.AppendJSON(nil, rec.res, rec.err, rules.JSONOptions{Row: rec.row, Line: rec.line, ID: rec.id, Policy: s.set})
		s.logLine(line, rec.in)
	}
}

func outcome(res rules.Result, err error) string {
	switch {
	case err != nil:
		return "error"
	case res.Pass:
		return "pass"
	}
	return "fail"
}

// decisionJSON is a decision as the API answers it: the library's one JSON
// object of a decision (rules.AppendJSON), with the policy and its
// SHA-256, and the id when the request gave one.
func (s *Server) decisionJSON(rec record) []byte {
	return rules.AppendJSON(nil, rec.res, rec.err, rules.JSONOptions{ID: rec.id, Policy: s.set})
}

// recordJSON is one line of a batch's answer: the decision object with the
// record's row, line and id first, as rules.AppendJSON writes it (the
// command-line tool's JSONL has the same bytes). A line the server could
// not read as a case of the rule (not JSON, an unknown key, too long) has
// the same keys in the same order, "pass": null, and the API's error
// object, whose code says what was wrong.
func recordJSON(info rules.RuleInfo, rec record) []byte {
	o := rules.JSONOptions{Row: rec.row, Line: rec.line, ID: rec.id}
	var ae *apiError
	if rec.err == nil || !errors.As(rec.err, &ae) {
		return rules.AppendJSON(nil, rec.res, rec.err, o)
	}
	line := rules.AppendJSON(nil, rules.Result{Rule: info.ID}, ae, o)
	// The error object is the last key: {"field":…,"message":…}. Put the
	// code in front of its field.
	at := bytes.LastIndex(line, []byte(`"error":{`))
	if at < 0 { // AppendJSON always writes it; keep the line whole if not
		return line
	}
	at += len(`"error":{`)
	code, _ := json.Marshal(ae.Code)
	return append(line[:at:at], append(append(append([]byte(`"code":`), code...), ','), line[at:]...)...)
}

// logLine writes one line to the decision log: the decision object (which
// ends with policy and policy_sha256), then the input it was decided on
// and the time.
func (s *Server) logLine(decision []byte, input any) {
	in, err := json.Marshal(input)
	if err != nil {
		in = []byte("null")
	}
	line := make([]byte, 0, len(decision)+len(in)+64)
	line = append(line, decision[:len(decision)-1]...)
	line = append(line, `,"input":`...)
	line = append(line, in...)
	line = append(line, `,"time":"`...)
	line = s.now().UTC().AppendFormat(line, time.RFC3339Nano)
	line = append(line, "\"}\n"...)
	s.declog.write(line)
}

// run is one batch or uploaded sheet on its way through the server.
type run struct {
	ctx   context.Context
	info  rules.RuleInfo
	tally *rules.Tally // the checks across records, when nothing is recorded
	rec   *ledger.Run  // the checks and the recording, when the batch is recorded
}

// newRun starts the checks across records of a batch read from source,
// against the ledger's earlier batches if the server has a ledger; except
// is a batch of the ledger to leave out (the same file recorded before),
// 0 for none.
func (s *Server) newRun(ctx context.Context, info rules.RuleInfo, source string, except int64) *run {
	var h rules.History
	if s.ledger != nil {
		h = ledger.Past{L: s.ledger, Except: except}
	}
	return &run{ctx: ctx, info: info, tally: s.set.NewTally(source, h)}
}

// recordRun starts a batch that is to be recorded in the ledger: it is
// checked against the ledger's earlier batches and, once every record has
// passed through admit, recorded by commit in one transaction.
func (s *Server) recordRun(ctx context.Context, info rules.RuleInfo, b ledger.Batch) (*run, error) {
	b.Rule, b.Policy, b.PolicySHA256 = info.ID, s.set.Meta().ID, s.set.Hash()
	lr, err := s.ledger.Begin(ctx, s.set, b)
	if err != nil {
		return nil, err
	}
	return &run{ctx: ctx, info: info, rec: lr}, nil
}

// admit is where every decided record of a batch or an uploaded sheet
// passes, one at a time, in input order, before it is written: the
// policy's checks across records (rules.Tally: a second grant for the same
// person refused, months capped per person), the same the library's
// batches and the command-line tool make, against the ledger's earlier
// batches when the server has one. It returns the record as it is to be
// written.
func (r *run) admit(rec record) record {
	if rec.err != nil {
		return rec
	}
	passed := rec.res.Pass
	switch {
	case r.rec != nil:
		rec.res, rec.err = r.rec.Apply(r.ctx, rec.id, rec.row, rec.line, rec.in, rec.res)
	default:
		rec.res, _, rec.err = r.tally.Apply(r.ctx, rec.id, rec.line, rec.in, rec.res)
	}
	if rec.err != nil {
		rec.res = rules.Result{Rule: r.info.ID}
		return rec
	}
	rec.refused = passed && !rec.res.Pass
	return rec
}

// commit records a run that is to be recorded; it does nothing for one
// that is not.
func (r *run) commit(ctx context.Context) (ledger.Recorded, error) {
	if r.rec == nil {
		return ledger.Recorded{}, nil
	}
	return r.rec.Commit(ctx)
}

// recording is what the answer says of a run recorded in the ledger.
type recording struct {
	Batch    int64  `json:"batch"`    // the ledger's id of the batch
	File     string `json:"file"`     // the file name it is recorded under
	SHA256   string `json:"sha256"`   // the SHA-256 of the file's bytes
	Already  bool   `json:"already"`  // the same file was recorded before; nothing was recorded now
	Payments int    `json:"payments"` // payments recorded now
	Refusals int    `json:"refusals"` // refusals recorded now
	RunTime  string `json:"run_time"` // when the batch was run, RFC 3339 in UTC
}

func recordingOf(r ledger.Recorded) recording {
	return recording{Batch: r.Batch.ID, File: r.Batch.File, SHA256: r.Batch.FileSHA256, Already: r.Already,
		Payments: r.Payments, Refusals: r.Refusals, RunTime: r.Batch.RunTime.UTC().Format(time.RFC3339)}
}
