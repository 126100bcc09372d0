package policies_test

import (
	"context"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

var (
	sinkResult rules.Result
	sinkAmount decimal.Decimal
	sinkPass   bool
)

// BenchmarkTrainingGrantEngine decides one training grant through the rule
// engine: typed inputs, the policy compiled once outside the loop.
func BenchmarkTrainingGrantEngine(b *testing.B) {
	set, err := policies.Load()
	if err != nil {
		b.Fatal(err)
	}
	in := rules.Input{
		rules.AsOf:          rules.Day(rules.MustDate("2021-09-01")),
		"poverty_relieved":  rules.Bool(true),
		"monitored":         rules.Bool(false),
		"disaster_affected": rules.Bool(true),
		"certificate_tier":  rules.Text("B"),
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := set.Eval(ctx, "training-grant", in)
		if err != nil {
			b.Fatal(err)
		}
		sinkResult = res
	}
	if got, ok := sinkResult.Output("amount"); !ok || !got.Equal(decimal.NewFromInt(1800)) {
		b.Fatalf("amount = %s", got)
	}
}

// BenchmarkTrainingGrantHandWritten is the same decision written directly in
// Go with decimal: the in-force check, both requirements and the tier amount.
func BenchmarkTrainingGrantHandWritten(b *testing.B) {
	from := rules.MustDate("2021-08-19")
	amounts := map[string]decimal.Decimal{
		"A": decimal.RequireFromString("2000.00"),
		"B": decimal.RequireFromString("1800.00"),
		"C": decimal.RequireFromString("1500.00"),
	}
	on := rules.MustDate("2021-09-01")
	relieved, monitored, affected, tier := true, false, true, "B"
	b.ReportAllocs()
	for b.Loop() {
		var reasons []string
		if on.Before(from) {
			reasons = append(reasons, "not-in-force")
		}
		if !(relieved || monitored) {
			reasons = append(reasons, "not-covered-population")
		}
		if !affected {
			reasons = append(reasons, "not-disaster-affected")
		}
		amount := decimal.Zero
		if len(reasons) == 0 {
			amount = amounts[tier].Round(2)
		}
		sinkAmount, sinkPass = amount, len(reasons) == 0
	}
	if !sinkAmount.Equal(decimal.NewFromInt(1800)) {
		b.Fatalf("amount = %s", sinkAmount)
	}
}
