package subsidy

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/ruralrelief/fangpin/internal/batch"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Claim is one claim in a batch: exactly one of its fields is set.
type Claim struct {
	Training     *TrainingApplication // decided by [Calculator.TrainingGrant]
	WorkTraining *WorkTraining        // decided by [Calculator.WorkTrainingSubsidy]
	ReturnTrip   *ReturnTrip          // decided by [Calculator.ReturnTravel]
}

// Outcome is the decision on the claim at Index (0-based) of a batch. Err
// is set when that claim could not be decided; the batch goes on.
type Outcome struct {
	Index    int      // the claim's place in the batch, from 0
	Claim    Claim    // the claim as given
	Decision Decision // as the batch decided it: a duplicate refused, months capped across records
	Err      error    // why the claim could not be decided; Decision is then zero
}

var errStopped = errors.New("subsidy: batch stopped by its consumer")

// Batch decides claims on every core and yields the outcomes in input
// order, with bounded memory. Across the batch, in input order:
//
//   - a second training grant for the same person ID and tier, after one
//     that was granted, is refused with reason duplicate-training-grant;
//   - 以工代训 months are capped per person ID across records (clause 7: at
//     most 6 months): a record is paid only the months the person has left,
//     so 4 + 4 months pay 1,200.00 in all, not 1,600.00; a record cut this
//     way carries the note months-capped, and a record with none left is
//     refused with reason work-training-months-exhausted.
//
// Claims without a person ID are decided alone. When ctx is cancelled the
// sequence yields ctx's error once and ends.
func (c *Calculator) Batch(ctx context.Context, claims iter.Seq[Claim]) iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		next, stop := iter.Pull(claims)
		defer stop()
		index := 0
		read := func() (Outcome, bool, error) {
			cl, ok := next()
			if !ok {
				return Outcome{}, false, nil
			}
			index++
			return Outcome{Index: index - 1, Claim: cl}, true, nil
		}
		decide := func(o Outcome) Outcome {
			o.Decision, o.Err = c.decide(ctx, o.Claim)
			return o
		}
		acc := newAccount(c)
		emit := func(o Outcome) error {
			if o.Err == nil {
				o.Decision, o.Err = acc.apply(o.Claim, o.Decision)
			}
			if !yield(o, nil) {
				return errStopped
			}
			return nil
		}
		err := batch.InOrder(ctx, 0, read, decide, emit)
		if err != nil && !errors.Is(err, errStopped) {
			yield(Outcome{}, err)
		}
	}
}

// BatchSlice is [Calculator.Batch] over a slice, collecting the outcomes.
func (c *Calculator) BatchSlice(ctx context.Context, claims []Claim) ([]Outcome, error) {
	out := make([]Outcome, 0, len(claims))
	seq := func(yield func(Claim) bool) {
		for _, cl := range claims {
			if !yield(cl) {
				return
			}
		}
	}
	for o, err := range c.Batch(ctx, seq) {
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (c *Calculator) decide(ctx context.Context, cl Claim) (Decision, error) {
	switch {
	case cl.Training != nil:
		return c.TrainingGrant(ctx, *cl.Training)
	case cl.WorkTraining != nil:
		return c.WorkTrainingSubsidy(ctx, *cl.WorkTraining)
	case cl.ReturnTrip != nil:
		return c.ReturnTravel(ctx, *cl.ReturnTrip)
	}
	return Decision{}, errors.New("subsidy: a claim with nothing to decide")
}

// account keeps what a batch has granted so far, by person.
type account struct {
	c       *Calculator
	granted map[string]bool // person ID + tier
	months  map[string]int  // person ID → 以工代训 months paid
}

func newAccount(c *Calculator) *account {
	return &account{c: c, granted: map[string]bool{}, months: map[string]int{}}
}

func (a *account) apply(cl Claim, d Decision) (Decision, error) {
	switch {
	case cl.Training != nil && cl.Training.ID != "" && d.Granted:
		key := cl.Training.ID + "\x00" + string(cl.Training.Tier)
		if a.granted[key] {
			d.Granted, d.Amount = false, decimal.Zero
			d.Reasons = append(d.Reasons, rules.Reason{Code: ReasonDuplicateTrainingGrant, Clause: d.Clause,
				Message: fmt.Sprintf("同一人员（%s）已领取过%s类工种培训补助，不得重复申领", cl.Training.ID, cl.Training.Tier)})
			return d, nil
		}
		a.granted[key] = true
	case cl.WorkTraining != nil && cl.WorkTraining.ID != "" && d.Granted:
		w := cl.WorkTraining
		limit, err := a.c.set.Param(paramWorkMaxMonths, w.AsOf)
		if err != nil {
			return d, err
		}
		monthly, err := a.c.set.Param(paramWorkMonthly, w.AsOf)
		if err != nil {
			return d, err
		}
		left := max(0, int(limit.Value.Int())-a.months[w.ID])
		if d.Months <= left {
			a.months[w.ID] += d.Months
			return d, nil
		}
		earlier := a.months[w.ID]
		d.Months = left
		d.Amount = monthly.Value.Decimal().Mul(decimal.NewFromInt(int64(left))).Round(2)
		a.months[w.ID] += left
		d.Notes = slices.DeleteFunc(slices.Clone(d.Notes), func(n rules.Note) bool { return n.Code == NoteMonthsCapped })
		if left == 0 {
			d.Granted = false
			d.Reasons = append(d.Reasons, rules.Reason{Code: ReasonWorkTrainingExhausted, Clause: d.Clause,
				Message: fmt.Sprintf("同一人员（%s）的以工代训补贴已达 %d 个月上限", w.ID, limit.Value.Int())})
			return d, nil
		}
		d.Notes = append(d.Notes, rules.Note{Code: NoteMonthsCapped,
			Message: fmt.Sprintf("申报以工代训 %d 个月，同一人员（%s）此前已发放 %d 个月，每人上限 %d 个月，按 %d 个月发放",
				w.Months, w.ID, earlier, limit.Value.Int(), left)})
	}
	return d, nil
}

// Roster is an enterprise's view of 以工代训: each trainee's outcome, in
// the order given, and the enterprise's total.
type Roster struct {
	// Enterprise is the enterprise's name, as given.
	Enterprise string
	// Trainees are the outcomes of the enterprise's records, in order.
	Trainees []Outcome
	// Total is the sum of the amounts, in yuan.
	Total decimal.Decimal
	// Months is the number of trainee-months paid.
	Months int
	// Errors counts trainees that could not be decided.
	Errors int
}

// Enterprise decides the 以工代训 subsidy for every record of one
// enterprise, with the per-person cap applied across its records, and
// totals it.
func (c *Calculator) Enterprise(ctx context.Context, name string, trainees []WorkTraining) (Roster, error) {
	claims := make([]Claim, len(trainees))
	for i := range trainees {
		t := trainees[i]
		t.Enterprise = name
		claims[i] = Claim{WorkTraining: &t}
	}
	outs, err := c.BatchSlice(ctx, claims)
	if err != nil {
		return Roster{}, err
	}
	r := Roster{Enterprise: name, Trainees: outs, Total: decimal.Zero}
	for _, o := range outs {
		if o.Err != nil {
			r.Errors++
			continue
		}
		r.Total = r.Total.Add(o.Decision.Amount)
		r.Months += o.Decision.Months
	}
	return r, nil
}
