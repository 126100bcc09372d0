package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ruralrelief/fangpin/rules"
)

// field is one key of a JSON object. A string is kept as it is, a number as
// its JSON text (never through a float), true and false as "true" and
// "false"; raw holds an array or object, for the few fields that take one.
type field struct {
	key  string
	text string
	null bool
	raw  json.RawMessage
}

// idKeys are the keys that identify a record and are echoed, not decided on.
var idKeys = []string{"id", "ID", "编号", "身份证号", "身份证号码"}

func isIDKey(k string) bool {
	for _, id := range idKeys {
		if k == id {
			return true
		}
	}
	return false
}

// readObject reads data as one JSON object of plain values, keys in order.
// A repeated key, trailing data or anything but an object is an error.
func readObject(data []byte) ([]field, *apiError) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	bad := func(format string, args ...any) ([]field, *apiError) {
		return nil, errorf(http.StatusBadRequest, codeBadJSON, "", format, args...)
	}
	tok, err := dec.Token()
	if err != nil {
		return bad("the body is not JSON: %v", jsonProblem(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return bad("the body must be a JSON object of inputs, such as {\"as_of\": \"2021-09-01\"}, not %s", prefix(string(data), 40))
	}
	var fields []field
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad("the body is not JSON: %v", jsonProblem(err))
		}
		key := tok.(string) // an object's keys are strings
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return bad("the value of %q is not JSON: %v", key, jsonProblem(err))
		}
		if seen[key] {
			return nil, errorf(http.StatusBadRequest, codeDuplicateField, key, "%q is given twice", key)
		}
		seen[key] = true
		f := field{key: key}
		switch raw[0] {
		case '"':
			if err := json.Unmarshal(raw, &f.text); err != nil {
				return bad("the value of %q is not a JSON string: %v", key, err)
			}
		case 'n':
			f.null = true
		case '[', '{':
			f.raw = raw
		default: // a number, true or false: its own text
			f.text = string(raw)
		}
		fields = append(fields, f)
	}
	if _, err := dec.Token(); err != nil {
		return bad("the body is not JSON: %v", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("the body must hold one JSON object and nothing after it")
	}
	return fields, nil
}

// jsonProblem describes a JSON syntax error without Go's type names.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends too soon"
	}
	return err.Error()
}

// prefix quotes at most n runes of s, saying when it cut.
func prefix(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return fmt.Sprintf("%q", s)
	}
	r := []rune(s)
	return fmt.Sprintf("%q…", string(r[:n]))
}

// inputOf maps an object's fields to the rule's inputs by name or Chinese
// label, and returns the record's id, if it has one. A rule without as_of
// in the object is judged on day.
func inputOf(info rules.RuleInfo, fields []field, day rules.Date) (rules.Input, string, *apiError) {
	in := make(rules.Input, len(info.Inputs)+1)
	from := map[string]string{}
	id := ""
	for _, f := range fields {
		if _, ok := info.Field(f.key); !ok && isIDKey(f.key) && f.raw == nil {
			id = f.text
		}
	}
	for _, f := range fields {
		name, ok := info.Field(f.key)
		if !ok {
			if isIDKey(f.key) && f.raw == nil {
				continue
			}
			return nil, id, errorf(http.StatusBadRequest, codeUnknownField, f.key,
				"rule %s has no input %s; its inputs are %s", info.ID, prefix(f.key, 40), inputNames(info))
		}
		if prev, dup := from[name]; dup {
			return nil, id, errorf(http.StatusBadRequest, codeDuplicateField, name, "%q and %q are both the input %s", prev, f.key, name)
		}
		from[name] = f.key
		switch {
		case f.raw != nil:
			return nil, id, errorf(http.StatusUnprocessableEntity, codeInvalidInput, name,
				"%s must be a string, a number or true/false, not %s", name, prefix(string(f.raw), 40))
		case f.null:
			continue // no value: the rule reports it missing if it needs it
		}
		in[name] = rules.Text(f.text)
	}
	if _, ok := in[rules.AsOf]; !ok {
		in[rules.AsOf] = rules.Day(day)
	}
	return in, id, nil
}

func inputNames(info rules.RuleInfo) string {
	names := []string{rules.AsOf}
	for _, in := range info.Inputs {
		names = append(names, in.Name+" ("+in.Label+")")
	}
	return strings.Join(names, ", ")
}

// lineReader reads JSONL lines of at most max bytes; a longer line is
// skipped to its end and reported as errLineTooLong.
type lineReader struct {
	r    *bufio.Reader
	line int
}

var errLineTooLong = errors.New("line too long")

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, max)}
}

// next returns the next line without its end, and its 1-based number.
func (lr *lineReader) next() ([]byte, int, error) {
	b, err := lr.r.ReadSlice('\n')
	if len(b) == 0 && err == io.EOF {
		return nil, 0, io.EOF
	}
	lr.line++
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = lr.r.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return nil, lr.line, err
		}
		return nil, lr.line, errLineTooLong
	}
	if err != nil && err != io.EOF {
		return nil, lr.line, err
	}
	return bytes.TrimRight(b, "\r\n"), lr.line, nil
}
