package loan

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Codes of a loan checked against a payment history ([Calculator.Unpaid])
// and recorded ([Calculator.Record]). Codes are added, never renamed.
const (
	// NotePeriodsPaid: periods of the loan were subsidised in earlier
	// batches; the note names each with the file, line and day it was paid.
	// Their subsidy is not payable again: Decision.Payable leaves it out.
	NotePeriodsPaid = "periods-already-subsidised"
	// NotePeriodOpen: the last period ends at the as-of day, before the
	// bank settles it (结息日), with principal still owed. Its subsidy is not
	// payable in this batch: the batch that holds its settlement day pays
	// the whole period, so no day is paid twice.
	NotePeriodOpen = "period-not-settled"
	// RefusalPeriodPaid is the code a ledger records for a period refused
	// because an earlier batch paid it.
	RefusalPeriodPaid = "period-already-subsidised"
)

// Key returns the period as a payment ledger keys it: its first day and
// the day after its last, "2021-09-01..2021-09-21" (To exclusive, as
// Period.To is). The subsidy of a loan is paid once per loan id and key.
func (p Period) Key() string { return p.From.String() + ".." + p.To.String() }

// PaidPeriod is a period of a decision whose subsidy an earlier batch
// paid, as [Calculator.Unpaid] found it in a payment history.
type PaidPeriod struct {
	From  rules.Date  // the period's first day
	To    rules.Date  // the day after its last (exclusive)
	Prior rules.Prior // where it was paid: file, line, day, the history's id
}

// open reports whether period i of d is the last one, cut at the as-of
// day before the bank settles it: it ends at AsOf, not at a settlement day,
// and principal is still owed. A later batch will hold the whole period,
// under another key; paying the cut one now would pay its days twice.
func (d Decision) open(i int) bool {
	s := d.Schedule
	if d.AsOf.IsZero() || i != len(s.Periods)-1 || !s.Outstanding.IsPositive() {
		return false
	}
	p := s.Periods[i]
	return p.To == d.AsOf && s.Settlement.next(p.From) != p.To
}

// Unpaid checks the decision d against what earlier batches paid (h, a
// payment ledger; see [rules.History]): each period with a subsidy is
// looked up as h.Granted(ctx, [Rule], d.Loan, period.Key()). It returns d
// with Checked set, PaidBefore listing the periods already paid, and
// Payable the subsidy this batch pays: the covered amounts of the other
// periods, leaving out a last period that is not yet settled (see
// NotePeriodOpen). A note says which periods were paid and where
// (NotePeriodsPaid). The loan's interest, subsidy (Schedule.Covered) and
// borrower's share are unchanged: what the loan is owed does not change,
// only what is payable now.
//
// A nil h, or a decision without a loan id, has nothing paid before. A decision not granted has nothing payable. d itself is
// not changed; an error is the history's.
func (c *Calculator) Unpaid(ctx context.Context, h rules.History, d Decision) (Decision, error) {
	d.Checked, d.Payable, d.PaidBefore = true, decimal.Zero, nil
	d.Notes = append([]rules.Note(nil), d.Notes...)
	var paid []string
	for i, p := range d.Schedule.Periods {
		if !p.Covered.IsPositive() {
			continue
		}
		if d.Loan != "" && h != nil {
			prior, ok, err := h.Granted(ctx, Rule, d.Loan, p.Key())
			if err != nil {
				return Decision{}, fmt.Errorf("loan %s: period %s: %w", d.Loan, p.Key(), err)
			}
			if ok {
				d.PaidBefore = append(d.PaidBefore, PaidPeriod{From: p.From, To: p.To, Prior: prior})
				paid = append(paid, fmt.Sprintf("%s 至 %s 贴息 %s 元%s", p.From, p.To.AddDays(-1), p.Covered.StringFixed(2), where(prior)))
				continue
			}
		}
		if d.open(i) {
			d.Notes = append(d.Notes, rules.Note{Code: NotePeriodOpen, Message: fmt.Sprintf(
				"%s 起的结息期计至 %s 尚未结息，其贴息 %s 元不在本批支付，待结息后按整期支付", p.From, d.AsOf, p.Covered.StringFixed(2))})
			continue
		}
		d.Payable = d.Payable.Add(p.Covered)
	}
	if len(paid) > 0 {
		d.Notes = append(d.Notes, rules.Note{Code: NotePeriodsPaid,
			Message: "以下结息期已贴息，本批不再支付：" + strings.Join(paid, "；")})
	}
	return d, nil
}

// where says where an earlier payment was recorded, in the words of the
// policy's checks across records.
func where(p rules.Prior) string {
	if p.Paid.IsZero() {
		return fmt.Sprintf("，已在 %s 第 %d 行", p.Source, p.Line)
	}
	return fmt.Sprintf("，已于 %s 在 %s 第 %d 行发放", p.Paid, p.Source, p.Line)
}

// Books is a batch of loans being checked against a payment ledger and
// recorded: a ledger's run (ledger.Run) is one. The package does not
// depend on any ledger; it needs only these three.
type Books interface {
	// Tally returns the policy's checks across the records of the batch.
	Tally() *rules.Tally
	// History returns what earlier batches paid.
	History() rules.History
	// Add keeps what the batch is to record of the record at row (1-based
	// record number): a payment for each entry that passes, a refusal for
	// each refused. An error is that record's; it keeps nothing of it.
	Add(row int, entries ...rules.Entry) error
}

// Record checks the decision d on l, at row (1-based record number) and
// line (the sheet's own row) of a batch, and adds to b what the batch is
// to record. It is the one way every front end records loans:
//
//  1. the policy's checks across the batch's records ([Calculator.Across]:
//     a loan listed twice is refused, duplicate-loan; the refusal is kept);
//  2. the periods paid by earlier batches ([Calculator.Unpaid] over
//     b.History());
//  3. for each period with a subsidy: a payment made once per loan id and
//     period key (Once, Amount the period's covered amount, AsOf the
//     decision's as-of day or else the day the loan was judged on), or,
//     for a period paid before, a refusal RefusalPeriodPaid naming the
//     earlier payment. A last period not yet settled is neither.
//
// It returns the decision as checked. An error from b.Add is this
// record's (a loan that passed with no id cannot be recorded); it is
// returned with the decision, and nothing of the record is kept.
func (c *Calculator) Record(ctx context.Context, b Books, row, line int, l Loan, d Decision) (Decision, error) {
	d, e, err := c.across(ctx, b.Tally(), line, l, d)
	if err != nil {
		return d, err
	}
	if d, err = c.Unpaid(ctx, b.History(), d); err != nil {
		return d, err
	}
	var entries []rules.Entry
	if e.Refusal != "" {
		entries = append(entries, e)
	}
	asOf := d.AsOf
	if asOf.IsZero() {
		asOf = e.AsOf
	}
	paid := map[rules.Date]rules.Prior{}
	for _, p := range d.PaidBefore {
		paid[p.From] = p.Prior
	}
	for i, p := range d.Schedule.Periods {
		if !p.Covered.IsPositive() || d.open(i) {
			continue
		}
		ent := rules.Entry{Rule: Rule, Subject: l.ID, Key: p.Key(), Amount: p.Covered, AsOf: asOf, Line: line}
		if prior, ok := paid[p.From]; ok {
			ent.Refusal, ent.Prior = RefusalPeriodPaid, &prior
		} else {
			ent.Pass, ent.Once = true, true
		}
		entries = append(entries, ent)
	}
	return d, b.Add(row, entries...)
}

// paidJSON is a rules.Prior in a period's JSON: "paid_before".
type paidJSON struct {
	File    string     `json:"file"`
	Line    int        `json:"line"`
	PaidOn  rules.Date `json:"paid_on,omitzero"`
	Payment int64      `json:"payment_id,omitempty"`
}

// periodOut is a period as a decision writes it: the period's own JSON
// and, when an earlier batch paid it, "paid_before".
type periodOut struct {
	p    Period
	paid *rules.Prior
}

// MarshalJSON writes the period's JSON with "paid_before" last when set.
func (o periodOut) MarshalJSON() ([]byte, error) {
	js, err := o.p.MarshalJSON()
	if err != nil || o.paid == nil {
		return js, err
	}
	pj, err := json.Marshal(paidJSON{File: o.paid.Source, Line: o.paid.Line, PaidOn: o.paid.Paid, Payment: o.paid.ID})
	if err != nil {
		return nil, err
	}
	js = append(js[:len(js)-1], `,"paid_before":`...)
	return append(append(js, pj...), '}'), nil
}

// periodsOut pairs each period of d with its earlier payment.
func (d Decision) periodsOut() []periodOut {
	out := make([]periodOut, len(d.Schedule.Periods))
	for i, p := range d.Schedule.Periods {
		out[i].p = p
		for j := range d.PaidBefore {
			if pb := &d.PaidBefore[j]; pb.From == p.From && pb.To == p.To {
				out[i].paid = &pb.Prior
			}
		}
	}
	return out
}

// paidBefore reads back the "paid_before" of each period.
func paidBefore(periods []Period, marks []struct {
	Paid *paidJSON `json:"paid_before"`
}) []PaidPeriod {
	var out []PaidPeriod
	for i, m := range marks {
		if m.Paid != nil && i < len(periods) {
			out = append(out, PaidPeriod{From: periods[i].From, To: periods[i].To,
				Prior: rules.Prior{Source: m.Paid.File, Line: m.Paid.Line, Paid: m.Paid.PaidOn, ID: m.Paid.Payment}})
		}
	}
	return out
}
