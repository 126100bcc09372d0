package subsidy_test

import (
	"context"
	"fmt"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
)

func ExampleCalculator_TrainingGrant() {
	c, err := subsidy.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	tier, _ := subsidy.ParseTier("B类")
	d, err := c.TrainingGrant(context.Background(), subsidy.TrainingApplication{
		Person: subsidy.Person{ID: "410000199001010011", PovertyRelieved: true, DisasterAffected: true},
		Tier:   tier,
		AsOf:   rules.MustDate("2021-09-01"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Granted, d.Amount.StringFixed(2), d.Clause)
	// Output: true 1800.00 第七条
}

func ExampleCalculator_WorkTrainingSubsidy() {
	c, _ := subsidy.New()
	d, _ := c.WorkTrainingSubsidy(context.Background(), subsidy.WorkTraining{
		Person:     subsidy.Person{Monitored: true, DisasterAffected: true},
		Enterprise: "唐河县天润扶贫车间",
		Months:     8,
		AsOf:       rules.MustDate("2021-12-01"),
	})
	fmt.Println(d.Months, d.Amount.StringFixed(2))
	// Output: 6 1200.00
}

func ExampleCalculator_ReturnTravel() {
	c, _ := subsidy.New()
	d, _ := c.ReturnTravel(context.Background(), subsidy.ReturnTrip{
		Person:                subsidy.Person{PovertyRelieved: true},
		ReturnedDueToDisaster: true,
		BackToWork:            false,
		Cost:                  decimal.RequireFromString("428.00"),
		AsOf:                  rules.MustDate("2021-09-10"),
	})
	fmt.Println(d.Granted, d.Reasons[0].Code, d.Reasons[0].Message)
	// Output: false not-back-to-work 申请人尚未返岗就业
}

func ExampleCalculator_LabourShareAudit() {
	c, _ := subsidy.New()
	a, _ := c.LabourShareAudit(context.Background(), subsidy.WorkReliefProject{
		Name:               "唐河县村组道路水毁修复",
		FiscalFunds:        decimal.RequireFromString("1000000.00"),
		LabourRemuneration: decimal.RequireFromString("149999.99"),
		AsOf:               rules.MustDate("2021-11-01"),
	})
	fmt.Println(a.Pass, a.Share, a.Required.StringFixed(2), a.Shortfall.StringFixed(2), a.Reasons[0].Code)
	// Output: false 0.1499 150000.00 0.01 labour-share-below-minimum
}

// An approved exemption (原则上) turns a share below the floor into a pass,
// with a note that names the document; the explanation shows it too.
func ExampleCalculator_LabourShareAudit_exemption() {
	c, _ := subsidy.New()
	a, _ := c.LabourShareAudit(context.Background(), subsidy.WorkReliefProject{
		Name:               "唐河县山区道路水毁修复",
		FiscalFunds:        decimal.RequireFromString("1000000.00"),
		LabourRemuneration: decimal.RequireFromString("120000.00"),
		AsOf:               rules.MustDate("2021-11-01"),
		Exemption:          &subsidy.Exemption{Document: "唐河县发改〔2021〕31号", Reason: "石方路段以机械施工为主"},
	})
	fmt.Println(a.Pass, a.Base, a.Share, a.Shortfall.StringFixed(2))
	fmt.Println(a.Notes[0].Code)
	fmt.Println(a.Notes[0].Message)
	// Output:
	// true fiscal 0.12 30000.00
	// labour-share-exempted
	// 劳务报酬占项目财政资金比例 0.1200 低于规定比例（应发劳务报酬 150000.00 元，差额 30000.00 元），经 唐河县发改〔2021〕31号 批准豁免：石方路段以机械施工为主
}

// A county that audits the share over central funds says so in an overlay;
// the audit then reads CentralFunds and names its base.
func ExampleCalculator_LabourShareAudit_centralFunds() {
	set, err := policies.Load(rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  labour_share_base_central:
    values:
      - {from: "2021-08-19", value: true, basis: 某县发改委 以中央财政资金为基数}
  labour_share_min:
    values:
      - {from: "2021-08-19", value: "0.20", basis: 某县发改委 不低于中央财政资金的20%}
`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := subsidy.New(subsidy.WithPolicy(set))
	a, _ := c.LabourShareAudit(context.Background(), subsidy.WorkReliefProject{
		FiscalFunds:        decimal.RequireFromString("1000000.00"),
		CentralFunds:       decimal.RequireFromString("400000.00"),
		LabourRemuneration: decimal.RequireFromString("90000.00"),
		AsOf:               rules.MustDate("2021-11-01"),
	})
	fmt.Println(a.Pass, a.Base, a.Share.StringFixed(4), a.Required.StringFixed(2), a.Explanation().Rule)
	// Output: true central 0.2250 80000.00 work-relief-labour-share-central
}

func ExampleCalculator_FundScaleAudit() {
	c, _ := subsidy.New()
	a, _ := c.FundScaleAudit(context.Background(), subsidy.FundScale{
		County:         "新野县",
		Integrated2020: decimal.RequireFromString("124300000.00"),
		Integrated2021: decimal.RequireFromString("130515000.00"),
		AsOf:           rules.MustDate("2021-12-01"),
	})
	fmt.Println(a.Pass, a.Shortfall.StringFixed(2))
	// Output: true 0.00
}

func ExampleCalculator_Enterprise() {
	c, _ := subsidy.New()
	on := rules.MustDate("2021-12-01")
	r, _ := c.Enterprise(context.Background(), "新野县纺织产业园", []subsidy.WorkTraining{
		{Person: subsidy.Person{ID: "P1", PovertyRelieved: true, DisasterAffected: true}, Months: 4, AsOf: on},
		{Person: subsidy.Person{ID: "P1", PovertyRelieved: true, DisasterAffected: true}, Months: 4, AsOf: on},
		{Person: subsidy.Person{ID: "P2", Monitored: true, DisasterAffected: true}, Months: 3, AsOf: on},
	})
	for _, t := range r.Trainees {
		fmt.Println(t.Claim.WorkTraining.ID, t.Decision.Months, t.Decision.Amount.StringFixed(2))
	}
	fmt.Println("total", r.Total.StringFixed(2))
	// Output:
	// P1 4 800.00
	// P1 2 400.00
	// P2 3 600.00
	// total 1800.00
}

func ExampleDecision_Explanation() {
	c, _ := subsidy.New()
	d, _ := c.TrainingGrant(context.Background(), subsidy.TrainingApplication{
		Person: subsidy.Person{PovertyRelieved: true, DisasterAffected: true},
		Tier:   subsidy.TierC,
		AsOf:   rules.MustDate("2021-09-01"),
	})
	ex := d.Explanation()
	for _, p := range ex.Parameters {
		fmt.Println(p.Name, p.Value, p.From, p.Basis)
	}
	// Output:
	// training_grant_tier_a 2000.00 2021-08-19 第七条 A类工种2000元
	// training_grant_tier_b 1800.00 2021-08-19 第七条 B类工种1800元
	// training_grant_tier_c 1500.00 2021-08-19 第七条 C类工种1500元
}

func ExampleWithPolicy() {
	county := []byte(`extends: henan-2021-48
parameters:
  return_travel_cap:
    values:
      - {from: "2021-08-19", value: "500.00", basis: 某县人社局 返岗路费报销上限}
`)
	set, err := policies.Load(rules.Source{Name: "county.yaml", Data: county})
	if err != nil {
		fmt.Println(err) // rules.Diagnostics: every problem of the overlay
		return
	}
	c, err := subsidy.New(subsidy.WithPolicy(set))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := c.ReturnTravel(context.Background(), subsidy.ReturnTrip{
		Person:                subsidy.Person{PovertyRelieved: true},
		ReturnedDueToDisaster: true,
		BackToWork:            true,
		Cost:                  decimal.RequireFromString("1286.50"),
		AsOf:                  rules.MustDate("2021-09-10"),
	})
	fmt.Println(d.Amount.StringFixed(2))
	// Output: 500.00
}

func ExampleParseTier() {
	for _, s := range []string{"A", "B类", "C类工种", "D类"} {
		t, err := subsidy.ParseTier(s)
		fmt.Printf("%q %v\n", t, err)
	}
	// Output:
	// "A" <nil>
	// "B" <nil>
	// "C" <nil>
	// "" subsidy: certificate_tier: invalid value: "D类" is not A, B or C
}

func ExampleCalculator_Batch() {
	c, _ := subsidy.New()
	on := rules.MustDate("2021-10-01")
	p := subsidy.Person{ID: "P1", PovertyRelieved: true, DisasterAffected: true}
	claims := func(yield func(subsidy.Claim) bool) {
		_ = yield(subsidy.Claim{Training: &subsidy.TrainingApplication{Person: p, Tier: subsidy.TierB, AsOf: on}}) &&
			yield(subsidy.Claim{WorkTraining: &subsidy.WorkTraining{Person: p, Months: 4, AsOf: on}}) &&
			yield(subsidy.Claim{WorkTraining: &subsidy.WorkTraining{Person: p, Months: 4, AsOf: on}}) &&
			yield(subsidy.Claim{Training: &subsidy.TrainingApplication{Person: p, Tier: subsidy.TierB, AsOf: on}})
	}
	for o, err := range c.Batch(context.Background(), claims) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(o.Index, o.Decision.Amount.StringFixed(2), o.Decision.Reasons)
	}
	// Output:
	// 0 1800.00 []
	// 1 800.00 []
	// 2 400.00 []
	// 3 0.00 [{duplicate-training-grant 同一人员已领取过同类工种的培训补助，不得重复申领（P1，证书工种类别 B：已在 本批次 第 1 行通过） 第七条}]
}
