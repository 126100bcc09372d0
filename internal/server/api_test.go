package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecide(t *testing.T) {
	ts := newTestServer(t, Limits{})
	tests := []struct {
		name, rule, body string
		pass             bool
		output, want     string
		reasons          []string
	}{
		{"tier B by Chinese values", "training-grant", grantB, true, "amount", "1800.00", nil},
		{"labels as keys", "training-grant",
			`{"判定日期":"2021-09-01","脱贫人口":"否","监测对象":"是","因灾受损":"是","证书工种类别":"A"}`, true, "amount", "2000.00", nil},
		{"not affected, not covered", "training-grant",
			`{"as_of":"2021-09-01","poverty_relieved":false,"monitored":0,"disaster_affected":"否","certificate_tier":"C"}`,
			false, "amount", "0.00", []string{"not-covered-population", "not-disaster-affected"}},
		{"months as a JSON number, capped at 6", "work-training-subsidy",
			`{"as_of":"2021-09-01","poverty_relieved":true,"monitored":false,"disaster_affected":true,"months":9}`, true, "amount", "1200.00", nil},
		{"money as a JSON number keeps its places", "return-travel-reimbursement",
			`{"as_of":"2021-09-01","poverty_relieved":true,"returned_due_to_disaster":true,"back_to_work":true,"travel_cost":1234.50}`, true, "amount", "1234.50", nil},
		{"a number no float holds, read from its text", "work-relief-labour-share",
			`{"as_of":"2021-09-01","fiscal_funds":1000000000000000.01,"labour_remuneration":"150000000000000.00"}`, false, "shortfall", "0.01",
			[]string{"labour-share-below-minimum"}},
		{"before the policy", "training-grant",
			`{"as_of":"2021-08-18","poverty_relieved":true,"monitored":false,"disaster_affected":true,"certificate_tier":"A"}`, false, "", "", []string{rules.ReasonNotInForce}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.do(t, "POST", "/v1/rules/"+tt.rule+"/decide", tt.body)
			require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			d := readDecision(t, rec.Body.Bytes())
			assert.Equal(t, tt.rule, d.Rule)
			assert.Equal(t, tt.pass, d.Pass)
			if tt.output != "" {
				assert.Equal(t, tt.want, d.output(t, tt.output))
			}
			assert.Equal(t, tt.reasons, d.codes())
		})
	}
}

// TestDecideAnswersTheOneJSONShape: the answer is the library's JSON of
// the decision, byte for byte, with the id in front when one is given.
func TestDecideAnswersTheOneJSONShape(t *testing.T) {
	ts := newTestServer(t, Limits{})
	in := rules.Input{rules.AsOf: rules.Text("2021-09-01"), "poverty_relieved": rules.Text("是"), "monitored": rules.Text("false"),
		"disaster_affected": rules.Text("true"), "certificate_tier": rules.Text("B类")}
	res, err := ts.set.Eval(context.Background(), "training-grant", in)
	require.NoError(t, err)
	want, err := res.MarshalJSON()
	require.NoError(t, err)

	rec := ts.do(t, "POST", "/v1/rules/training-grant/decide", grantB)
	require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
	assert.Equal(t, string(want)+"\n", rec.Body.String())
	assert.Contains(t, rec.Body.String(), `"amount":"1800.00","reasons":[],"notes":[],"error":null,"policy":"henan-2021-48","policy_sha256":"`+ts.set.Hash()+`"}`)

	rec = ts.do(t, "POST", "/v1/rules/training-grant/decide", `{"身份证号":"411328198506060022",`+grantB[1:])
	require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
	assert.Equal(t, `{"id":"411328198506060022",`+string(want[1:])+"\n", rec.Body.String())
}

func TestDecideDefaultsAsOfToToday(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "POST", "/v1/rules/training-grant/decide", `{"poverty_relieved":true,"monitored":false,"disaster_affected":true,"certificate_tier":"A"}`)
	require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
	assert.True(t, readDecision(t, rec.Body.Bytes()).Pass)
	// The decision log records the day the case was judged on.
	assert.Contains(t, ts.decisions.String(), `"as_of":"2021-09-01"`)
}

func TestDecideErrors(t *testing.T) {
	ts := newTestServer(t, Limits{BodyBytes: 512})
	tests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"unknown rule", "POST", "/v1/rules/parking-fine/decide", grantB, 404, codeUnknownRule, ""},
		{"not JSON", "POST", "/v1/rules/training-grant/decide", `{"as_of":`, 400, codeBadJSON, ""},
		{"an array", "POST", "/v1/rules/training-grant/decide", `[1,2]`, 400, codeBadJSON, ""},
		{"empty body", "POST", "/v1/rules/training-grant/decide", ``, 400, codeBadJSON, ""},
		{"two objects", "POST", "/v1/rules/training-grant/decide", grantB + grantB, 400, codeBadJSON, ""},
		{"unknown field", "POST", "/v1/rules/training-grant/decide", `{"salary":"1"}`, 400, codeUnknownField, "salary"},
		{"key twice", "POST", "/v1/rules/training-grant/decide", `{"monitored":true,"monitored":false}`, 400, codeDuplicateField, "monitored"},
		{"name and label", "POST", "/v1/rules/training-grant/decide", `{"monitored":true,"监测对象":"否"}`, 400, codeDuplicateField, "monitored"},
		{"missing input", "POST", "/v1/rules/training-grant/decide", `{"poverty_relieved":true,"monitored":false,"disaster_affected":true}`, 422, codeMissingInput, "certificate_tier"},
		{"null is missing", "POST", "/v1/rules/training-grant/decide", `{"poverty_relieved":true,"monitored":false,"disaster_affected":true,"certificate_tier":null}`, 422, codeMissingInput, "certificate_tier"},
		{"tier D", "POST", "/v1/rules/training-grant/decide", strings.Replace(grantB, "B类", "D", 1), 422, codeInvalidInput, "certificate_tier"},
		{"half a month", "POST", "/v1/rules/work-training-subsidy/decide", `{"poverty_relieved":true,"monitored":false,"disaster_affected":true,"months":2.5}`, 422, codeInvalidInput, "months"},
		{"three places of money", "POST", "/v1/rules/return-travel-reimbursement/decide", `{"poverty_relieved":true,"returned_due_to_disaster":true,"back_to_work":true,"travel_cost":10.005}`, 422, codeInvalidInput, "travel_cost"},
		{"money with an exponent", "POST", "/v1/rules/return-travel-reimbursement/decide", `{"poverty_relieved":true,"returned_due_to_disaster":true,"back_to_work":true,"travel_cost":1e3}`, 422, codeInvalidInput, "travel_cost"},
		{"zero fiscal funds", "POST", "/v1/rules/work-relief-labour-share/decide", `{"fiscal_funds":"0","labour_remuneration":"0"}`, 422, codeInvalidInput, "fiscal_funds"},
		{"an object as a value", "POST", "/v1/rules/training-grant/decide", `{"monitored":{"v":true}}`, 422, codeInvalidInput, "monitored"},
		{"a bad date", "POST", "/v1/rules/training-grant/decide", strings.Replace(grantB, "2021-09-01", "2021-02-29", 1), 422, codeInvalidInput, "as_of"},
		{"body over the limit", "POST", "/v1/rules/training-grant/decide", `{"id":"` + strings.Repeat("x", 600) + `"}`, 413, codeBodyTooLarge, ""},
		{"GET on decide", "GET", "/v1/rules/training-grant/decide", "", 405, codeMethodNotAllowed, ""},
		{"POST on rules", "POST", "/v1/rules", "{}", 405, codeMethodNotAllowed, ""},
		{"no such API", "GET", "/v1/subsidies", "", 404, codeNotFound, ""},
		{"explain, unknown rule", "POST", "/v1/rules/nope/explain", grantB, 404, codeUnknownRule, ""},
		{"batch, unknown rule", "POST", "/v1/rules/nope/batch", grantB, 404, codeUnknownRule, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.do(t, tt.method, tt.path, tt.body)
			assert.Equal(t, tt.status, rec.Code, "body %s", rec.Body)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			e := apiErr(t, rec)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.field, e.Field)
			assert.NotEmpty(t, e.Message)
			if tt.status == 405 {
				assert.NotEmpty(t, rec.Header().Get("Allow"))
			}
		})
	}
}

func TestErrorMessagesQuoteAShortPrefix(t *testing.T) {
	ts := newTestServer(t, Limits{})
	long := strings.Repeat("很长的名字", 50)
	e := apiErr(t, ts.do(t, "POST", "/v1/rules/training-grant/decide", `{"`+long+`":1}`))
	assert.Equal(t, codeUnknownField, e.Code)
	assert.Less(t, len(e.Message), 600, "message %s", e.Message)
	assert.Contains(t, e.Message, "…")
}

func TestExplain(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "POST", "/v1/rules/training-grant/explain", strings.Replace(grantB, `"disaster_affected":true`, `"disaster_affected":false`, 1))
	require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
	var got struct {
		Decision    json.RawMessage `json:"decision"`
		Explanation struct {
			Clause     string `json:"clause"`
			Quote      string `json:"quote"`
			AsOf       string `json:"as_of"`
			PolicyHash string `json:"policy_sha256"`
		} `json:"explanation"`
		Text string `json:"text"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	d := readDecision(t, got.Decision)
	assert.False(t, d.Pass)
	assert.Equal(t, []string{"not-disaster-affected"}, d.codes())
	assert.Equal(t, "第七条", got.Explanation.Clause)
	assert.Contains(t, got.Explanation.Quote, "B 类工种 1800 元")
	assert.Equal(t, "2021-09-01", got.Explanation.AsOf)
	assert.Equal(t, ts.set.Hash(), got.Explanation.PolicyHash)
	assert.Contains(t, got.Text, "第七条")
	assert.Contains(t, got.Text, "不符合原因：申请人未因灾受损（not-disaster-affected，第七条）")
}

// batchLine is the part of a batch answer's line the tests read.
type batchLine struct {
	Row   int       `json:"row"`
	Line  int       `json:"line"`
	ID    string    `json:"id"`
	Rule  string    `json:"rule"`
	Pass  *bool     `json:"pass"`
	Error *apiError `json:"error"`
	raw   []byte
}

func readLines(t *testing.T, body string) []batchLine {
	t.Helper()
	var out []batchLine
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l batchLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "line %s", sc.Text())
		l.raw = append([]byte(nil), sc.Bytes()...)
		out = append(out, l)
	}
	return out
}

func TestBatch(t *testing.T) {
	ts := newTestServer(t, Limits{LineBytes: 1024})
	body := strings.Join([]string{
		`{"id":"P1","as_of":"2021-09-01","poverty_relieved":"是","monitored":"否","disaster_affected":"是","certificate_tier":"A类"}`,
		``,
		`{"id":"P2","poverty_relieved":"否","monitored":"否","disaster_affected":"是","certificate_tier":"C"}`,
		`{"id":"P3","poverty_relieved":"是","monitored":"否","disaster_affected":"是","certificate_tier":"D"}`,
		`not json`,
		`{"id":"P5","note":"x"}`,
		`{"id":"P6","x":"` + strings.Repeat("y", 2000) + `"}`,
		"{\"id\":\"P7\",\"poverty_relieved\":true,\"monitored\":false,\"disaster_affected\":true,\"certificate_tier\":\"B\"}\r",
	}, "\n")
	rec := ts.do(t, "POST", "/v1/rules/training-grant/batch", body)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/x-ndjson", rec.Header().Get("Content-Type"))
	lines := readLines(t, rec.Body.String())
	require.Len(t, lines, 7, "one line per record, the blank line skipped")
	for i, l := range lines {
		assert.Equal(t, i+1, l.Row)
		assert.Equal(t, "training-grant", l.Rule)
	}
	assert.Equal(t, []int{1, 3, 4, 5, 6, 7, 8}, []int{lines[0].Line, lines[1].Line, lines[2].Line, lines[3].Line, lines[4].Line, lines[5].Line, lines[6].Line})
	assert.Equal(t, "P1", lines[0].ID)
	assert.Equal(t, "2000.00", readDecision(t, lines[0].raw).output(t, "amount"))
	assert.Equal(t, []string{"not-covered-population"}, readDecision(t, lines[1].raw).codes())
	require.NotNil(t, lines[2].Error)
	assert.Equal(t, "", lines[2].Error.Code, "a record the policy could not decide: the library's {field, message}")
	assert.Equal(t, "certificate_tier", lines[2].Error.Field)
	assert.Nil(t, lines[2].Pass)
	assert.Equal(t, codeBadJSON, lines[3].Error.Code)
	assert.True(t, strings.HasPrefix(string(lines[3].raw), `{"row":4,"line":5,"id":"","rule":"training-grant","pass":null,"reasons":[],"notes":[],"error":{"code":"bad-json","field":"","message":"the body is not JSON: `),
		"a line that is not JSON: the keys of a decision in their order, and the API's error object; got %s", lines[3].raw)
	assert.Equal(t, "note", lines[4].Error.Field)

	// A decided line is the library's decision object with row, line and
	// id first: the bytes rules.AppendJSON writes, as the CLI does.
	in := rules.Input{rules.AsOf: rules.Text("2021-09-01"), "poverty_relieved": rules.Text("是"), "monitored": rules.Text("否"),
		"disaster_affected": rules.Text("是"), "certificate_tier": rules.Text("A类")}
	res, err := ts.set.Eval(context.Background(), "training-grant", in)
	require.NoError(t, err)
	assert.Equal(t, string(rules.AppendJSON(nil, res, nil, rules.JSONOptions{Row: 1, Line: 1, ID: "P1"})), string(lines[0].raw))
	assert.Equal(t, `{"row":3,"line":4,"id":"P3","rule":"training-grant","pass":null,"reasons":[],"notes":[],"error":{"field":"certificate_tier","message":`,
		string(lines[2].raw[:bytes.Index(lines[2].raw, []byte(`"message":`))+len(`"message":`)]))
	assert.Equal(t, codeUnknownField, lines[4].Error.Code)
	assert.Equal(t, "P5", lines[4].ID, "the id is echoed even when the record cannot be decided")
	assert.Equal(t, codeLineTooLong, lines[5].Error.Code)
	assert.Equal(t, "1800.00", readDecision(t, lines[6].raw).output(t, "amount"), "a CRLF line end is not part of the value")
}

func TestBatchLimits(t *testing.T) {
	ts := newTestServer(t, Limits{Rows: 3, BatchBytes: 4096})
	one := `{"poverty_relieved":true,"monitored":false,"disaster_affected":true,"certificate_tier":"B"}` + "\n"

	lines := readLines(t, ts.do(t, "POST", "/v1/rules/training-grant/batch", strings.Repeat(one, 5)).Body.String())
	require.Len(t, lines, 4, "three records, then the error")
	assert.Equal(t, 3, lines[2].Row)
	assert.Zero(t, lines[3].Row)
	assert.Equal(t, codeTooManyRows, lines[3].Error.Code)

	ts = newTestServer(t, Limits{Rows: 1000, BatchBytes: 1000})
	lines = readLines(t, ts.do(t, "POST", "/v1/rules/training-grant/batch", strings.Repeat(one, 20)).Body.String())
	last := lines[len(lines)-1]
	require.NotNil(t, last.Error)
	assert.Equal(t, codeBodyTooLarge, last.Error.Code)
	assert.Equal(t, 1000/len(one), len(lines)-1, "every whole line under the limit is decided")
}

func TestLoan(t *testing.T) {
	ts := newTestServer(t, Limits{})
	// DESIGN's worked example: 50,000.00 at 3.85% from 2021-09-01, repaid
	// 2021-12-01: interest 106.94 + 379.65 = 486.59, all of it subsidised.
	for name, repay := range map[string]string{
		"list":      `"repayments":[{"date":"2021-12-01","amount":50000.00}]`,
		"text":      `"repayments":"2021-12-01:50000.00"`,
		"repaid_on": `"还清日期":"2021-12-01"`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := ts.do(t, "POST", "/v1/loans/decide", `{"id":"L1","poverty_relieved":"是","monitored":false,"principal":50000.00,"annual_rate":"0.0385","start":"2021-09-01","maturity":"2022-09-01",`+repay+`}`)
			require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
			var d struct {
				ID, Rule          string
				Pass              bool
				Interest, Subsidy string
				Periods           []struct{ Interest, Covered string }
				Error             *struct{}
				PolicyHash        string `json:"policy_sha256"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &d))
			assert.Equal(t, "L1", d.ID)
			assert.Equal(t, "microloan-interest-subsidy", d.Rule)
			assert.True(t, d.Pass)
			assert.Equal(t, "486.59", d.Interest)
			assert.Equal(t, "486.59", d.Subsidy)
			require.Len(t, d.Periods, 2)
			assert.Equal(t, "106.94", d.Periods[0].Interest)
			assert.Equal(t, "379.65", d.Periods[1].Interest)
			assert.Equal(t, "379.65", d.Periods[1].Covered)
			assert.Nil(t, d.Error)
			assert.Equal(t, ts.set.Hash(), d.PolicyHash)
			assert.Contains(t, rec.Body.String(), `"borrower_interest":"0.00"`)

			// The answer is loan.Decision's own JSON: it reads back.
			var back loan.Decision
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &back))
			assert.True(t, back.Granted)
			assert.Equal(t, "486.59", back.Schedule.Covered.StringFixed(2))
		})
	}
}

func TestLoanErrors(t *testing.T) {
	ts := newTestServer(t, Limits{})
	base := `"poverty_relieved":true,"monitored":false,"annual_rate":"0.0385","start":"2021-09-01","maturity":"2022-09-01"`
	tests := []struct {
		name, body  string
		status      int
		code, field string
	}{
		{"principal in three places", `{` + base + `,"principal":"100.001"}`, 422, codeInvalidInput, "principal"},
		{"principal missing", `{` + base + `}`, 422, codeMissingInput, "principal"},
		{"a percent for a rate", `{"poverty_relieved":true,"monitored":false,"principal":"1000","annual_rate":"3.85","start":"2021-09-01","maturity":"2022-09-01"}`, 422, codeInvalidInput, "annual_rate"},
		{"repayments not a list of objects", `{` + base + `,"principal":"1000","repayments":[1]}`, 422, codeInvalidInput, "repayments"},
		{"unknown field", `{` + base + `,"principal":"1000","collateral":"house"}`, 400, codeUnknownField, "collateral"},
		{"not an object", `"loan"`, 400, codeBadJSON, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.do(t, "POST", "/v1/loans/decide", tt.body)
			assert.Equal(t, tt.status, rec.Code, "body %s", rec.Body)
			e := apiErr(t, rec)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.field, e.Field)
		})
	}
}

func TestRules(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/v1/rules", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var got struct {
		Policy struct{ ID, SHA256 string }
		Rules  []struct {
			ID, Clause string
			Inputs     []struct {
				Name, Label, Type string
				Allowed           []string
			}
			Outputs []struct {
				Name     string
				Rounding struct {
					Places int
					Mode   string
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, "henan-2021-48", got.Policy.ID)
	assert.Equal(t, ts.set.Hash(), got.Policy.SHA256)
	require.Len(t, got.Rules, 7)
	tg := got.Rules[0]
	assert.Equal(t, "training-grant", tg.ID)
	assert.Equal(t, "第七条", tg.Clause)
	require.Len(t, tg.Inputs, 5)
	assert.Equal(t, "as_of", tg.Inputs[0].Name)
	assert.Equal(t, "certificate_tier", tg.Inputs[4].Name)
	assert.Equal(t, "证书工种类别", tg.Inputs[4].Label)
	assert.Equal(t, []string{"A", "B", "C"}, tg.Inputs[4].Allowed)
	assert.Contains(t, tg.Inputs[1].Allowed, "是")
	require.Len(t, got.Rules[3].Outputs, 3)
	assert.Equal(t, "share", got.Rules[3].Outputs[0].Name)
	assert.Equal(t, 4, got.Rules[3].Outputs[0].Rounding.Places)
	assert.Equal(t, "down", got.Rules[3].Outputs[0].Rounding.Mode)
}

type paramList struct {
	Parameters []struct {
		Name, Label string
		Values      []struct {
			From  string
			Value any
			Basis string
			File  string
			Line  int
		}
	}
}

func (p paramList) find(t *testing.T, name string) int {
	t.Helper()
	for i, q := range p.Parameters {
		if q.Name == name {
			return i
		}
	}
	t.Fatalf("no parameter %s", name)
	return -1
}

func TestParameters(t *testing.T) {
	overlay := rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  return_travel_cap:
    values:
      - {from: "2022-01-01", value: "500.00", basis: 县政府常务会议纪要}
`)}
	ts := newTestServer(t, Limits{}, overlay)
	rec := ts.do(t, "GET", "/v1/parameters", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var got paramList
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	lpr := got.Parameters[got.find(t, "lpr_1y")]
	require.Len(t, lpr.Values, 7)
	assert.Equal(t, "2021-12-20", lpr.Values[1].From)
	assert.Equal(t, "0.0380", lpr.Values[1].Value)
	assert.Contains(t, lpr.Values[1].Basis, "2021年12月20日")
	cap := got.Parameters[got.find(t, "return_travel_cap")]
	require.Len(t, cap.Values, 2)
	assert.Nil(t, cap.Values[0].Value, "no cap is null")
	assert.Equal(t, "500.00", cap.Values[1].Value)
	assert.Equal(t, "county.yaml", cap.Values[1].File)
	assert.Equal(t, 5, cap.Values[1].Line)
	months := got.Parameters[got.find(t, "work_training_max_months")]
	assert.Equal(t, float64(6), months.Values[0].Value, "a whole number is a JSON number")

	// The overlay decides: a trip of 800.00 in 2022 is paid 500.00.
	rec = ts.do(t, "POST", "/v1/rules/return-travel-reimbursement/decide", `{"as_of":"2022-03-01","poverty_relieved":true,"returned_due_to_disaster":true,"back_to_work":true,"travel_cost":"800.00"}`)
	require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
	assert.Equal(t, "500.00", readDecision(t, rec.Body.Bytes()).output(t, "amount"))
}

func TestHealthAndMetrics(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/healthz", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"status":"ok","policy":"henan-2021-48","policy_sha256":"`+ts.set.Hash()+`"}`, rec.Body.String())

	ts.do(t, "POST", "/v1/rules/training-grant/decide", grantB)
	ts.do(t, "POST", "/v1/rules/training-grant/decide", grantB)
	ts.do(t, "POST", "/v1/rules/training-grant/decide", strings.Replace(grantB, `"monitored":false`, `"monitored":false,"x":1`, 1)) // not decided: no count
	ts.do(t, "POST", "/v1/rules/training-grant/decide", strings.Replace(grantB, "B类", "Z", 1))
	ts.do(t, "POST", "/v1/rules/training-grant/decide", strings.Replace(grantB, `"disaster_affected":true`, `"disaster_affected":false`, 1))
	rec = ts.do(t, "GET", "/metrics", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/plain; version=0.0.4; charset=utf-8", rec.Header().Get("Content-Type"))
	m := rec.Body.String()
	assert.Contains(t, m, `fangpin_decisions_total{rule="training-grant",outcome="pass"} 2`+"\n")
	assert.Contains(t, m, `fangpin_decisions_total{rule="training-grant",outcome="fail"} 1`+"\n")
	assert.Contains(t, m, `fangpin_decisions_total{rule="training-grant",outcome="error"} 1`+"\n")
	assert.Contains(t, m, `fangpin_decisions_total{rule="fund-scale",outcome="pass"} 0`+"\n")
	assert.Contains(t, m, `fangpin_decision_duration_seconds_count 4`+"\n")
	assert.Contains(t, m, `fangpin_http_requests_total{route="POST /v1/rules/{rule}/decide",code="200"} 3`+"\n")
	assert.Contains(t, m, `fangpin_http_requests_total{route="POST /v1/rules/{rule}/decide",code="400"} 1`+"\n")
	assert.Contains(t, m, `fangpin_http_requests_total{route="POST /v1/rules/{rule}/decide",code="422"} 1`+"\n")
	assert.Contains(t, m, `fangpin_http_request_duration_seconds_bucket{route="GET /healthz",le="+Inf"} 1`+"\n")
}

func TestRequestLog(t *testing.T) {
	ts := newTestServer(t, Limits{})
	ts.do(t, "POST", "/v1/rules/training-grant/decide", grantB)
	var line struct {
		Msg, Method, Path, Route string
		Status                   int
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(ts.log.String())), &line), "log %s", ts.log)
	assert.Equal(t, "request", line.Msg)
	assert.Equal(t, "POST", line.Method)
	assert.Equal(t, "/v1/rules/training-grant/decide", line.Path)
	assert.Equal(t, "POST /v1/rules/{rule}/decide", line.Route)
	assert.Equal(t, 200, line.Status)
}

func TestDecisionLog(t *testing.T) {
	ts := newTestServer(t, Limits{})
	ts.do(t, "POST", "/v1/rules/training-grant/decide", `{"id":"P1",`+grantB[1:])
	ts.do(t, "POST", "/v1/rules/training-grant/decide", strings.Replace(grantB, "B类", "D", 1))
	ts.do(t, "POST", "/v1/rules/training-grant/batch", grantB+"\n"+`{"id":"P2","certificate_tier":"A"}`+"\n")
	lines := strings.Split(strings.TrimSpace(ts.decisions.String()), "\n")
	require.Len(t, lines, 4)
	type logged struct {
		Row, Line    int
		ID           string            `json:"id"`
		Rule         string            `json:"rule"`
		Pass         *bool             `json:"pass"`
		Error        *rules.Problem    `json:"error"`
		Policy       string            `json:"policy"`
		PolicySHA256 string            `json:"policy_sha256"`
		Input        map[string]string `json:"input"`
		Time         string            `json:"time"`
	}
	var got [4]logged
	for i, l := range lines {
		require.NoError(t, json.Unmarshal([]byte(l), &got[i]), "line %s", l)
	}
	ok, bad := got[0], got[1]
	assert.Equal(t, "2021-09-01T09:30:00Z", ok.Time)
	assert.Equal(t, "P1", ok.ID)
	assert.Equal(t, "training-grant", ok.Rule)
	assert.Equal(t, "B类", ok.Input["certificate_tier"])
	assert.Equal(t, "2021-09-01", ok.Input["as_of"])
	assert.Equal(t, "1800.00", readDecision(t, []byte(lines[0])).output(t, "amount"))
	require.NotNil(t, ok.Pass)
	assert.True(t, *ok.Pass)
	assert.Nil(t, ok.Error)
	assert.Equal(t, "henan-2021-48", ok.Policy)
	assert.Equal(t, ts.set.Hash(), ok.PolicySHA256)
	assert.Nil(t, bad.Pass)
	require.NotNil(t, bad.Error)
	assert.Equal(t, "certificate_tier", bad.Error.Field)

	// A line is the decision object as the API answers it, then the input
	// and the time.
	res, err := ts.set.Eval(context.Background(), "training-grant", rules.Input{rules.AsOf: rules.Text("2021-09-01"),
		"poverty_relieved": rules.Text("是"), "monitored": rules.Text("false"), "disaster_affected": rules.Text("true"), "certificate_tier": rules.Text("B类")})
	require.NoError(t, err)
	js := rules.AppendJSON(nil, res, nil, rules.JSONOptions{ID: "P1", Policy: ts.set})
	assert.True(t, strings.HasPrefix(lines[0], string(js[:len(js)-1])+`,"input":{`), "line %s", lines[0])

	// A batch's records are logged with their row, line and id.
	assert.Equal(t, 1, got[2].Row)
	assert.Equal(t, 2, got[3].Row)
	assert.Equal(t, 2, got[3].Line)
	assert.Equal(t, "P2", got[3].ID)
	assert.Equal(t, "poverty_relieved", got[3].Error.Field)
}

// TestDecisionLogHasTheAnswerNotTheFirstDecision: a record refused by the
// checks across records is logged refused, as it was answered.
func TestDecisionLogHasTheAnswerNotTheFirstDecision(t *testing.T) {
	ts := newTestServer(t, Limits{})
	one := `{"id":"P1",` + grantB[1:] + "\n"
	body := ts.do(t, "POST", "/v1/rules/training-grant/batch", one+one).Body.String()
	lines := readLines(t, body)
	require.Len(t, lines, 2)
	assert.Equal(t, []string{"duplicate-training-grant"}, readDecision(t, lines[1].raw).codes())
	logged := strings.Split(strings.TrimSpace(ts.decisions.String()), "\n")
	require.Len(t, logged, 2)
	assert.Contains(t, logged[1], `"pass":false`)
	assert.Contains(t, logged[1], `"code":"duplicate-training-grant"`)
	m := ts.do(t, "GET", "/metrics", "").Body.String()
	assert.Contains(t, m, `fangpin_decisions_total{rule="training-grant",outcome="pass"} 1`+"\n")
	assert.Contains(t, m, `fangpin_decisions_total{rule="training-grant",outcome="fail"} 1`+"\n")
}

func TestRecoverAnswers500(t *testing.T) {
	ts := newTestServer(t, Limits{})
	h := ts.logRequests(ts.recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	})))
	rec := httptestRecorder(h, "GET", "/v1/rules")
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, codeInternal, apiErr(t, rec).Code)
	assert.Contains(t, ts.log.String(), `"msg":"panic"`)
	assert.Contains(t, ts.log.String(), `"status":500`)
}

// TestBatchStreams sends a batch over a real connection one line at a
// time and reads each answer before sending the next line.
func TestBatchStreams(t *testing.T) {
	ts := newTestServer(t, Limits{})
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", srv.URL+"/v1/rules/training-grant/batch", pr)
	require.NoError(t, err)
	type answer struct {
		resp *http.Response
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		got <- answer{resp, err}
	}()
	io.WriteString(pw, `{"id":"a","poverty_relieved":true,"monitored":false,"disaster_affected":true,"certificate_tier":"A"}`+"\n")
	a := <-got // the status and the first line come before the body ends
	require.NoError(t, a.err)
	defer a.resp.Body.Close()
	require.Equal(t, http.StatusOK, a.resp.StatusCode)
	rd := bufio.NewReader(a.resp.Body)
	for i, tier := range []string{"B", "C", "X"} {
		first, err := rd.ReadString('\n')
		require.NoError(t, err)
		assert.Contains(t, first, fmt.Sprintf(`"row":%d,`, i+1))
		io.WriteString(pw, `{"poverty_relieved":true,"monitored":false,"disaster_affected":true,"certificate_tier":"`+tier+`"}`+"\n")
	}
	pw.Close()
	rest, err := io.ReadAll(rd)
	require.NoError(t, err)
	assert.Contains(t, string(rest), `"row":4,`)
	assert.Contains(t, string(rest), `"pass":null,"reasons":[],"notes":[],"error":{"field":"certificate_tier"`)
}

func TestLoanIsLoggedAndCounted(t *testing.T) {
	ts := newTestServer(t, Limits{})
	body := `{"id":"L9","poverty_relieved":"否","monitored":"否","principal":"1000.00","annual_rate":"0.0385","start":"2021-09-01","maturity":"2022-09-01"}`
	rec := ts.do(t, "POST", "/v1/loans/decide", body)
	require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
	assert.Contains(t, rec.Body.String(), `"pass":false`)
	ts.do(t, "POST", "/v1/loans/decide", `{"poverty_relieved":"是"}`)
	m := ts.do(t, "GET", "/metrics", "").Body.String()
	assert.Contains(t, m, `fangpin_decisions_total{rule="microloan-interest-subsidy",outcome="fail"} 1`+"\n")
	assert.Contains(t, m, `fangpin_decisions_total{rule="microloan-interest-subsidy",outcome="error"} 1`+"\n")
	lines := strings.Split(strings.TrimSpace(ts.decisions.String()), "\n")
	require.Len(t, lines, 2)
	var logged struct {
		ID           string            `json:"id"`
		Rule         string            `json:"rule"`
		Pass         bool              `json:"pass"`
		Input        map[string]string `json:"input"`
		PolicySHA256 string            `json:"policy_sha256"`
		Time         string            `json:"time"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &logged))
	assert.Equal(t, "microloan-interest-subsidy", logged.Rule)
	assert.Equal(t, "1000.00", logged.Input["principal"])
	assert.Equal(t, "L9", logged.ID)
	assert.False(t, logged.Pass)
	assert.Equal(t, ts.set.Hash(), logged.PolicySHA256)
	assert.Equal(t, "2021-09-01T09:30:00Z", logged.Time)
	assert.True(t, strings.HasPrefix(lines[0], strings.TrimSuffix(rec.Body.String(), "}\n")+`,"input":{`), "the loan's decision as answered, then the input")
	assert.Contains(t, lines[1], `{"rule":"microloan-interest-subsidy","pass":null,"reasons":[],"notes":[],"error":{"field":"monitored"`)
}

// TestRunShutsDownGracefully cancels a running server while a request is
// under way: the request is answered, and Run returns without error.
func TestRunShutsDownGracefully(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: mux}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- Run(ctx, hs, func() error { return hs.Serve(ln) }, 5*time.Second) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	time.Sleep(50 * time.Millisecond) // Shutdown has begun: no new connections
	_, err = net.DialTimeout("tcp", ln.Addr().String(), time.Second)
	assert.Error(t, err, "the listener is closed")
	close(release)
	assert.Equal(t, "done", <-got)
	assert.NoError(t, <-ran)
}

func TestUploadGetRedirects(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/upload", "")
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/", rec.Header().Get("Location"))
}

// TestServerDocShowsRealAnswers: the answers docs/server.md shows are
// the server's own.
func TestServerDocShowsRealAnswers(t *testing.T) {
	doc, err := os.ReadFile("../../docs/server.md")
	require.NoError(t, err)
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "POST", "/v1/rules/training-grant/decide", `{"as_of":"2021-09-01","poverty_relieved":"是","monitored":"否","disaster_affected":"是","certificate_tier":"B类"}`)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, string(doc), "```json\n"+rec.Body.String()+"```")

	body := grantB + "\n\n" + grantB + "\n" + grantB + "\nnot json\n"
	lines := readLines(t, ts.do(t, "POST", "/v1/rules/training-grant/batch", body).Body.String())
	require.Len(t, lines, 4)
	assert.Contains(t, string(doc), "```json\n"+string(lines[3].raw)+"\n```")
}
