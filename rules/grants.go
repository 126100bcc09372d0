package rules

import "hash/maphash"

// grants is the set of once-per keys a [Tally] has seen pass, each with its
// line. It holds no pointers but to its blocks: the keys are runs of bytes
// found through a map from their hash, so a batch of a million people costs
// the garbage collector nothing to scan, where a map of a million strings
// is scanned on every cycle. It grows by blocks, never copying what it
// holds.
type grants struct {
	hash    func([]byte) uint64
	first   map[uint64]int32 // a key's hash: its last entry, counted from 1
	entries [][]grant        // blocks of grantBlock entries
	keys    [][]byte         // blocks of at least keyBlock bytes
}

const (
	grantBlock = 1 << 16
	keyBlock   = 1 << 20
)

type grant struct {
	block, start, end int32 // the key: keys[block][start:end]
	next              int32 // the entry before with the same hash, counted from 1; 0 for none
	line              int   // where it passed
}

func newGrants() *grants {
	seed := maphash.MakeSeed()
	return &grants{hash: func(b []byte) uint64 { return maphash.Bytes(seed, b) }, first: map[uint64]int32{}}
}

// line returns the line of key and whether it is in the set.
func (g *grants) line(key []byte) (int, bool) {
	for i := g.first[g.hash(key)]; i != 0; {
		e := &g.entries[(i-1)/grantBlock][(i-1)%grantBlock]
		if string(g.keys[e.block][e.start:e.end]) == string(key) {
			return e.line, true
		}
		i = e.next
	}
	return 0, false
}

// add puts key, which is not in the set, into it with its line.
func (g *grants) add(key []byte, line int) {
	h := g.hash(key)
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
	*last = append(*last, grant{block: int32(b), start: int32(start), end: int32(len(g.keys[b])), next: g.first[h], line: line})
	g.first[h] = int32((len(g.entries)-1)*grantBlock + len(*last))
}
