package subsidy

import (
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Person is someone a claim is about.
type Person struct {
	// ID identifies the person across claims (an ID card number or a
	// register number); batches use it to find duplicate claims.
	ID string
	// Name is the person's name, for people reading the outcome; it is not
	// used to decide.
	Name string
	// PovertyRelieved: 脱贫人口, registered poor and since lifted out of poverty.
	PovertyRelieved bool
	// Monitored: 监测对象, a household under monitoring for falling back.
	Monitored bool
	// DisasterAffected: 受灾, hit by the 2021 floods.
	DisasterAffected bool
}

// CertificateTier is the tier of the trade a skill certificate is in
// (A/B/C 类工种). Build it with [ParseTier] from what a sheet says.
type CertificateTier string

// The tiers of clause 7.
const (
	TierA CertificateTier = "A"
	TierB CertificateTier = "B"
	TierC CertificateTier = "C"
)

func (t CertificateTier) valid() bool { return t == TierA || t == TierB || t == TierC }

// TrainingApplication is a claim for the clause-7 training grant.
type TrainingApplication struct {
	Person
	// Tier is the tier of the certificate's trade: 2000.00, 1800.00 or
	// 1500.00 yuan.
	Tier CertificateTier
	// AsOf is the day the claim is judged on.
	AsOf rules.Date
}

// WorkTraining is one record of 以工代训: a trainee an enterprise took on,
// and the whole months of training it claims for.
type WorkTraining struct {
	Person
	// Enterprise is the enterprise that took the trainee on and is paid.
	Enterprise string
	// Months is the whole months of training claimed (0 or more); at most
	// 6 are paid.
	Months int
	// AsOf is the day the claim is judged on.
	AsOf rules.Date
}

// ReturnTrip is a claim for the round-trip fare of going back to work.
type ReturnTrip struct {
	Person
	// ReturnedDueToDisaster: 因灾返乡.
	ReturnedDueToDisaster bool
	// BackToWork: 已返岗就业.
	BackToWork bool
	// Cost is the round-trip fare in yuan (at most 2 places, not negative).
	Cost decimal.Decimal
	// AsOf is the day the claim is judged on.
	AsOf rules.Date
}

// WorkReliefProject is a 以工代赈 project: its fiscal funds (项目财政资金),
// the central part of them (中央财政资金) where a county audits over it, and
// the labour remuneration (劳务报酬) it paid, in yuan.
type WorkReliefProject struct {
	ID          string          // the project's number, echoed in JSON as "id"
	Name        string          // the project's name
	FiscalFunds decimal.Decimal // 项目财政资金, more than 0, at most 2 places; read when the base is BaseFiscal
	// CentralFunds is the central part of the fiscal funds (中央预算内以工代赈
	// 投资 and the like), more than 0, at most 2 places. It is read only when
	// the policy audits the share over central funds (BaseCentral, parameter
	// labour_share_base_central); under the policy's own base it may be zero.
	CentralFunds       decimal.Decimal
	LabourRemuneration decimal.Decimal // 劳务报酬 paid, 0 or more, at most 2 places
	AsOf               rules.Date      // the day the project is audited on
	// Exemption, if not nil, is an approved exception to the floor (the
	// clause says 原则上, "in principle"): a project whose share is below it,
	// and fails for no other reason, passes with the note
	// NoteLabourShareExempted. It is not used when the project meets the
	// floor.
	Exemption *Exemption
}

// Exemption is an approved exception to the labour-share floor of clause 9
// (原则上不低于): the document that approved it and why. Both are required;
// Document is at most 64 characters and Reason at most 200.
type Exemption struct {
	Document string // the approving document's number, such as 某县发改〔2022〕7号
	Reason   string // why the floor does not apply to the project
}

// LabourShareBase is what the labour share of clause 9 is a share of.
type LabourShareBase string

// The bases of the labour share. The policy's own is BaseFiscal; a county's
// overlay may choose BaseCentral (parameter labour_share_base_central), as
// published 以工代赈 projects report the share.
const (
	BaseFiscal  LabourShareBase = "fiscal"  // 项目财政资金, all of the project's fiscal funds
	BaseCentral LabourShareBase = "central" // 中央财政资金, the central part of them
)

// FundScale is a county's integrated agricultural funds (统筹整合财政涉农资金)
// in 2020 (actually in place) and 2021, in yuan.
type FundScale struct {
	County         string          // the county's name
	Integrated2020 decimal.Decimal // 2020 funds actually in place, 0 or more
	Integrated2021 decimal.Decimal // 2021 funds, 0 or more
	AsOf           rules.Date      // the day the county is audited on
}
