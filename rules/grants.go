package rules

import "hash/maphash"

// grants is the set of once-per keys a [Tally] has seen pass, each with its
// line. It holds no pointers but to its blocks, so a batch of a million
// people costs the garbage collector nothing to scan, where a map of a
// million strings is scanned on every cycle: the keys are runs of bytes,
// found through an open-addressed table of their hashes (8 bytes a place),
// and it grows by blocks, never copying a key. One probe of the table finds
// a key or the place to add it. It holds at most 2^32-1 keys.
type grants struct {
	hash    func([]byte) uint64
	slots   []grantSlot // a power of two of them, at most three quarters used
	used    int
	entries [][]grant // blocks of grantBlock entries
	keys    [][]byte  // blocks of at least keyBlock bytes
}

const (
	grantBlock = 1 << 16
	keyBlock   = 1 << 20
)

// grantSlot is a place of the table: the low 32 bits of a key's hash,
// which place it, and its entry, counted from 1; 0 for an empty place.
type grantSlot struct {
	hash, entry uint32
}

type grant struct {
	block, start, end int32 // the key: keys[block][start:end]
	line              int   // where it passed
}

// grantPlace is where lookup found no key: the place add puts it.
type grantPlace struct {
	hash uint32
	slot int
}

func newGrants() *grants {
	seed := maphash.MakeSeed()
	return &grants{hash: func(b []byte) uint64 { return maphash.Bytes(seed, b) }, slots: make([]grantSlot, 1024)}
}

// lookup returns the line of key and true if it is in the set, or else
// the place to add it.
func (g *grants) lookup(key []byte) (int, bool, grantPlace) {
	h := uint32(g.hash(key))
	mask := len(g.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := g.slots[i]
		if s.entry == 0 {
			return 0, false, grantPlace{hash: h, slot: i}
		}
		if s.hash == h {
			e := &g.entries[(s.entry-1)/grantBlock][(s.entry-1)%grantBlock]
			if string(g.keys[e.block][e.start:e.end]) == string(key) {
				return e.line, true, grantPlace{}
			}
		}
	}
}

// add puts key at the place lookup gave for it, with its line.
func (g *grants) add(key []byte, line int, at grantPlace) {
	if n := len(g.keys); n == 0 || len(g.keys[n-1])+len(key) > cap(g.keys[n-1]) {
		g.keys = append(g.keys, make([]byte, 0, max(keyBlock, len(key))))
	}
	b := len(g.keys) - 1
	start := len(g.keys[b])
	g.keys[b] = append(g.keys[b], key...)
	if n := len(g.entries); n == 0 || len(g.entries[n-1]) == grantBlock {
		g.entries = append(g.entries, make([]grant, 0, grantBlock))
	}
	last := &g.entries[len(g.entries)-1]
	*last = append(*last, grant{block: int32(b), start: int32(start), end: int32(len(g.keys[b])), line: line})
	g.slots[at.slot] = grantSlot{hash: at.hash, entry: uint32((len(g.entries)-1)*grantBlock + len(*last))}
	if g.used++; g.used*4 > len(g.slots)*3 {
		g.grow()
	}
}

// grow doubles the table, placing each entry again by its kept hash.
func (g *grants) grow() {
	old := g.slots
	g.slots = make([]grantSlot, 2*len(old))
	mask := len(g.slots) - 1
	for _, s := range old {
		if s.entry == 0 {
			continue
		}
		i := int(s.hash) & mask
		for g.slots[i].entry != 0 {
			i = (i + 1) & mask
		}
		g.slots[i] = s
	}
}
