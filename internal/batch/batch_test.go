package batch

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func counter(n int) func() (int, bool, error) {
	i := 0
	return func() (int, bool, error) {
		if i == n {
			return 0, false, nil
		}
		i++
		return i, true, nil
	}
}

func TestInOrderKeepsInputOrder(t *testing.T) {
	for _, n := range []int{0, 1, Size - 1, Size, Size + 1, 5*Size + 7} {
		var got []int
		err := InOrder(context.Background(), 4, counter(n), Shared(func(i int) int { return i * i }),
			func(v *int) error { got = append(got, *v); return nil })
		require.NoError(t, err)
		require.Len(t, got, n)
		for i, v := range got {
			if v != (i+1)*(i+1) {
				t.Fatalf("n=%d: result %d is %d, want %d", n, i, v, (i+1)*(i+1))
			}
		}
	}
}

func TestInOrderStopsOnEmitError(t *testing.T) {
	stop := errors.New("stop")
	seen := 0
	err := InOrder(context.Background(), 2, counter(10*Size), Shared(func(i int) int { return i }),
		func(*int) error {
			seen++
			if seen == 3 {
				return stop
			}
			return nil
		})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 3, seen)
}

func TestInOrderReportsReadErrors(t *testing.T) {
	bad := errors.New("unreadable")
	i := 0
	next := func() (int, bool, error) {
		i++
		if i == 700 {
			return 0, false, bad
		}
		return i, true, nil
	}
	n := 0
	err := InOrder(context.Background(), 2, next, Shared(func(i int) int { return i }), func(*int) error { n++; return nil })
	assert.ErrorIs(t, err, bad)
	assert.Equal(t, 699, n, "every record read before the error is emitted")
}

func TestInOrderHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := InOrder(ctx, 2, counter(1_000_000), Shared(func(i int) int { return i }), func(*int) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, n, 10*Size, "stops within a few batches")
}

func TestInOrderGivesEachWorkerItsOwnDecide(t *testing.T) {
	var made atomic.Int32
	newDecide := func() func(int, *int) {
		made.Add(1)
		var last int // the worker's own: the race detector sees any sharing
		return func(i int, out *int) {
			last = i
			*out = last + 1
		}
	}
	sum := 0
	err := InOrder(context.Background(), 3, counter(20*Size), newDecide, func(v *int) error { sum += *v; return nil })
	require.NoError(t, err)
	assert.Equal(t, int32(3), made.Load(), "newDecide is called once a worker")
	assert.Equal(t, 20*Size*(20*Size+1)/2+20*Size, sum)
}

// TestInOrderEmitsNothingUndecided cancels a run while batches are still
// being decided: the workers skip what is left, and nothing they skipped
// is emitted. Each result is its record's number, so a skipped batch
// would show as a number out of turn.
func TestInOrderEmitsNothingUndecided(t *testing.T) {
	for range 100 {
		ctx, cancel := context.WithCancel(context.Background())
		slow := func(i int) int {
			for range 50 {
				runtime.Gosched()
			}
			return i
		}
		last := 0
		err := InOrder(ctx, 2, counter(20*Size), Shared(slow), func(v *int) error {
			slow(0) // the workers run ahead of the writer
			if *v != last+1 {
				return fmt.Errorf("record %d emitted after %d", *v, last)
			}
			last = *v
			if last == Size/2 {
				cancel()
			}
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		cancel()
	}
}
