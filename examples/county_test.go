package examples_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/measures"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOneOverlayForEveryPackage loads a county's overlay once and decides a
// subsidy and a loan with the same compiled policy: both apply the
// county's parameters and carry the same policy hash.
func TestOneOverlayForEveryPackage(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("overlays/county.yaml")
	require.NoError(t, err)
	set, err := policies.Load(rules.Source{Name: "overlays/county.yaml", Data: data})
	require.NoError(t, err)
	plain, err := policies.Load()
	require.NoError(t, err)
	require.NotEqual(t, plain.Hash(), set.Hash(), "the overlay is part of the hash")

	sc, err := subsidy.New(subsidy.WithPolicy(set))
	require.NoError(t, err)
	lc, err := loan.New(loan.WithPolicy(set))
	require.NoError(t, err)
	reg, err := measures.Load(measures.WithPolicy(set))
	require.NoError(t, err)
	assert.Equal(t, set.Meta().ID, reg.Policy)
	assert.Same(t, set, sc.Policy(), "the calculator decides with the set it was given")

	trip, err := sc.ReturnTravel(ctx, subsidy.ReturnTrip{Person: subsidy.Person{ID: "411328199001010011", PovertyRelieved: true},
		ReturnedDueToDisaster: true, BackToWork: true, Cost: decimal.RequireFromString("1286.50"), AsOf: rules.MustDate("2021-09-10")})
	require.NoError(t, err)
	assert.True(t, trip.Granted)
	assert.Equal(t, "500.00", trip.Amount.StringFixed(2), "the county's cap on return travel")

	l, err := lc.Subsidy(ctx, loan.Loan{ID: "L005", PovertyRelieved: true, Principal: decimal.RequireFromString("80000.00"),
		AnnualRate: decimal.RequireFromString("0.0385"), Start: rules.MustDate("2021-09-01"), Maturity: rules.MustDate("2022-09-01"),
		Repayments: []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("80000.00")}}})
	require.NoError(t, err)
	assert.True(t, l.Granted, "the county subsidises the first 50,000.00")
	assert.Equal(t, "50000.00", l.SubsidisedPrincipal.StringFixed(2))
	assert.Equal(t, "486.59", l.Schedule.Covered.StringFixed(2))
	assert.Equal(t, loan.NotePrincipalCapped, l.Notes[0].Code)

	var a, b struct {
		Hash string `json:"policy_sha256"`
	}
	js, err := json.Marshal(trip)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &a))
	js, err = json.Marshal(l)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &b))
	assert.Equal(t, set.Hash(), a.Hash)
	assert.Equal(t, set.Hash(), b.Hash)
}
