// Package measures is the registry of the 18 measures of 豫办发电〔2021〕48号
// and of the county weekly dispatch table (周调度表) that 南阳市's notice of
// 2021-08-25 asks every county to send its 乡村振兴局 each Friday by 17:00.
//
// The registry is data, in policies/henan-2021-48.measures.yaml: each
// measure's number, title, full text and provincial responsible units, the
// deadlines its text sets, and, for the 17 measures the table lists, the
// county-level lead unit (牵头单位) and responsible units (责任单位) exactly
// as the notice's attachment gives them.
//
//	reg, err := measures.Load() // measures.WithPolicy(set) for the policy subsidy and loan use
//	for _, m := range reg.Rows() { … m.Row.Lead, m.Row.Responsible … }
//	late := reg.Overdue(rules.MustDate("2021-09-03"), progress) // measure 1, due 2021-08-31
//	due := reg.Table.ReportDeadline(rules.MustDate("2021-09-04")) // Friday 2021-09-03 17:00 CST
//
// # Deadlines
//
// A deadline is a calendar day and is met on that day: "2021年8月底前" is
// 2021-08-31 inclusive, so a measure becomes overdue on 2021-09-01. "2021年
// 11月" (the provincial assessment of measure 17) is taken as due by
// 2021-11-30. A measure with progress reported is neither due nor overdue.
//
// # Weeks
//
// A reporting week runs Monday to Sunday; its table is due on the registry's
// weekday and time (Friday 17:00, China Standard Time, UTC+8) of that week.
// A Saturday or Sunday therefore belongs to the week whose deadline has
// just passed.
package measures
