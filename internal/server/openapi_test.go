package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	return doc
}

// TestOpenAPIListsEveryRoute keeps the document and the server's API
// routes the same.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	var inDoc []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inDoc = append(inDoc, method+" "+path)
		}
	}
	sort.Strings(inDoc)
	served := []string{"GET /healthz", "GET /metrics", "GET /v1/openapi.json", "GET /v1/parameters", "GET /v1/rules",
		"POST /v1/loans/decide", "POST /v1/rules/{rule}/batch", "POST /v1/rules/{rule}/decide", "POST /v1/rules/{rule}/explain"}
	assert.Equal(t, served, inDoc)

	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/v1/openapi.json", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, string(openAPI), rec.Body.String())
}

// TestOpenAPIMatchesResponses checks real answers, good and bad, against
// the document's schemas.
func TestOpenAPIMatchesResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	ts := newTestServer(t, Limits{BodyBytes: 4096})
	tests := []struct {
		method, path, route, body string
		status                    int
	}{
		{"POST", "/v1/rules/training-grant/decide", "/v1/rules/{rule}/decide", grantB, 200},
		{"POST", "/v1/rules/training-grant/decide", "/v1/rules/{rule}/decide", strings.Replace(grantB, `"monitored":false`, `"monitored":false,"x":1`, 1), 400},
		{"POST", "/v1/rules/nope/decide", "/v1/rules/{rule}/decide", grantB, 404},
		{"POST", "/v1/rules/training-grant/decide", "/v1/rules/{rule}/decide", `{"id":"` + strings.Repeat("x", 5000) + `"}`, 413},
		{"POST", "/v1/rules/training-grant/decide", "/v1/rules/{rule}/decide", strings.Replace(grantB, "B类", "D", 1), 422},
		{"POST", "/v1/rules/work-relief-labour-share/decide", "/v1/rules/{rule}/decide", `{"fiscal_funds":"100000.00","labour_remuneration":"14999.99"}`, 200},
		{"POST", "/v1/rules/fund-scale/decide", "/v1/rules/{rule}/decide", `{"as_of":"2021-10-01","integrated_2020":"300.00","integrated_2021":"200.00"}`, 200},
		{"POST", "/v1/rules/training-grant/explain", "/v1/rules/{rule}/explain", grantB, 200},
		{"POST", "/v1/rules/training-grant/explain", "/v1/rules/{rule}/explain", `{}`, 422},
		{"POST", "/v1/loans/decide", "/v1/loans/decide", `{"id":"L1","poverty_relieved":true,"monitored":false,"principal":"60000.00","annual_rate":"0.0385","start":"2021-09-01","maturity":"2022-09-01","repayments":[{"date":"2022-09-01","amount":"60000.00"}]}`, 200},
		{"POST", "/v1/loans/decide", "/v1/loans/decide", `{"poverty_relieved":true}`, 422},
		{"POST", "/v1/loans/decide", "/v1/loans/decide", `{"x":1}`, 400},
		{"GET", "/v1/rules", "/v1/rules", "", 200},
		{"GET", "/v1/parameters", "/v1/parameters", "", 200},
		{"GET", "/v1/openapi.json", "/v1/openapi.json", "", 200},
		{"GET", "/healthz", "/healthz", "", 200},
		{"GET", "/metrics", "/metrics", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+http.StatusText(tt.status), func(t *testing.T) {
			status, err := checkResponse(t, doc, ts, tt.method, tt.path, tt.route, tt.body)
			require.Equal(t, tt.status, status)
			assert.NoError(t, err)
		})
	}
}

// checkResponse sends a request to the server and checks its answer
// against the operation of route in doc. It returns the status.
func checkResponse(t *testing.T, doc *openapi3.T, ts *testServer, method, path, route, body string) (int, error) {
	t.Helper()
	item := doc.Paths.Value(route)
	require.NotNil(t, item, "%s is not in the document", route)
	op := item.GetOperation(method)
	require.NotNil(t, op)
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	params := map[string]string{}
	if strings.Contains(route, "{rule}") {
		params["rule"] = strings.Split(path, "/")[3]
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params,
			Route: &routers.Route{Spec: doc, Path: route, PathItem: item, Method: method, Operation: op}},
		Status: rec.Code, Header: rec.Header(), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	return rec.Code, openapi3filter.ValidateResponse(context.Background(), in)
}

const loanL1 = `{"id":"L1","poverty_relieved":true,"monitored":false,"principal":"50000.00","annual_rate":"0.0385","start":"2021-09-01","maturity":"2022-09-01","repaid_on":"2021-12-01"}`

// TestOpenAPICatchesAWrongSchema: the check above fails when a schema
// does not describe the answers, as the schemas of the JSON before the one
// shape (outputs as a list, a loan's eligible and schedule) do not.
func TestOpenAPICatchesAWrongSchema(t *testing.T) {
	var raw map[string]any
	require.NoError(t, json.Unmarshal(openAPI, &raw))
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	schemas["Decision"] = map[string]any{"type": "object", "required": []string{"rule", "pass", "outputs"},
		"properties": map[string]any{"outputs": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}}
	schemas["LoanDecision"] = map[string]any{"type": "object", "required": []string{"loan", "eligible", "schedule"}}
	old, err := json.Marshal(raw)
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(old)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	ts := newTestServer(t, Limits{})

	status, err := checkResponse(t, doc, ts, "POST", "/v1/rules/training-grant/decide", "/v1/rules/{rule}/decide", grantB)
	require.Equal(t, http.StatusOK, status)
	assert.ErrorContains(t, err, `property "outputs" is missing`)
	status, err = checkResponse(t, doc, ts, "POST", "/v1/loans/decide", "/v1/loans/decide", loanL1)
	require.Equal(t, http.StatusOK, status)
	assert.ErrorContains(t, err, `property "eligible" is missing`)
}

// TestOpenAPISchemasRefuseWrongShapes: each schema of a decision refuses
// an answer that strays from the one shape in one place.
func TestOpenAPISchemasRefuseWrongShapes(t *testing.T) {
	doc := loadOpenAPI(t)
	ts := newTestServer(t, Limits{})
	decision := ts.do(t, "POST", "/v1/rules/training-grant/decide", grantB).Body.String()
	refused := ts.do(t, "POST", "/v1/rules/training-grant/decide", strings.Replace(grantB, `"disaster_affected":true`, `"disaster_affected":false`, 1)).Body.String()
	loanJS := ts.do(t, "POST", "/v1/loans/decide", loanL1).Body.String()
	line := ts.do(t, "POST", "/v1/rules/training-grant/batch", grantB).Body.String()
	tests := []struct {
		name, schema, body, from, to string
	}{
		{"an amount as a JSON number", "Decision", decision, `"amount":"1800.00"`, `"amount":1800`},
		{"outputs as an object", "Decision", decision, `"amount":"1800.00"`, `"outputs":{"amount":"1800.00"}`},
		{"an amount that is not a number", "Decision", decision, `"amount":"1800.00"`, `"amount":"1,800.00"`},
		{"reasons as codes", "Decision", decision, `"reasons":[]`, `"reasons":["not-covered-population"]`},
		{"no notes", "Decision", decision, `"notes":[],`, ``},
		{"an error as text", "Decision", decision, `"error":null`, `"error":"bad"`},
		{"no policy hash", "Decision", decision, `,"policy_sha256":"` + ts.set.Hash() + `"`, ``},
		{"a reason without its clause", "Decision", refused, `,"clause":"第七条"`, ``},
		{"pass as text", "BatchLine", line, `"pass":true`, `"pass":"true"`},
		{"no row", "BatchLine", line, `"row":1,`, ``},
		{"an error without its message", "BatchLine", line, `"error":null`, `"error":{"field":"x"}`},
		{"a loan's eligible", "LoanDecision", loanJS, `"pass":true`, `"pass":true,"eligible":true`},
		{"a loan's subsidy as a number", "LoanDecision", loanJS, `"subsidy":"486.59"`, `"subsidy":486.59`},
		{"a loan without periods", "LoanDecision", loanJS, `"periods":[`, `"schedule":[`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema := doc.Components.Schemas[tt.schema].Value
			var v any
			require.NoError(t, json.Unmarshal([]byte(tt.body), &v))
			require.NoError(t, schema.VisitJSON(v), "the real answer fits %s", tt.schema)
			require.Contains(t, tt.body, tt.from)
			bad := strings.Replace(tt.body, tt.from, tt.to, 1)
			require.NoError(t, json.Unmarshal([]byte(bad), &v))
			assert.Error(t, schema.VisitJSON(v), "%s: %s", tt.schema, bad)
		})
	}
}

// TestOpenAPIBatchLines checks each line of a batch answer against the
// BatchLine schema, and the closing error line against Error.
func TestOpenAPIBatchLines(t *testing.T) {
	doc := loadOpenAPI(t)
	ts := newTestServer(t, Limits{Rows: 3})
	body := grantB + "\n" + `{"id":"x","certificate_tier":"D"}` + "\nnot json\n" + grantB + "\n"
	rec := ts.do(t, "POST", "/v1/rules/training-grant/batch", body)
	require.Equal(t, http.StatusOK, rec.Code)
	line := doc.Components.Schemas["BatchLine"].Value
	errSchema := doc.Components.Schemas["Error"].Value
	sc := bufio.NewScanner(strings.NewReader(rec.Body.String()))
	n := 0
	for sc.Scan() {
		n++
		var v any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &v))
		schema := line
		if n == 4 {
			schema = errSchema
		}
		assert.NoError(t, schema.VisitJSON(v), "line %d: %s", n, sc.Text())
	}
	assert.Equal(t, 4, n)
}
