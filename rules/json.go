package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// This file writes a decision as the one JSON object that the library's
// MarshalJSON methods, the CLI's JSONL and an HTTP API all share; see
// docs/json.md.

// Note is a remark on a decision that is not a reason to refuse it, such as
// a claim cut by a cap ("months-capped": 7 months claimed, 6 paid) or an
// audit finding. Code is stable and kebab-case; Message is Chinese.
type Note struct {
	Code    string `json:"code"`    // stable, kebab-case
	Message string `json:"message"` // Chinese, for the applicant or the auditor
}

// Problem is why a decision could not be made: the "error" object of the
// JSON shape. Field is the input at fault, or "" when the problem is not
// about one input (a parameter with no value in force, say).
type Problem struct {
	Field   string `json:"field"`   // the input's name, or ""
	Message string `json:"message"` // what is wrong, naming the input and the value typed
}

// fielder is an error about one input, outside this package (a typed API's
// input error), that names the input.
type fielder interface {
	error
	InputField() string
}

// ProblemOf describes err as a [Problem]. A *[InputError] gives its Field
// and a message naming the input and its label ("months (月数): …"); an
// error with a method InputField() string (the typed APIs' input errors
// have one) gives that field and its own text; any other error gives no
// field and its text.
func ProblemOf(err error) Problem {
	var ie *InputError
	if errors.As(err, &ie) {
		if errors.Is(ie.Err, ErrMissing) {
			return Problem{Field: ie.Field, Message: fmt.Sprintf("%s (%s) is missing", ie.Field, ie.Label)}
		}
		return Problem{Field: ie.Field, Message: fmt.Sprintf("%s (%s): %v", ie.Field, ie.Label, ie.Err)}
	}
	var f fielder
	if errors.As(err, &f) {
		return Problem{Field: f.InputField(), Message: err.Error()}
	}
	return Problem{Message: err.Error()}
}

// JSONOptions say what [AppendJSON] writes around a decision.
type JSONOptions struct {
	// Row (1-based) and Line (the sheet's own row: a CSV line, an Excel
	// row) place a record in a batch; each is written when above 0.
	Row, Line int
	// ID echoes the record's id; written when not "" or when Row is set.
	ID string
	// Notes are written as "notes" after the decision's own (res.Notes); an
	// empty list is written as [].
	Notes []Note
	// Policy, when not nil, adds "policy" (its id) and "policy_sha256" (its
	// hash with its overlays): for a record that stands alone, such as an
	// API answer or a decision log line.
	Policy *Set
	// Explanation adds the decision's explanation as "explanation".
	Explanation bool
}

// AppendJSON appends the decision object of one record to dst and returns
// the extended buffer. The keys, in this order:
//
//	row, line, id    when JSONOptions asks for them
//	rule             the rule id (res.Rule)
//	pass             true or false; null when err is not nil
//	<output>...      each output of the rule, by name, as a string with its
//	                 declared places ("1800.00", "0.00", "6"); absent when err
//	                 is not nil
//	reasons          [{code, message, clause}], [] when none
//	notes            [{code, message}], [] when none
//	error            null, or {field, message} (see [ProblemOf])
//	policy, policy_sha256, explanation    when JSONOptions asks for them
//
// When err is not nil, res only names the rule: pass Result{Rule: id}. An
// output that was not computed (the rule was not in force) is written as
// zero with its declared places. Strings are escaped as encoding/json
// escapes them, so the bytes equal what json.Marshal writes for the same
// decision. AppendJSON is safe for concurrent use.
func AppendJSON(dst []byte, res Result, err error, o JSONOptions) []byte {
	dst = append(dst, '{')
	if o.Row > 0 {
		dst = append(dst, `"row":`...)
		dst = strconv.AppendInt(dst, int64(o.Row), 10)
		dst = append(dst, ',')
	}
	if o.Line > 0 {
		dst = append(dst, `"line":`...)
		dst = strconv.AppendInt(dst, int64(o.Line), 10)
		dst = append(dst, ',')
	}
	if o.ID != "" || o.Row > 0 {
		dst = append(dst, `"id":`...)
		dst = appendString(dst, o.ID)
		dst = append(dst, ',')
	}
	dst = append(dst, `"rule":`...)
	dst = appendString(dst, res.Rule)
	dst = append(dst, `,"pass":`...)
	switch {
	case err != nil:
		dst = append(dst, "null"...)
	default:
		dst = strconv.AppendBool(dst, res.Pass)
	}
	if err == nil {
		dst = appendOutputs(dst, res)
	}
	dst = append(dst, `,"reasons":[`...)
	if err == nil {
		for i, r := range res.Reasons {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"code":`...)
			dst = appendString(dst, r.Code)
			dst = append(dst, `,"message":`...)
			dst = appendString(dst, r.Message)
			dst = append(dst, `,"clause":`...)
			dst = appendString(dst, r.Clause)
			dst = append(dst, '}')
		}
	}
	dst = append(dst, `],"notes":[`...)
	first := true
	for _, notes := range [2][]Note{res.Notes, o.Notes} {
		for _, n := range notes {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, `{"code":`...)
			dst = appendString(dst, n.Code)
			dst = append(dst, `,"message":`...)
			dst = appendString(dst, n.Message)
			dst = append(dst, '}')
		}
	}
	dst = append(dst, `],"error":`...)
	if err == nil {
		dst = append(dst, "null"...)
	} else {
		p := ProblemOf(err)
		dst = append(dst, `{"field":`...)
		dst = appendString(dst, p.Field)
		dst = append(dst, `,"message":`...)
		dst = appendString(dst, p.Message)
		dst = append(dst, '}')
	}
	if o.Policy != nil {
		dst = append(dst, `,"policy":`...)
		dst = appendString(dst, o.Policy.meta.ID)
		dst = append(dst, `,"policy_sha256":`...)
		dst = appendString(dst, o.Policy.hash)
	}
	if o.Explanation && err == nil {
		ex, jerr := json.Marshal(res.Explanation())
		if jerr != nil { // an Explanation always marshals; keep the object whole if not
			ex = []byte("null")
		}
		dst = append(dst, `,"explanation":`...)
		dst = append(dst, ex...)
	}
	return append(dst, '}')
}

// appendOutputs writes each output of the rule as "name":"value". A rule
// that was not in force computed none; its outputs are written as zero,
// with the places the rule declares.
func appendOutputs(dst []byte, res Result) []byte {
	if len(res.Outputs) > 0 {
		for _, out := range res.Outputs {
			dst = append(dst, ',')
			dst = appendString(dst, out.Name)
			dst = append(dst, ':', '"')
			dst = append(dst, out.String()...)
			dst = append(dst, '"')
		}
		return dst
	}
	if res.rec == nil {
		return dst
	}
	info, ok := res.ru.set.Rule(res.Rule)
	if !ok {
		return dst
	}
	for _, out := range info.Outputs {
		dst = append(dst, ',')
		dst = appendString(dst, out.Name)
		dst = append(dst, ':', '"')
		dst = append(dst, Output{Rounding: out.Rounding}.String()...)
		dst = append(dst, '"')
	}
	return dst
}

// MarshalJSON writes the decision as the one JSON object of a decision
// (see [AppendJSON]) standing alone: with "policy" and "policy_sha256",
// without the explanation, which [Result.Explanation] gives.
func (r Result) MarshalJSON() ([]byte, error) {
	return AppendJSON(nil, r, nil, JSONOptions{Policy: r.policy()}), nil
}

// policy returns the Set that decided r, or nil for a zero Result.
func (r Result) policy() *Set {
	if r.rec == nil {
		return nil
	}
	return r.ru.set
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it: <, > and & as \u003c, \u003e, \u0026, invalid UTF-8 as
// \ufffd, and U+2028 and U+2029 as \u2028 and \u2029.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
