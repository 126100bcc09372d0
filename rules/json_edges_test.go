package rules_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryByteEscapedAsEncodingJSON compares the escaping of each byte
// alone, and of each byte between two letters, with encoding/json's.
func TestEveryByteEscapedAsEncodingJSON(t *testing.T) {
	var tried []string
	for b := range 256 {
		tried = append(tried, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
	}
	tried = append(tried, "\u2027\u2028\u2029\u202a", "中\xe4\xb8", "\xf0\x9f\x99\x82\xf0", " ", "a b")
	for _, s := range tried {
		got := rules.AppendJSON(nil, rules.Result{Rule: s}, nil, rules.JSONOptions{})
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, `{"rule":`+string(want)+`,"pass":false,"reasons":[],"notes":[],"error":null}`, string(got), "%q", s)
	}
}

// TestAppendJSONNotesAndPlaces: the decision's own notes come before the
// options', each list may be empty, and row, line and id are written only
// when set.
func TestAppendJSONNotesAndPlaces(t *testing.T) {
	a, b := rules.Note{Code: "a", Message: "甲"}, rules.Note{Code: "b", Message: "乙"}
	for _, tt := range []struct {
		own, extra []rules.Note
		want       string
	}{
		{nil, nil, `[]`},
		{[]rules.Note{a}, nil, `[{"code":"a","message":"甲"}]`},
		{nil, []rules.Note{b}, `[{"code":"b","message":"乙"}]`},
		{[]rules.Note{a, a}, []rules.Note{b}, `[{"code":"a","message":"甲"},{"code":"a","message":"甲"},{"code":"b","message":"乙"}]`},
	} {
		got := rules.AppendJSON(nil, rules.Result{Rule: "r", Notes: tt.own}, nil, rules.JSONOptions{Notes: tt.extra})
		assert.Equal(t, `{"rule":"r","pass":false,"reasons":[],"notes":`+tt.want+`,"error":null}`, string(got))
	}
	got := rules.AppendJSON(nil, rules.Result{Rule: "r", Pass: true, Reasons: []rules.Reason{{Code: "x", Message: "m", Clause: "c"}, {Code: "y"}}}, nil,
		rules.JSONOptions{Row: 1, Line: 1})
	assert.Equal(t, `{"row":1,"line":1,"id":"","rule":"r","pass":true,"reasons":[{"code":"x","message":"m","clause":"c"},{"code":"y","message":"","clause":""}],"notes":[],"error":null}`, string(got))
	got = rules.AppendJSON(nil, rules.Result{Rule: "r"}, errors.New("坏"), rules.JSONOptions{Line: 7, ID: "id1", Explanation: true})
	assert.Equal(t, `{"line":7,"id":"id1","rule":"r","pass":null,"reasons":[],"notes":[],"error":{"field":"","message":"坏"}}`, string(got))
}
