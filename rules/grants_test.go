package rules

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGrantsFindEveryKeyItHolds adds keys that differ in one byte, in
// length, and that are empty, under the real hash and under one that gives
// every key the same hash, so that each lookup walks a chain of others.
func TestGrantsFindEveryKeyItHolds(t *testing.T) {
	for _, sameHash := range []bool{false, true} {
		g := newGrants()
		if sameHash {
			g.hash = func([]byte) uint64 { return 7 }
		}
		keys := []string{"", "A", "B", "AB", "training-grant\x00P0000001\x00A", "training-grant\x00P0000001\x00B"}
		for i := range 200 {
			keys = append(keys, fmt.Sprintf("p%d", i))
		}
		for i, k := range keys {
			_, ok, at := g.lookup([]byte(k))
			assert.False(t, ok, "%q before it is added", k)
			g.add([]byte(k), 10+i, at)
		}
		assert.Equal(t, 1024, len(g.slots), "206 keys fit the first table")
		for i := len(keys); i < 768; i++ {
			_, _, at := g.lookup(fmt.Appendf(nil, "q%d", i))
			g.add(fmt.Appendf(nil, "q%d", i), i, at)
		}
		assert.Equal(t, 1024, len(g.slots), "768 keys are three quarters of the table, which is full enough")
		_, _, at := g.lookup([]byte("one past"))
		g.add([]byte("one past"), 0, at)
		assert.Equal(t, 2048, len(g.slots), "769 keys are past three quarters: the table doubles")
		for i, k := range keys {
			line, ok, _ := g.lookup([]byte(k))
			assert.True(t, ok, "%q", k)
			assert.Equal(t, 10+i, line, "%q", k)
		}
		for _, k := range []string{"C", "p200", "training-grant\x00P0000001", "AB\x00"} {
			_, ok, _ := g.lookup([]byte(k))
			assert.False(t, ok, "%q was never added", k)
		}
	}
}

// TestGrantsAcrossBlocks adds more keys than one block of entries holds,
// and keys longer than a block of bytes, and finds each with its line.
func TestGrantsAcrossBlocks(t *testing.T) {
	g := newGrants()
	long := func(c byte) []byte {
		b := make([]byte, keyBlock+keyBlock/2)
		for i := range b {
			b[i] = c
		}
		return b
	}
	add := func(key []byte, line int) {
		_, ok, at := g.lookup(key)
		require.False(t, ok)
		g.add(key, line, at)
	}
	add(long('x'), 1)
	n := grantBlock + grantBlock/2
	for i := range n {
		add(fmt.Appendf(nil, "person-%d", i), 2+i)
	}
	add(long('y'), n+2)
	line, ok, _ := g.lookup(long('x'))
	assert.True(t, ok)
	assert.Equal(t, 1, line)
	line, ok, _ = g.lookup(long('y'))
	assert.True(t, ok)
	assert.Equal(t, n+2, line)
	_, ok, _ = g.lookup(long('z'))
	assert.False(t, ok)
	for i := range n {
		line, ok, _ := g.lookup(fmt.Appendf(nil, "person-%d", i))
		if !ok || line != 2+i {
			t.Fatalf("person-%d: line %d, %v; want %d", i, line, ok, 2+i)
		}
	}
	assert.Equal(t, 2, len(g.entries), "two blocks of entries")
	assert.Equal(t, 1<<18, len(g.slots), "98,306 keys are past three quarters of 2^17 slots")
	assert.Equal(t, 4, len(g.keys), "a long key, the short ones in two blocks, a long key")
}

// BenchmarkOnceEntries adds a million once-per keys, as a roster of a
// million people gives them, then finds each: in a map of strings, and in
// grants. The garbage collector runs as often as the tool lets it.
func BenchmarkOnceEntries(b *testing.B) {
	const n = 1_000_000
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "training-grant\x00P%07d\x00A", i)
	}
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			m := map[string]int{}
			for i, k := range keys {
				if _, ok := m[string(k)]; !ok {
					m[string(k)] = i
				}
			}
			for _, k := range keys {
				if _, ok := m[string(k)]; !ok {
					b.Fatal("lost")
				}
			}
		}
	})
	b.Run("grants", func(b *testing.B) {
		for b.Loop() {
			g := newGrants()
			for i, k := range keys {
				if _, ok, at := g.lookup(k); !ok {
					g.add(k, i, at)
				}
			}
			for _, k := range keys {
				if _, ok, _ := g.lookup(k); !ok {
					b.Fatal("lost")
				}
			}
		}
	})
}

// TestGrantsFillABlockOfKeysExactly adds keys whose bytes fill one block
// to the last byte: they share it, and the next key opens another.
func TestGrantsFillABlockOfKeysExactly(t *testing.T) {
	g := newGrants()
	for i := range keyBlock / 1024 {
		key := make([]byte, 1024)
		copy(key, fmt.Sprint(i))
		_, ok, at := g.lookup(key)
		require.False(t, ok)
		g.add(key, i, at)
	}
	assert.Equal(t, 1, len(g.keys), "1,024 keys of 1 KiB fill one block")
	_, _, at := g.lookup([]byte("one more"))
	g.add([]byte("one more"), 0, at)
	assert.Equal(t, 2, len(g.keys))
}
