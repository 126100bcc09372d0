package subsidy

import (
	"context"
	"errors"
	"iter"

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

// batchSource names a typed batch in messages about an earlier claim.
const batchSource = "本批次"

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
		tally := c.set.NewTally(batchSource, nil)
		emit := func(o *Outcome) error {
			if o.Err == nil {
				o.Decision, o.Err = c.across(ctx, tally, o.Claim, o.Index, o.Decision)
			}
			if !yield(*o, nil) {
				return errStopped
			}
			return nil
		}
		err := batch.InOrder(ctx, 0, read, batch.Shared(decide), emit)
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

// across passes a decided claim through the policy's checks across
// records (rules.Tally: declared in the policy file, the same checks the
// command-line tool and the server make). Index is the claim's place in the
// batch, which messages about an earlier claim cite as its line (from 1).
func (c *Calculator) across(ctx context.Context, t *rules.Tally, cl Claim, index int, d Decision) (Decision, error) {
	res, _, err := t.Apply(ctx, cl.personID(), index+1, c.input(cl, d.result.Rule), d.result)
	if err != nil {
		return d, err
	}
	if res.Pass == d.Granted && len(res.Notes) == len(d.result.Notes) {
		return d, nil // neither refused nor cut
	}
	nd := c.decision(res)
	if cl.WorkTraining != nil {
		nd.Months = int(output(res, outputMonthsPaid).IntPart())
	}
	return nd, nil
}

// input is what the claim's rule was decided on, for the checks across
// records (which may decide it again with fewer months).
func (c *Calculator) input(cl Claim, rule string) rules.Input {
	vs := c.values(rule, nil)
	var on rules.Date
	switch {
	case cl.Training != nil:
		cl.Training.input(&vs)
		on = cl.Training.AsOf
	case cl.WorkTraining != nil:
		cl.WorkTraining.input(&vs)
		on = cl.WorkTraining.AsOf
	case cl.ReturnTrip != nil:
		cl.ReturnTrip.input(&vs)
		on = cl.ReturnTrip.AsOf
	}
	in := rules.Input{rules.AsOf: rules.Day(on)}
	for i, name := range vs.names {
		in[name] = vs.v[i]
	}
	return in
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
