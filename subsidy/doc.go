// Package subsidy is the typed Go API for the grants, subsidies and audits
// of 豫办发电〔2021〕48号 《防止因灾返贫致贫巩固拓展脱贫攻坚成果若干政策措施》.
// A service asks "how much is this person owed, and why?" with structs, never
// with rule ids or maps:
//
//	set, err := policies.Load(county) // the embedded policy with a county's overlay, compiled once
//	if err != nil {
//		return err // rules.Diagnostics: every problem of an invalid overlay
//	}
//	c, err := subsidy.New(subsidy.WithPolicy(set)) // the same set goes to loan.New and measures.Load
//	tier, err := subsidy.ParseTier("B类")
//	d, err := c.TrainingGrant(ctx, subsidy.TrainingApplication{
//		Person: subsidy.Person{ID: "4100…", PovertyRelieved: true, DisasterAffected: true},
//		Tier:   tier,
//		AsOf:   rules.MustDate("2021-09-01"),
//	})
//	// d.Granted == true, d.Amount == 1800.00, d.Clause == "第七条";
//	// d.Explanation() is the audit record (rules.Explanation);
//	// json.Marshal(d) is the one JSON object of a decision (docs/json.md).
//
// # The clauses
//
//   - [Calculator.TrainingGrant], clause 七: 培训补助 by certificate tier, A类
//     2000.00, B类 1800.00, C类 1500.00 yuan, for 脱贫人口 or 监测对象 hit by
//     the disaster.
//   - [Calculator.WorkTrainingSubsidy], clause 七: 以工代训补贴 of 200.00 yuan
//     per trainee per month, at most 6 months, paid to the enterprise.
//   - [Calculator.ReturnTravel], clause 六: the round-trip fare of a
//     脱贫劳动力 who went home because of the disaster and is back at work,
//     reimbursed in full unless an overlay sets return_travel_cap.
//   - [Calculator.LabourShareAudit], clause 九: a 以工代赈 project pays at
//     least 15% of its fiscal funds as 劳务报酬. A county's overlay may
//     audit over the central part of the funds instead
//     (labour_share_base_central, [BaseCentral]) and set its own floor
//     (labour_share_min); the audit names its base. The clause says 原则上:
//     an approved [Exemption] turns a share below the floor into a pass
//     with the note [NoteLabourShareExempted], never silently.
//   - [Calculator.FundScaleAudit], clause 十三: a county's 2021 整合资金 is not
//     below its 2020 funds.
//
// Every amount comes from the policy file (parameters dated by the day they
// took effect), never from Go, and is a decimal rounded as the policy
// declares: half-up to the fen for amounts, down to 4 places for the labour
// share, up to the fen for what a project must pay. Bounds follow Chinese
// legal usage (民法典 第1259条): 6 months satisfy 不超过6个月, 15% exactly
// satisfies 不低于15%.
//
// # Decisions and errors
//
// Not being eligible is a [Decision] with Granted false and Reasons (stable
// codes, exported as Reason… constants, each with a Chinese message and its
// clause); an audit that fails is an [Audit] with Pass false. A claim that is
// granted but cut by a cap carries a note (rules.Note, code
// [NoteMonthsCapped]: 7 months claimed, 6 paid). An error means
// the claim could not be decided: an [*InputError] names the field (a tier
// "D", months -1, fiscal funds 0, a missing as-of date).
//
// # Batches
//
// [Calculator.Batch] and [Calculator.BatchSlice] decide many claims on every
// core, in input order, stopping when the context is cancelled. Across a
// batch, a second training grant for the same person and tier is refused
// (duplicate-training-grant) and 以工代训 months are capped per person across
// records (4 + 4 months pay 1,200.00, not 1,600.00, and the second record
// carries the note months-capped). [Calculator.Enterprise]
// gives an enterprise's roster with each trainee's amount and the total.
//
// # JSON
//
// [Decision], [Audit] and [Outcome] marshal to the one JSON object of a
// decision that the CLI's JSONL also writes (docs/json.md): snake_case keys,
// "pass", each output as a string with its declared places ("0.00", never
// "0"), reasons as {code, message, clause}, notes as {code, message}, and
// "error" null or {field, message}.
//
// A Calculator is immutable and safe for concurrent use.
package subsidy
