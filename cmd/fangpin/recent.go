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
// as on a hundred. Cells are kept only when they come a second time to the
// same place, so a sheet whose rows never repeat keeps nothing: each row
// costs a hash, a look at the table and a note of the hash.
//
// Entries are shared by the deciding goroutines and read only: their input
// maps are never put back into the pool, and their results, like any
// rules.Result, are values the checks across records copy before changing.
type recent struct {
	fields []string // per input column: the input it is, or ""
	seed   maphash.Seed
	// seen is the hash of the cells last seen in each place; the entry
	// there is looked at only when it matches. A reader may find a hash
	// and an entry of two different rows: the entry's key decides.
	seen  [recentSize]atomic.Uint64
	slots [recentSize]atomic.Pointer[recentEntry]
}

type recentEntry struct {
	key     []byte
	in      rules.Input
	res     rules.Result
	outputs []string
	units   []int64
	exact   bool
	// tail is the columns after the head (outputShape.head) of every
	// record of this decision, encoded by the first to need them.
	tail atomic.Pointer[[]byte]
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

// find returns the decision kept for the cells key, if there is one, and
// the key's hash for keep.
func (c *recent) find(key []byte) (*recentEntry, uint64, bool) {
	h := maphash.Bytes(c.seed, key)
	if c.seen[h%recentSize].Load() != h {
		return nil, h, false
	}
	e := c.slots[h%recentSize].Load()
	if e == nil || string(e.key) != string(key) {
		return nil, h, false
	}
	return e, h, true
}

// keep notes the cells key, of hash h, decided as d, and keeps d if the
// same cells were the last seen in their place. It returns the entry d was
// kept as, or nil: d.in is then the entry's and must not go back to the
// pool.
func (c *recent) keep(key []byte, h uint64, d *decision) *recentEntry {
	if c.seen[h%recentSize].Swap(h) != h {
		return nil
	}
	e := &recentEntry{key: bytes.Clone(key), in: d.in, res: d.res, outputs: d.outputs, units: d.units, exact: d.exact}
	c.slots[h%recentSize].Store(e)
	return e
}
