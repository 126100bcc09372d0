package rules_test

import (
	"context"
	"fmt"

	"github.com/ruralrelief/fangpin/rules"
)

// A county's overlay raises the monthly amount and carries a case of its
// own. The policy's case that the overlay changes is listed as changed,
// before and after; a case that sets the amount for itself is not.
func ExampleSet_Test_overlay() {
	policy := grants + `tests:
  - {name: three months, rule: subsidy, on: "2021-10-01", input: {months: 3}, want: {amount: "600.00"}}
  - name: a county's amount, set by the case
    rule: subsidy
    on: "2021-10-01"
    parameters: {monthly: "300.00"}
    input: {months: 3}
    want: {amount: "900.00"}
`
	county := `extends: demo
parameters:
  monthly:
    values:
      - {from: "2021-08-19", value: "300.00", basis: 某县〔2021〕3号}
tests:
  - {name: the county pays 300 a month, rule: subsidy, on: "2021-10-01", input: {months: 2}, want: {amount: "600.00"}}
`
	set, err := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(policy)}, rules.Source{Name: "county.yaml", Data: []byte(county)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range set.Test(context.Background()) {
		fmt.Println(r.Status(), "|", r)
	}
	// Output:
	// changed | demo.yaml:23:5: changed three months: amount 600.00 -> 900.00
	// ok | demo.yaml:24:5: ok a county's amount, set by the case
	// ok | county.yaml:7:5: ok the county pays 300 a month
}

// The policy's monthly amount has no end. A county's overlay that sets the
// 2025 amount until 2025-06-30 only is reported in the 30 days before, and
// leaves the rule undecidable from 2025-07-01.
func ExampleSet_Expiring() {
	county := `extends: demo
parameters:
  monthly:
    values:
      - {from: "2025-01-01", until: "2025-06-30", value: "250.00", basis: 某县 上半年}
`
	set, err := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(grants)}, rules.Source{Name: "county.yaml", Data: []byte(county)})
	if err != nil {
		fmt.Println(err)
		return
	}
	on := rules.MustDate("2025-06-15")
	for _, x := range set.Expiring(on, on.AddDays(30)) {
		fmt.Printf("%s: rule %s, parameter %s: last day %s\n", x.Pos, x.Rule, x.Param, x.Last)
	}
	on = rules.MustDate("2025-07-01")
	for _, x := range set.Expiring(on, on.AddDays(30)) {
		fmt.Printf("no value on %s: %t (it ended on %s)\n", on, x.NoValue, x.Last)
	}
	// Output:
	// county.yaml:5:9: rule subsidy, parameter monthly: last day 2025-06-30
	// no value on 2025-07-01: true (it ended on 2025-06-30)
}
