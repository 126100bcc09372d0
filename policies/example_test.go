package policies_test

import (
	"context"
	"fmt"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
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
