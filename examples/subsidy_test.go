package examples_test

import (
	"context"
	"fmt"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
)

// A village's trainees after the floods: who gets a training grant for the
// certificate they earned, and how much the village's 乡村振兴工作站 claims in
// all; one trainee claims twice.
func Example_villageTrainingGrants() {
	c, err := subsidy.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	on := rules.MustDate("2021-10-20")
	sheet := []struct {
		id, name, tier               string
		relieved, monitored, flooded bool
	}{
		{"411328199001010011", "王建国", "A类", true, false, true},
		{"411328198506060022", "李秀英", "B类", false, true, true},
		{"411328197703030033", "张志强", "C类", true, false, false},
		{"411328199212120044", "刘玉兰", "B类", false, false, true},
		{"411328199001010011", "王建国", "A类", true, false, true},
	}
	var claims []subsidy.Claim
	for _, r := range sheet {
		tier, err := subsidy.ParseTier(r.tier)
		if err != nil {
			fmt.Println(err)
			return
		}
		claims = append(claims, subsidy.Claim{Training: &subsidy.TrainingApplication{
			Person: subsidy.Person{ID: r.id, Name: r.name, PovertyRelieved: r.relieved, Monitored: r.monitored, DisasterAffected: r.flooded},
			Tier:   tier, AsOf: on}})
	}
	outs, err := c.BatchSlice(context.Background(), claims)
	if err != nil {
		fmt.Println(err)
		return
	}
	sum := decimal.Zero
	for _, o := range outs {
		t := o.Claim.Training
		fmt.Printf("%s %s类 %s %v\n", t.Name, t.Tier, o.Decision.Amount.StringFixed(2), codes(o.Decision.Reasons))
		sum = sum.Add(o.Decision.Amount)
	}
	fmt.Println("合计", sum.StringFixed(2))
	// Output:
	// 王建国 A类 2000.00 []
	// 李秀英 B类 1800.00 []
	// 张志强 C类 0.00 [not-disaster-affected]
	// 刘玉兰 B类 0.00 [not-covered-population]
	// 王建国 A类 0.00 [duplicate-training-grant]
	// 合计 3800.00
}

// An enterprise's 以工代训 roster: per-trainee amounts with the 6-month cap
// applied per person across records, and the total the enterprise is paid.
func Example_enterpriseRoster() {
	c, _ := subsidy.New()
	on := rules.MustDate("2022-01-10")
	flooded := func(id string, relieved bool) subsidy.Person {
		return subsidy.Person{ID: id, PovertyRelieved: relieved, Monitored: !relieved, DisasterAffected: true}
	}
	r, err := c.Enterprise(context.Background(), "南阳宛西制药股份有限公司", []subsidy.WorkTraining{
		{Person: flooded("W01", true), Months: 3, AsOf: on},
		{Person: flooded("W02", false), Months: 6, AsOf: on},
		{Person: flooded("W01", true), Months: 5, AsOf: on},
		{Person: subsidy.Person{ID: "W03"}, Months: 2, AsOf: on},
		{Person: flooded("W04", true), Months: 8, AsOf: on},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range r.Trainees {
		fmt.Printf("%s %d个月 %s %v\n", t.Claim.WorkTraining.ID, t.Decision.Months, t.Decision.Amount.StringFixed(2), codes(t.Decision.Reasons))
	}
	fmt.Printf("%s 合计 %d 人月 %s 元\n", r.Enterprise, r.Months, r.Total.StringFixed(2))
	// Output:
	// W01 3个月 600.00 []
	// W02 6个月 1200.00 []
	// W01 3个月 600.00 []
	// W03 0个月 0.00 [not-covered-population not-disaster-affected]
	// W04 6个月 1200.00 []
	// 南阳宛西制药股份有限公司 合计 18 人月 3600.00 元
}
