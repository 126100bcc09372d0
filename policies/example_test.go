package policies_test

import (
	"context"
	"fmt"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
)

func ExampleLoad() {
	set, err := policies.Load()
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := set.Eval(context.Background(), "training-grant", rules.Input{
		rules.AsOf:          rules.Text("2021-09-01"),
		"poverty_relieved":  rules.Text("是"),
		"monitored":         rules.Text("否"),
		"disaster_affected": rules.Text("是"),
		"certificate_tier":  rules.Text("B类"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	amount, _ := res.Output("amount") // ok is false for a name the rule lacks
	fmt.Println(res.Pass, amount.StringFixed(2), res.Clause())
	// Output: true 1800.00 第七条
}

func ExampleLoad_overlay() {
	county := []byte(`extends: henan-2021-48
parameters:
  return_travel_cap:
    values:
      - {from: "2021-08-19", value: "500.00", basis: 某县人社局 返岗路费报销上限}
`)
	set, err := policies.Load(rules.Source{Name: "county.yaml", Data: county})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _ := set.Eval(context.Background(), "return-travel-reimbursement", rules.Input{
		rules.AsOf:                 rules.Text("2021-09-10"),
		"poverty_relieved":         rules.Bool(true),
		"returned_due_to_disaster": rules.Bool(true),
		"back_to_work":             rules.Bool(true),
		"travel_cost":              rules.Text("1286.50"),
	})
	fmt.Println(res.Outputs[0])
	// Output: 500.00
}

// county is a county's overlay: it subsidises the first 50,000.00 of a
// larger microloan.
var county = rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_cap_first_portion:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 对5万元以内部分贴息}
`)}

// The typed APIs share one policy: a county's overlay is loaded once and
// the same set decides a 以工代训 claim and a microloan's subsidy so far.
func Example_typedAPIs() {
	ctx := context.Background()
	set, err := policies.Load(county) // county is a rules.Source: the overlay's name and YAML
	if err != nil {
		fmt.Println(err) // rules.Diagnostics: every problem, with file:line:col
		return
	}
	grants, _ := subsidy.New(subsidy.WithPolicy(set))
	loans, _ := loan.New(loan.WithPolicy(set))

	d, err := grants.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{
		Person: subsidy.Person{ID: "411328198506060022", Monitored: true, DisasterAffected: true},
		Months: 7,
		AsOf:   rules.MustDate("2021-10-01"),
	})
	if err != nil {
		fmt.Println(err) // *subsidy.InputError: the field, and what is wrong
		return
	}
	fmt.Println(d.Granted, d.Months, d.Amount.StringFixed(2), d.Notes[0].Code)

	l, err := loans.SubsidyAsOf(ctx, loan.Loan{
		ID:              "L002",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("80000.00"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
	}, rules.MustDate("2021-10-15"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Granted, l.Schedule.Interest.StringFixed(2), l.Schedule.Covered.StringFixed(2), l.NextSettlement)

	// The one JSON object of a decision (docs/json.md); json.Marshal(d)
	// writes the same, with the policy's id and SHA-256.
	fmt.Println(string(d.AppendJSON(nil, rules.JSONOptions{ID: "411328198506060022"})))
	// Output:
	// true 6 1200.00 months-capped
	// true 376.44 235.27 2021-12-20
	// {"id":"411328198506060022","rule":"work-training-subsidy","pass":true,"months_paid":"6","amount":"1200.00","reasons":[],"notes":[{"code":"months-capped","message":"申报以工代训 7 个月，超过每人 6 个月上限，按 6 个月发放"}],"error":null}
}
