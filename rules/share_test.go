package rules

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecordKeptWhenNotedTwice: a record is kept for later results only
// when, on one of the sampled misses (every eighth of a work's), its hash
// is found noted at its place by the sample before.
func TestRecordKeptWhenNotedTwice(t *testing.T) {
	r := &rule{}
	w := &work{}
	rec := &record{asOf: Date{n: 5}, pass: true, budget: 100, nums: [inlineNums][2]int64{{150, 100}}}
	var got []*record
	for range 17 {
		got = append(got, r.intern(w, rec))
	}
	for i, x := range got[:16] {
		assert.Equal(t, *rec, *x)
		assert.NotSame(t, rec, x, "intern copies the record")
		for _, y := range got[:i] {
			assert.NotSame(t, y, x, "miss %d: a new record", i+1)
		}
	}
	assert.Same(t, got[15], got[16], "the 16th miss kept its record; the 17th is given it")
	assert.Same(t, got[15], r.intern(&work{}, rec), "any work finds it")
	other := *rec
	other.pass = false
	x := r.intern(w, &other)
	assert.Equal(t, other, *x, "a record that differs is not the kept one")

	// A work that has missed three times already notes its fifth miss and
	// keeps the record on its thirteenth.
	r, w = &rule{}, &work{misses: 3}
	got = got[:0]
	for range 14 {
		got = append(got, r.intern(w, rec))
	}
	assert.NotSame(t, got[11], got[12])
	assert.Same(t, got[12], got[13])
}

// TestRecordsKeptAtTheirOwnPlaces: two records at different places of the
// cache are both kept.
func TestRecordsKeptAtTheirOwnPlaces(t *testing.T) {
	a := &record{asOf: Date{n: 1}}
	b := &record{asOf: Date{n: 2}}
	require.NotEqual(t, a.hash()>>(64-recCacheBits), b.hash()>>(64-recCacheBits), "the records of this test need different places")
	r := &rule{}
	wa, wb := &work{}, &work{}
	var ka, kb *record
	for range 17 { // interleaved: each work notes its own record
		ka, kb = r.intern(wa, a), r.intern(wb, b)
	}
	assert.Same(t, ka, r.intern(wa, a))
	assert.Same(t, kb, r.intern(wb, b))
}

// TestRecordHashTellsFieldsApart: records that differ in one field hash
// differently, whichever field.
func TestRecordHashTellsFieldsApart(t *testing.T) {
	base := record{asOf: Date{n: 100}, budget: 50, nums: [inlineNums][2]int64{{1, 1}}}
	variants := []func(r *record){
		func(r *record) { r.asOf.n++ },
		func(r *record) { r.inForce = true },
		func(r *record) { r.pass = true },
		func(r *record) { r.budget++ },
		func(r *record) { r.failed = 4 },
		func(r *record) { r.flags = 1 },
		func(r *record) { r.codes[3] = 1 },
		func(r *record) { r.days[1] = 1 },
		func(r *record) { r.nums[2][1] = 7 },
	}
	seen := map[uint64]int{base.hash(): -1}
	for i, change := range variants {
		r := base
		change(&r)
		h := r.hash()
		prev, dup := seen[h]
		assert.False(t, dup, "variant %d hashes as variant %d", i, prev)
		assert.Equal(t, uint64(1), h&1, "a hash is odd")
		seen[h] = i
	}
}

// constOutputs has a rule of three outputs that do not depend on its
// input, and one of four, which does not share its lists.
const constOutputs = `policy: {id: consts, title: 常数}
inputs:
  a: {type: money, label: 甲}
rules:
  three:
    title: 三项
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    outputs:
      x: {label: x, expr: "1250.505", round: {places: 2, mode: half-up}, on_fail: keep}
      y: {label: y, expr: "0.001", round: {places: 2, mode: down}}
      z: {label: z, expr: "1 / 3", round: {places: 4, mode: up}, on_fail: keep}
  echo3:
    title: 三项之二
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    outputs:
      x: {label: x, expr: "7", round: {places: 2, mode: half-up}}
  four:
    title: 四项
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    outputs:
      w: {label: w, expr: "2", round: {places: 1, mode: down}}
      x: {label: x, expr: "1250.505", round: {places: 2, mode: half-up}, on_fail: keep}
      y: {label: y, expr: "0.001", round: {places: 2, mode: down}}
      z: {label: z, expr: "1 / 3", round: {places: 4, mode: up}, on_fail: keep}
`

func outputTexts(outs []Output) []string {
	var s []string
	for _, o := range outs {
		if o.Value.Exponent() == 0 && o.Value.IsZero() && o.Rounding.Places > 0 {
			s = append(s, o.Name+"=none")
			continue
		}
		s = append(s, o.Name+"="+o.Value.String()+"@"+string(o.Rounding.Mode))
	}
	return s
}

// TestOutputListsKeptWhenNotedTwice: a rule of at most three outputs
// shares a list of outputs noted twice at its place (on every eighth miss
// of a work), whether the rule passed or failed and kept some outputs; a
// rule of more outputs makes a new list every time.
func TestOutputListsKeptWhenNotedTwice(t *testing.T) {
	s, err := Compile(Source{Name: "consts.yaml", Data: []byte(constOutputs)})
	require.NoError(t, err)
	r := s.rules["three"]
	w := r.frames.Get().(*work)
	w.f.Limit(context.Background(), 1000)
	for _, pass := range []bool{true, false} {
		want := []string{"x=1250.51@half-up", "y=0@down", "z=0.3334@up"}
		if !pass {
			want = []string{"x=1250.51@half-up", "y=none", "z=0.3334@up"}
		}
		var lists [][]Output
		for i := range 17 {
			outs, rec, err := r.decideOutputs(w, pass)
			require.NoError(t, err)
			assert.Equal(t, want, outputTexts(outs), "pass %t, decision %d", pass, i+1)
			if pass {
				assert.Equal(t, int32(-2), outs[1].Value.Exponent(), "a zero at its places")
			}
			if i < 16 {
				assert.NotNil(t, rec, "a new list comes with its record")
			} else {
				assert.Nil(t, rec, "a shared list comes with no record")
			}
			lists = append(lists, outs)
		}
		for i := 1; i < 16; i++ {
			assert.NotSame(t, &lists[i-1][0], &lists[i][0], "pass %t: decision %d makes a new list", pass, i+1)
		}
		assert.Same(t, &lists[15][0], &lists[16][0], "pass %t: the 16th list is kept", pass)
		w.misses = 0
	}

	// A work that has missed three times already notes its fifth miss and
	// keeps the list on its thirteenth.
	r = s.rules["echo3"]
	w = r.frames.Get().(*work)
	w.f.Limit(context.Background(), 1000)
	w.misses = 3
	var lists [][]Output
	for range 14 {
		outs, _, err := r.decideOutputs(w, true)
		require.NoError(t, err)
		lists = append(lists, outs)
	}
	assert.NotSame(t, &lists[11][0], &lists[12][0])
	assert.Same(t, &lists[12][0], &lists[13][0])

	r4 := s.rules["four"]
	w4 := r4.frames.Get().(*work)
	w4.f.Limit(context.Background(), 1000)
	var prev *Output
	for range 17 {
		outs, rec, err := r4.decideOutputs(w4, false)
		require.NoError(t, err)
		assert.Nil(t, rec)
		assert.Equal(t, []string{"w=none", "x=1250.51@half-up", "y=none", "z=0.3334@up"}, outputTexts(outs))
		assert.NotSame(t, prev, &outs[0])
		prev = &outs[0]
	}
	outs, _, err := r4.decideOutputs(w4, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"w=2@down", "x=1250.51@half-up", "y=0@down", "z=0.3334@up"}, outputTexts(outs))
}

const echoOutput = `policy: {id: echo, title: 回显}
inputs:
  a: {type: money, label: 甲}
rules:
  echo:
    title: 回显
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    outputs:
      x: {label: x, expr: a, round: {places: 2, mode: half-up}}
`

// TestOutputListsKeptAtTheirOwnPlaces: lists of different values at
// different places of the cache are both kept.
func TestOutputListsKeptAtTheirOwnPlaces(t *testing.T) {
	s, err := Compile(Source{Name: "echo.yaml", Data: []byte(echoOutput)})
	require.NoError(t, err)
	r := s.rules["echo"]
	ka, kb := outKey{computed: 1, qs: [sharedOutputs]int64{100}}, outKey{computed: 1, qs: [sharedOutputs]int64{200}}
	require.NotEqual(t, ka.hash()>>(64-outCacheBits), kb.hash()>>(64-outCacheBits), "the lists of this test need different places")
	work := func(a string) *work {
		w := r.frames.New().(*work)
		w.f.Nums[r.slot.inputs[0].Slot] = dexpr.NumOf(decimal.RequireFromString(a))
		w.f.Limit(context.Background(), 1000)
		return w
	}
	wa, wb := work("1.00"), work("2.00")
	var la, lb []Output
	for range 17 {
		la, _, err = r.decideOutputs(wa, true)
		require.NoError(t, err)
		lb, _, err = r.decideOutputs(wb, true)
		require.NoError(t, err)
	}
	assert.Equal(t, "1.00", la[0].String())
	assert.Equal(t, "2.00", lb[0].String())
	again, _, err := r.decideOutputs(wa, true)
	require.NoError(t, err)
	assert.Same(t, &la[0], &again[0])
	again, _, err = r.decideOutputs(wb, true)
	require.NoError(t, err)
	assert.Same(t, &lb[0], &again[0])
}

// TestOutputKeyHashTellsListsApart: lists that differ in which outputs
// were computed or in one value hash differently.
func TestOutputKeyHashTellsListsApart(t *testing.T) {
	keys := []outKey{
		{}, {computed: 1}, {computed: 3}, {computed: 7},
		{computed: 1, qs: [sharedOutputs]int64{1}}, {computed: 1, qs: [sharedOutputs]int64{-1}},
		{computed: 3, qs: [sharedOutputs]int64{0, 1}}, {computed: 7, qs: [sharedOutputs]int64{0, 0, 1}},
		{computed: 7, qs: [sharedOutputs]int64{1, 0, 0}}, {computed: 7, qs: [sharedOutputs]int64{125050, 0, 3334}},
	}
	seen := map[uint64]int{}
	for i, k := range keys {
		h := k.hash()
		prev, dup := seen[h]
		assert.False(t, dup, "key %d hashes as key %d", i, prev)
		seen[h] = i
	}
}

// inputsRule returns a policy whose rule r reads the inputs declared by
// decls, one line each after "inputs:", named x1, x2, ....
func inputsRule(decls ...string) string {
	var b strings.Builder
	b.WriteString("policy: {id: cap, title: 容量}\ninputs:\n")
	names := make([]string, len(decls))
	for i, d := range decls {
		names[i] = fmt.Sprintf("x%d", i+1)
		fmt.Fprintf(&b, "  %s: {%s, label: 输入%d}\n", names[i], d, i+1)
	}
	b.WriteString("rules:\n  r:\n    title: 容量\n    basis: {clause: 第一条, quote: 原文}\n    in_force: {from: \"2020-01-01\"}\n")
	b.WriteString("    inputs: [" + strings.Join(names, ", ") + "]\n")
	b.WriteString("    outputs:\n      one: {label: 一, expr: \"1\", round: {places: 0, mode: down}}\n")
	return b.String()
}

func repeat(n int, s string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestInlineRecordCapacity: a result's record holds the inputs of a rule
// inline up to 64 flags, 4 codes of enums of at most 256 codes, the as-of
// date and one date, and 3 numbers; one more of any keeps them apart.
func TestInlineRecordCapacity(t *testing.T) {
	codes := make([]string, 257)
	for i := range codes {
		codes[i] = fmt.Sprintf("c%d", i)
	}
	enum := func(n int) string { return "type: enum, values: [" + strings.Join(codes[:n], ", ") + "]" }
	tests := []struct {
		name   string
		decls  []string
		inline bool
	}{
		{"64 flags", repeat(64, "type: bool"), true},
		{"65 flags", repeat(65, "type: bool"), false},
		{"4 codes", repeat(4, enum(3)), true},
		{"5 codes", repeat(5, enum(3)), false},
		{"an enum of 256 codes", []string{enum(256)}, true},
		{"an enum of 257 codes", []string{enum(257)}, false},
		{"one date besides as_of", []string{"type: date"}, true},
		{"two dates", repeat(2, "type: date"), false},
		{"3 numbers", []string{"type: money", "type: int", "type: decimal"}, true},
		{"4 numbers", repeat(4, "type: money"), false},
		{"all at once", append(append(append(repeat(64, "type: bool"), repeat(4, enum(256))...), "type: date"), repeat(3, "type: int")...), true},
	}
	for _, tt := range tests {
		s, err := Compile(Source{Name: "cap.yaml", Data: []byte(inputsRule(tt.decls...))})
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.inline, s.rules["r"].slot.inline, tt.name)
	}
}

// TestFailureListsBuiltForSixRequirements: the reasons of every
// combination of failures are listed at load for up to six requirements,
// each list in declared order, and not for seven.
func TestFailureListsBuiltForSixRequirements(t *testing.T) {
	reasons := make([]Reason, 7)
	for i := range reasons {
		reasons[i] = Reason{Code: fmt.Sprintf("q%d", i)}
	}
	got := failures(reasons[:6])
	require.Len(t, got, 64)
	assert.Empty(t, got[0])
	assert.Equal(t, []Reason{reasons[0], reasons[2], reasons[5]}, got[0b100101])
	assert.Equal(t, reasons[:6], got[63])
	assert.Equal(t, len(got[5]), cap(got[5]), "an append by a caller copies")
	assert.Nil(t, failures(reasons))
	assert.Len(t, failures(nil), 1)
}
