package measures_test

import (
	"fmt"

	"github.com/ruralrelief/fangpin/measures"
	"github.com/ruralrelief/fangpin/rules"
)

func ExampleRegistry_Rows() {
	reg, err := measures.Load()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range reg.Rows()[5:7] {
		fmt.Println(m.Number, m.Title, m.Row.Lead, m.Row.Responsible)
	}
	// Output:
	// 6 支持稳岗就业 人社局 [乡村振兴局]
	// 7 加强就业培训 人社局 [乡村振兴局]
}

func ExampleRegistry_Overdue() {
	reg, _ := measures.Load()
	progress := measures.Progress{1: {Progress: "8月30日完成全县摸底登记"}}
	for _, it := range reg.Overdue(rules.MustDate("2021-11-05"), progress) {
		fmt.Println(it.Measure.Number, it.Deadline.Date, it.Days, it.Deadline.Text)
	}
	// Output:
	// 3 2021-10-31 -5 2021年10月底前实现“两不愁三保障”和饮水安全问题清零
	// 12 2021-10-31 -5 2021年10月底前完成修复或重建任务
}

func ExampleTable_ReportDeadline() {
	reg, _ := measures.Load()
	fmt.Println(reg.Table.ReportDeadline(rules.MustDate("2021-09-05")))
	// Output: 2021-09-03 17:00:00 +0800 CST
}
