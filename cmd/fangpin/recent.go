package main

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"sync/atomic"

	"github.com/ruralrelief/fangpin/rules"
)

// recentSize is how many decisions a run keeps for rows that repeat.
const recentSize = 1024

// recent keeps the decisions of recent rows by the cells the rule reads. A
// roster repeats a few combinations of answers (是/否 and a tier) on every
// row, and a decision depends on nothing else, so a row whose cells were
// decided before takes that decision. The table is fixed: a new entry
// replaces the one in its place, so a run keeps as much on a million rows
// as on a hundred. A decided row is added only one time in eight (by its
// row number, hashed), so a sheet whose rows never repeat pays a hash and
// one comparison per row, and keeps its inputs' maps in their pool.
//
// Entries are shared by the deciding goroutines and read only: their input
// maps are never put back into the pool, and their results, like any
// rules.Result, are values the checks across records copy before changing.
type recent struct {
	fields []string // per input column: the input it is, or ""
	seed   maphash.Seed
	slots  [recentSize]atomic.Pointer[recentEntry]
}

type recentEntry struct {
	key     []byte
	in      rules.Input
	res     rules.Result
	outputs []string
	units   []int64
	exact   bool
}

func newRecent(fields []string) *recent {
	return &recent{fields: fields, seed: maphash.MakeSeed()}
}

// key appends to dst the cells of row the rule reads, each after its
// length, so that no two rows' keys run together.
func (c *recent) key(dst []byte, cells []string) []byte {
	for i, name := range c.fields {
		if name != "" {
			dst = binary.AppendUvarint(dst, uint64(len(cells[i])))
			dst = append(dst, cells[i]...)
		}
	}
	return dst
}

func (c *recent) slot(key []byte) *atomic.Pointer[recentEntry] {
	return &c.slots[maphash.Bytes(c.seed, key)%recentSize]
}

// find returns the decision kept for the cells key, if there is one.
func (c *recent) find(key []byte) (*recentEntry, bool) {
	e := c.slot(key).Load()
	if e == nil || string(e.key) != string(key) {
		return nil, false
	}
	return e, true
}

// admits reports whether row is one of the rows added.
func admits(row int) bool { return uint64(row)*0x9e3779b97f4a7c15>>61 == 0 }

// keep adds the decision d of the cells key; d.in is the entry's from now
// on and must not go back to the pool.
func (c *recent) keep(key []byte, d decision) {
	c.slot(key).Store(&recentEntry{key: bytes.Clone(key), in: d.in, res: d.res, outputs: d.outputs, units: d.units, exact: d.exact})
}
