package loan_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/ruralrelief/fangpin/internal/golden"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonLoans are decisions of every kind: the worked example, a refusal, a
// loan cut to its first 50,000, a loan overdue after its maturity, and one
// asked about as of a day.
func jsonLoans(t *testing.T) []loan.Decision {
	t.Helper()
	ctx := context.Background()
	var out []loan.Decision
	dec, err := calc(t).Subsidy(ctx, base())
	require.NoError(t, err)
	out = append(out, dec)

	refused := base()
	refused.ID, refused.PovertyRelieved, refused.Renews = "L9", false, "L8"
	dec, err = calc(t).Subsidy(ctx, refused)
	require.NoError(t, err)
	out = append(out, dec)

	big := base()
	big.ID, big.Principal = "L5", d("80000.00")
	big.Repayments = []loan.Repayment{{Date: day("2021-10-15"), Amount: d("40000.00")}, {Date: day("2021-12-01"), Amount: d("40000.00")}}
	dec, err = calc(t, firstPortion).Subsidy(ctx, big)
	require.NoError(t, err)
	out = append(out, dec)

	late := base()
	late.ID, late.Maturity = "L7", day("2021-11-01")
	dec, err = calc(t).Subsidy(ctx, late)
	require.NoError(t, err)
	out = append(out, dec)

	dec, err = calc(t).SubsidyAsOf(ctx, base(), day("2021-10-15"))
	require.NoError(t, err)
	out = append(out, dec)
	return out
}

// TestDecisionJSON pins a loan decision's JSON, the one JSON shape of a
// decision (docs/json.md): amounts with 2 places, zero as "0.00".
func TestDecisionJSON(t *testing.T) {
	var b []byte
	for _, dec := range jsonLoans(t) {
		js, err := json.MarshalIndent(dec, "", "  ")
		require.NoError(t, err)
		b = append(append(b, js...), '\n')
	}
	golden.Check(t, "testdata/decisions.json", b)

	js, err := json.Marshal(jsonLoans(t)[0])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(js, &m))
	assert.Equal(t, true, m["pass"])
	assert.Equal(t, "50000.00", m["subsidised_principal"])
	assert.Equal(t, "486.59", m["interest"])
	assert.Equal(t, "486.59", m["subsidy"])
	assert.Equal(t, "0.00", m["borrower_interest"], "zero money keeps its places")
	assert.Equal(t, "0.00", m["overdue"])
	assert.Equal(t, "microloan-interest-subsidy", m["rule"])
	assert.Nil(t, m["error"])
	assert.Equal(t, []any{}, m["reasons"])
	assert.NotContains(t, m, "as_of", "only a decision as of a day has one")
	assert.NotContains(t, string(js), `":"0"`)
}

// TestDecisionJSONRoundTrips checks Unmarshal(Marshal(d)) equals d, field
// by field (decimals by value), for decisions of every kind.
func TestDecisionJSONRoundTrips(t *testing.T) {
	for _, dec := range jsonLoans(t) {
		js, err := json.Marshal(dec)
		require.NoError(t, err)
		var back loan.Decision
		require.NoError(t, json.Unmarshal(js, &back))
		sameValue(t, dec.Loan, reflect.ValueOf(dec), reflect.ValueOf(back))
		again, err := json.Marshal(back)
		require.NoError(t, err)
		assert.Equal(t, string(js), string(again), "loan %s", dec.Loan)
	}
}

// sameValue compares the exported fields of two values: decimals by
// value, a nil slice as an empty one.
func sameValue(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	if a.Type() == reflect.TypeFor[decimal.Decimal]() {
		x, y := a.Interface().(decimal.Decimal), b.Interface().(decimal.Decimal)
		assert.True(t, x.Equal(y), "%s: %s after a round trip, want %s", path, y, x)
		return
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if f := a.Type().Field(i); f.IsExported() {
				sameValue(t, path+"."+f.Name, a.Field(i), b.Field(i))
			}
		}
	case reflect.Slice:
		if !assert.Equal(t, a.Len(), b.Len(), "%s: length", path) {
			return
		}
		for i := range a.Len() {
			sameValue(t, fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
		}
	case reflect.Pointer:
		if !assert.Equal(t, a.IsNil(), b.IsNil(), "%s: nil", path) || a.IsNil() {
			return
		}
		sameValue(t, path, a.Elem(), b.Elem())
	default:
		assert.Equal(t, a.Interface(), b.Interface(), path)
	}
}
