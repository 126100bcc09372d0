package rules_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ruralrelief/fangpin/rules"
)

const grants = `policy: {id: demo, title: 培训补助示例}
inputs:
  tier: {type: enum, label: 证书类别, values: [A, B], aliases: {A类: A, B类: B}}
  months: {type: int, label: 月数, min: "0"}
parameters:
  monthly:
    type: money
    label: 每月标准
    values:
      - {from: "2021-08-19", value: "200.00", basis: 第七条}
      - {from: "2025-01-01", value: "250.00", basis: 修订}
rules:
  subsidy:
    title: 以工代训补贴
    basis: {clause: 第七条, quote: 每人每月200元、不超过6个月}
    in_force: {from: "2021-08-19"}
    inputs: [months]
    requirements:
      - {code: no-months, message: 没有培训月数, when: months > 0}
    outputs:
      amount: {label: 补贴金额, expr: 'monthly * min(months, 6)', round: {places: 2, mode: half-up}}
`

func ExampleCompile() {
	set, err := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(grants)})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := set.Eval(context.Background(), "subsidy", rules.Input{
		rules.AsOf: rules.Text("2021-10-01"),
		"months":   rules.Text("7"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Pass, res.Outputs[0])
	// Output: true 1200.00
}

func ExampleCompile_diagnostics() {
	bad := `policy: {id: demo, title: 示例}
inputs:
  a: {type: money, label: 甲}
rules:
  r:
    title: 有错的规则
    basis: {clause: 一, quote: 原文}
    in_force: {from: "2021-01-01"}
    inputs: [a]
    outputs:
      x: {label: x, expr: a ** 2 + rate, round: {places: 2, mode: half-up}}
`
	_, err := rules.Compile(rules.Source{Name: "bad.yaml", Data: []byte(bad)})
	fmt.Print(err.(rules.Diagnostics).String())
	// Output: bad.yaml:11:29: rule "r" output x: operator "**" is not allowed [forbidden]
}

func ExampleSet_Eval_notEligible() {
	set, _ := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(grants)})
	res, _ := set.Eval(context.Background(), "subsidy", rules.Input{"months": rules.Int(0)},
		rules.On(rules.MustDate("2021-10-01")))
	fmt.Println(res.Pass, res.Reasons[0].Code, res.Reasons[0].Message, res.Outputs[0])
	// Output: false no-months 没有培训月数 0.00
}

func ExampleSet_Param_changeDay() {
	set, _ := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(grants)})
	for _, day := range []string{"2024-12-31", "2025-01-01"} {
		p, _ := set.Param("monthly", rules.MustDate(day))
		fmt.Println(day, p.Value, "from", p.From, p.Basis)
	}
	// Output:
	// 2024-12-31 200.00 from 2021-08-19 第七条
	// 2025-01-01 250.00 from 2025-01-01 修订
}

func ExampleExplanation_WriteText() {
	set, _ := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(grants)})
	res, _ := set.Eval(context.Background(), "subsidy", rules.Input{
		rules.AsOf: rules.Text("2025-03-01"),
		"months":   rules.Text("4"),
	})
	ex := res.Explanation()
	ex.PolicyHash = "…" // shortened for the example
	_ = ex.WriteText(os.Stdout)
	// Output:
	// 规则：以工代训补贴（subsidy）
	// 政策： demo
	// 依据：第七条「每人每月200元、不超过6个月」
	// 判定日期：2025-03-01（施行期 2021-08-19 起）
	// 政策文件 SHA-256：…
	// 输入：
	//   月数（months）= 4
	// 参数：
	//   每月标准（monthly）= 250.00，自 2025-01-01 起施行，依据：修订
	// 条件：
	//   [成立]   months > 0
	// 结论：符合条件
	//   补贴金额（amount）= 1000.00（精确值 1000，四舍五入保留 2 位小数）
}

func ExampleSet_Test() {
	src := grants + `tests:
  - {name: seven months pay six, rule: subsidy, on: "2021-10-01", input: {months: 7}, want: {amount: "1200.00"}}
  - {name: a wrong expectation, rule: subsidy, on: "2021-10-01", input: {months: 2}, want: {amount: "500.00"}}
`
	set, _ := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(src)})
	for _, r := range set.Test(context.Background()) {
		fmt.Println(r)
	}
	// Output:
	// demo.yaml:23:5: ok seven months pay six
	// demo.yaml:24:5: FAIL a wrong expectation: amount = 400, want 500
}

func ExampleWithBudget() {
	set, _ := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(grants)})
	in := rules.Input{rules.AsOf: rules.Text("2021-10-01"), "months": rules.Text("3")}
	_, err := set.Eval(context.Background(), "subsidy", in, rules.WithBudget(2))
	fmt.Println(errors.Is(err, rules.ErrBudget))
	res, err := set.Eval(context.Background(), "subsidy", in, rules.WithBudget(10))
	fmt.Println(res.Outputs[0], err)
	// Output:
	// true
	// 600.00 <nil>
}

func ExampleSet_Coverage() {
	src := grants + `tests:
  - {name: seven months pay six, rule: subsidy, on: "2021-10-01", input: {months: 7}, want: {amount: "1200.00"}}
  - {name: no months, rule: subsidy, on: "2021-10-01", input: {months: 0}, want: {pass: false}}
`
	set, _ := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(src)})
	cov := set.Coverage(context.Background())
	_ = cov.WriteText(os.Stdout)
	// No case pays fewer than six months, and none is judged in 2025:
	// Output:
	// demo.yaml:13:3: subsidy: 66.6% (4 of 6)
	// demo.yaml:21:46: subsidy: output amount: min(…) never chose its first argument
	// demo.yaml:11:9: subsidy: parameter monthly from 2025-01-01: never used
	// total: 66.6% (4 of 6)
}
