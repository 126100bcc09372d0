package bench

import (
	"context"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
)

var asOf = rules.MustDate("2021-09-30")

type peers struct {
	engine *Engine
	hand   *Hand
	cel    *CEL
	expr   *ExprFloat
	grule  *Grule
}

func newPeers(tb testing.TB) *peers {
	tb.Helper()
	e, err := NewEngine(asOf)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := LoadParams(e.Set, asOf)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewCEL(p)
	if err != nil {
		tb.Fatal(err)
	}
	x, err := NewExprFloat(p)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := NewGrule(p)
	if err != nil {
		tb.Fatal(err)
	}
	return &peers{engine: e, hand: &Hand{P: p}, cel: c, expr: x, grule: g}
}

// TestExactPeersAgree decides every benchmark case with the engine,
// hand-written Go and cel-go with decimals, and requires the same decision
// from all three. The float peers are only checked to run.
func TestExactPeersAgree(t *testing.T) {
	ps := newPeers(t)
	check := func(what string, i int, eng, hand, cel Decision, errs ...error) {
		t.Helper()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("%s case %d: %v", what, i, err)
			}
		}
		if !eng.Equal(hand) || !eng.Equal(cel) {
			t.Fatalf("%s case %d:\n engine %v\n   hand %v\n    cel %v", what, i, eng, hand, cel)
		}
	}
	passed := 0
	for i, c := range TrainingCases() {
		eng, err1 := ps.engine.Decide("training-grant", TrainingInput(c))
		hand, err2 := ps.hand.TrainingGrant(c)
		cel, err3 := ps.cel.TrainingGrant(c)
		_, err4 := ps.expr.TrainingGrant(c)
		_, err5 := ps.grule.TrainingGrant(c)
		check("training grant", i, eng, hand, cel, err1, err2, err3, err4, err5)
		if eng.Pass {
			passed++
		}
	}
	for i, c := range LabourCases(labourCases) {
		eng, err1 := ps.engine.Decide("work-relief-labour-share", LabourInput(c))
		hand, err2 := ps.hand.LabourShare(c)
		cel, err3 := ps.cel.LabourShare(c)
		_, err4 := ps.expr.LabourShare(c)
		_, err5 := ps.grule.LabourShare(c)
		check("labour share", i, eng, hand, cel, err1, err2, err3, err4, err5)
		if eng.Pass {
			passed++
		}
	}
	for i, c := range WorkCases() {
		eng, err1 := ps.engine.Decide("work-training-subsidy", WorkInput(c))
		hand, err2 := ps.hand.WorkTraining(c)
		cel, err3 := ps.cel.WorkTraining(c)
		_, err4 := ps.expr.WorkTraining(c)
		_, err5 := ps.grule.WorkTraining(c)
		check("work training", i, eng, hand, cel, err1, err2, err3, err4, err5)
		if eng.Pass {
			passed++
		}
	}
	if passed == 0 {
		t.Fatal("no case passes: the cases do not exercise the amounts")
	}
}

const labourCases = 4096

var (
	sinkDecision Decision
	sinkResult   rules.Result
	sinkFloat    FloatResult
	sinkFact     GruleFact
	sinkErr      error
)

// run times one implementation over the cases, round robin.
func run[C any](b *testing.B, cases []C, decide func(C)) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		decide(cases[i%len(cases)])
		i++
	}
}

func evalCases[C any](b *testing.B, e *Engine, rule string, cases []C, input func(C) rules.Input) {
	inputs := make([]rules.Input, len(cases))
	for i, c := range cases {
		inputs[i] = input(c)
	}
	ctx := context.Background()
	run(b, inputs, func(in rules.Input) { sinkResult, sinkErr = e.Set.Eval(ctx, rule, in, e.On) })
}

func BenchmarkTrainingGrant(b *testing.B) {
	ps, cases := newPeers(b), TrainingCases()
	b.Run("HandWritten", func(b *testing.B) {
		run(b, cases, func(c Training) { sinkDecision, sinkErr = ps.hand.TrainingGrant(c) })
	})
	b.Run("Engine", func(b *testing.B) { evalCases(b, ps.engine, "training-grant", cases, TrainingInput) })
	b.Run("CELDecimal", func(b *testing.B) {
		run(b, cases, func(c Training) { sinkDecision, sinkErr = ps.cel.TrainingGrant(c) })
	})
	b.Run("ExprFloat", func(b *testing.B) { run(b, cases, func(c Training) { sinkFloat, sinkErr = ps.expr.TrainingGrant(c) }) })
	b.Run("Grule", func(b *testing.B) { run(b, cases, func(c Training) { sinkFact, sinkErr = ps.grule.TrainingGrant(c) }) })
}

func BenchmarkLabourShare(b *testing.B) {
	ps, cases := newPeers(b), LabourCases(labourCases)
	b.Run("HandWritten", func(b *testing.B) { run(b, cases, func(c Labour) { sinkDecision, sinkErr = ps.hand.LabourShare(c) }) })
	b.Run("Engine", func(b *testing.B) { evalCases(b, ps.engine, "work-relief-labour-share", cases, LabourInput) })
	b.Run("CELDecimal", func(b *testing.B) { run(b, cases, func(c Labour) { sinkDecision, sinkErr = ps.cel.LabourShare(c) }) })
	b.Run("ExprFloat", func(b *testing.B) { run(b, cases, func(c Labour) { sinkFloat, sinkErr = ps.expr.LabourShare(c) }) })
	b.Run("Grule", func(b *testing.B) { run(b, cases, func(c Labour) { sinkFact, sinkErr = ps.grule.LabourShare(c) }) })
}

func BenchmarkWorkTraining(b *testing.B) {
	ps, cases := newPeers(b), WorkCases()
	b.Run("HandWritten", func(b *testing.B) { run(b, cases, func(c Work) { sinkDecision, sinkErr = ps.hand.WorkTraining(c) }) })
	b.Run("Engine", func(b *testing.B) { evalCases(b, ps.engine, "work-training-subsidy", cases, WorkInput) })
	b.Run("CELDecimal", func(b *testing.B) { run(b, cases, func(c Work) { sinkDecision, sinkErr = ps.cel.WorkTraining(c) }) })
	b.Run("ExprFloat", func(b *testing.B) { run(b, cases, func(c Work) { sinkFloat, sinkErr = ps.expr.WorkTraining(c) }) })
	b.Run("Grule", func(b *testing.B) { run(b, cases, func(c Work) { sinkFact, sinkErr = ps.grule.WorkTraining(c) }) })
}

var sinkSubsidy subsidy.Decision

// BenchmarkTypedAPI compares subsidy.Calculator.TrainingGrant with the
// set.Eval it wraps, given the same typed values.
func BenchmarkTypedAPI(b *testing.B) {
	calc, err := subsidy.New()
	if err != nil {
		b.Fatal(err)
	}
	app := subsidy.TrainingApplication{Person: subsidy.Person{PovertyRelieved: true, DisasterAffected: true}, Tier: "B", AsOf: asOf}
	set := calc.Policy()
	in := rules.Input{"poverty_relieved": rules.Bool(true), "monitored": rules.Bool(false), "disaster_affected": rules.Bool(true),
		"certificate_tier": rules.Text("B"), rules.AsOf: rules.Day(asOf)}
	ctx := context.Background()
	b.Run("Eval", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkResult, sinkErr = set.Eval(ctx, "training-grant", in)
		}
	})
	b.Run("Subsidy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkSubsidy, sinkErr = calc.TrainingGrant(ctx, app)
		}
		if !sinkSubsidy.Amount.Equal(decimal.NewFromInt(1800)) {
			b.Fatalf("amount %s", sinkSubsidy.Amount)
		}
	})
}
