package policies_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// The engine's side of the one-decision benchmarks: each decision through
// Set.Eval with its inputs as text, the way a sheet or a form gives them.
// The peers (hand-written Go parsing the same text, cel-go with a decimal
// type, expr on float64, grule) are in the bench module at the root of the
// repository; these stay here so a change to the engine can be compared
// with benchstat without that module's dependencies.

var sinkResult rules.Result

func benchEval(b *testing.B, rule string, inputs []rules.Input) {
	set, err := policies.Load()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	on := rules.On(rules.MustDate("2021-09-30"))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		res, err := set.Eval(ctx, rule, inputs[i%len(inputs)], on)
		if err != nil {
			b.Fatal(err)
		}
		sinkResult = res
		i++
	}
}

// BenchmarkEvalTrainingGrant decides training grants for every combination
// of the three flags and the six ways to write a tier.
func BenchmarkEvalTrainingGrant(b *testing.B) {
	var inputs []rules.Input
	yn := []string{"是", "否"}
	for _, tier := range []string{"A", "B", "C", "A类", "B类", "C类"} {
		for i := range 8 {
			inputs = append(inputs, rules.Input{"poverty_relieved": rules.Text(yn[i&1]), "monitored": rules.Text(yn[i>>1&1]),
				"disaster_affected": rules.Text(yn[i>>2&1]), "certificate_tier": rules.Text(tier)})
		}
	}
	benchEval(b, "training-grant", inputs)
}

// BenchmarkEvalLabourShare audits projects whose amounts differ on every
// decision.
func BenchmarkEvalLabourShare(b *testing.B) {
	var inputs []rules.Input
	for i := range 1024 {
		fiscal := decimal.New(int64(1_000_000+i*7919_13), -2)
		labour := fiscal.Mul(decimal.New(int64(10+i%11), -2)).RoundDown(2)
		inputs = append(inputs, rules.Input{"fiscal_funds": rules.Text(fiscal.StringFixed(2)), "labour_remuneration": rules.Text(labour.StringFixed(2))})
	}
	benchEval(b, "work-relief-labour-share", inputs)
}

// BenchmarkEvalWorkTraining decides 以工代训 subsidies with months varying.
func BenchmarkEvalWorkTraining(b *testing.B) {
	var inputs []rules.Input
	yn := []string{"是", "否"}
	for i := range 104 {
		inputs = append(inputs, rules.Input{"poverty_relieved": rules.Text(yn[i&1]), "monitored": rules.Text("是"),
			"disaster_affected": rules.Text(yn[i/3%2]), "months": rules.Text(fmt.Sprint(i % 13))})
	}
	benchEval(b, "work-training-subsidy", inputs)
}
