package table

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceObject reads a line with encoding/json's decoder, numbers as
// json.Number: the behaviour parseObject must match.
func referenceObject(line []byte) (keys, vals []string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		key, isKey := t.(string)
		if !isKey {
			return nil, nil, false
		}
		t, err = dec.Token()
		if err != nil {
			return nil, nil, false
		}
		var v string
		switch t := t.(type) {
		case string:
			v = t
		case json.Number:
			v = string(t)
		case bool:
			v = strconv.FormatBool(t)
		case nil:
		default: // a list or an object
			return nil, nil, false
		}
		keys, vals = append(keys, key), append(vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, false
	}
	return keys, vals, true
}

var jsonSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":1800.00,"b":"是","c":true,"d":false,"e":null}`,
	`{"a":-0.5e+10,"b":1E3,"c":0}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`,
	`{"a":"\u00e9\ud83d\ude00\n\t\"\\\/"}`, `{"a":"\ud800"}`, `{"a":"\ud800\u0041"}`, `{"a":"\udc00\ud800"}`,
	`{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\xfe ok\"}", "{\"\xff\":1}",
	`{"a":[1]}`, `{"a":{}}`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":1}{}`, `{"a":1} x`,
	`{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `[1]`, `"s"`, `x`, ``, `{"a":1`, `{"a":"b`, `{"a":"b\`,
	`{"a":1,"a":2}`, `{1:2}`, "{\"a\":1}\u00a0",
}

func TestParseObjectMatchesEncodingJSON(t *testing.T) {
	r := &jsonlReader{}
	for _, s := range jsonSeeds {
		keys, vals, ok := referenceObject([]byte(s))
		err := r.parseObject([]byte(s))
		if !assert.Equal(t, ok, err == nil, "%q: reference ok %v, parseObject %v", s, ok, err) || !ok {
			continue
		}
		assert.Equal(t, keys, append([]string(nil), r.keys...), "%q keys", s)
		assert.Equal(t, vals, append([]string(nil), r.vals...), "%q values", s)
	}
}

func FuzzParseObject(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r := &jsonlReader{}
		keys, vals, ok := referenceObject(line)
		err := r.parseObject(line)
		require.Equal(t, ok, err == nil, "%q: reference ok %v, parseObject %v", line, ok, err)
		if ok {
			require.Equal(t, keys, append([]string(nil), r.keys...))
			require.Equal(t, vals, append([]string(nil), r.vals...))
		}
	})
}

func TestParseObjectMessages(t *testing.T) {
	r := &jsonlReader{}
	for line, want := range map[string]string{
		`{"a":[1]}`:    `key "a": a list or object is not a value`,
		`[1]`:          "a record must be a JSON object",
		`x`:            "not JSON: a line must hold one object",
		`{"a":1}{}`:    "more than one JSON value on the line",
		`{"a":1} x`:    "not JSON: text after the object",
		`{"a":01}`:     `key "a": not JSON: '1' after the value`,
		`{"a":"\q"}`:   `key "a": not JSON: an unknown escape \q`,
		`{"a":1`:       "not JSON: the object is not closed",
		`{"a":1,"b":}`: `key "b": not JSON: '}' cannot start a value`,
	} {
		assert.EqualError(t, r.parseObject([]byte(line)), want, line)
	}
}
