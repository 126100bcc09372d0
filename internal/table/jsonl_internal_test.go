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
// json.Number and lists and objects as their compact text: the behaviour
// parseLine must match.
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
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, false
		}
		var v string
		var x any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&x); err != nil {
			return nil, nil, false
		}
		switch x := x.(type) {
		case string:
			v = x
		case json.Number:
			v = string(x)
		case bool:
			v = strconv.FormatBool(x)
		case nil:
		default: // a list or an object
			var c bytes.Buffer
			if err := json.Compact(&c, raw); err != nil {
				return nil, nil, false
			}
			v = c.String()
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
	`{"a":[1]}`, `{"a":{}}`, `{"a":[1, {"b" : null}],"c":"x"}`, `{"a":{"b":1},"a":2}`, `{"a":[1}`, `{"a":[]} x`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":1}{}`, `{"a":1} x`,
	`{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `[1]`, `"s"`, `x`, ``, `{"a":1`, `{"a":"b`, `{"a":"b\`,
	`{"a":1,"a":2}`, `{1:2}`, "{\"a\":1}\u00a0",
}

func TestParseLineMatchesEncodingJSON(t *testing.T) {
	r := &jsonlReader{}
	for _, s := range jsonSeeds {
		keys, vals, ok := referenceObject([]byte(s))
		err := r.parseLine([]byte(s))
		if !assert.Equal(t, ok, err == nil, "%q: reference ok %v, parseLine %v", s, ok, err) || !ok {
			continue
		}
		assert.Equal(t, keys, append([]string(nil), r.keys...), "%q keys", s)
		assert.Equal(t, vals, append([]string(nil), r.vals...), "%q values", s)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r := &jsonlReader{}
		if len(line) > 1<<16 {
			return
		}
		keys, vals, ok := referenceObject(line)
		err := r.parseLine(line)
		require.Equal(t, ok, err == nil, "%q: reference ok %v, parseLine %v", line, ok, err)
		if ok {
			require.Equal(t, keys, append([]string(nil), r.keys...))
			require.Equal(t, vals, append([]string(nil), r.vals...))
		}
	})
}
