package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/ruralrelief/fangpin/rules"
)

// decide decides one rule on one input: the only way any handler decides.
// It counts the decision in the metrics and writes it to the decision log.
func (s *Server) decide(ctx context.Context, info rules.RuleInfo, in rules.Input) (rules.Result, error) {
	start := time.Now()
	res, err := s.set.Eval(ctx, info.ID, in)
	s.metrics.decided(info.ID, outcome(res, err), time.Since(start))
	if s.declog != nil {
		s.logDecision(info.ID, in, res, err)
	}
	return res, err
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

// decisionJSON is a decision as the API answers it: the library's own JSON
// of the decision, the one shape the CLI, the API and the logs share.
func decisionJSON(res rules.Result) ([]byte, error) {
	return json.Marshal(res)
}

// record is one decided record of a batch or an uploaded sheet.
type record struct {
	row, line int
	id        string
	cells     []string    // the sheet's cells, for an uploaded sheet
	in        rules.Input // what res was decided on
	res       rules.Result
	err       error
}

// run is one batch or uploaded sheet on its way through the server.
type run struct {
	ctx   context.Context
	info  rules.RuleInfo
	tally *rules.Tally
}

func (s *Server) newRun(ctx context.Context, info rules.RuleInfo, source string) *run {
	return &run{ctx: ctx, info: info, tally: s.set.NewTally(source, nil)}
}

// admit is where every decided record of a batch or an uploaded sheet
// passes, one at a time, in input order, before it is written: the
// policy's checks across records (rules.Tally: a second grant for the same
// person refused, months capped per person), the same the library's
// batches and the command-line tool make. It returns the record as it is
// to be written.
func (r *run) admit(rec record) record {
	if rec.err != nil {
		return rec
	}
	rec.res, _, rec.err = r.tally.Apply(r.ctx, rec.id, rec.line, rec.in, rec.res)
	return rec
}

// recordJSON is one line of a batch's answer: the decision with the
// record's row, line and id in front, or the error that kept it from being
// decided.
func recordJSON(info rules.RuleInfo, rec record) []byte {
	head := `{"row":` + strconv.Itoa(rec.row) + `,"line":` + strconv.Itoa(rec.line) + `,"id":` + quote(rec.id)
	if rec.err == nil {
		js, err := decisionJSON(rec.res)
		if err == nil && len(js) > 2 && js[0] == '{' {
			return append([]byte(head+","), js[1:]...)
		}
		if err != nil {
			rec.err = err
		}
	}
	ae := classify(rec.err)
	tail, _ := json.Marshal(struct {
		Rule  string    `json:"rule"`
		Error *apiError `json:"error"`
	}{info.ID, ae})
	return append([]byte(head+","), tail[1:]...)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// logDecision writes one line to the decision log: when, which rule, the
// input (as_of included), the decision or the error, and the policy.
func (s *Server) logDecision(rule string, in rules.Input, res rules.Result, err error) {
	var js []byte
	if err == nil {
		js, err = decisionJSON(res)
	}
	s.logLine(rule, in, js, err)
}

// logLine writes a decision (its JSON) or the error that stopped it to the
// decision log.
func (s *Server) logLine(rule string, input any, decision []byte, err error) {
	line := struct {
		Time         string          `json:"time"`
		Rule         string          `json:"rule"`
		Input        any             `json:"input"`
		Decision     json.RawMessage `json:"decision"`
		Error        *apiError       `json:"error"`
		Policy       string          `json:"policy"`
		PolicySHA256 string          `json:"policy_sha256"`
	}{Time: s.now().UTC().Format(time.RFC3339Nano), Rule: rule, Input: input, Decision: decision,
		Policy: s.set.Meta().ID, PolicySHA256: s.set.Hash()}
	if err != nil {
		line.Decision = json.RawMessage("null")
		line.Error = classify(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(line) == nil {
		s.declog.write(buf.Bytes())
	}
}
