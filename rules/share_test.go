package rules

import (
	"testing"

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
