// Package batch runs decisions over a stream of records on several
// goroutines and hands the results back in input order, with bounded memory.
package batch

import (
	"context"
	"runtime"
	"sync"
)

// Size is how many records travel together. At most a few batches are
// in flight, so memory stays bounded whatever the size of the input.
const Size = 512

// InOrder decides the records read by next on workers goroutines and hands
// the results to emit in input order. Reading, deciding and writing overlap:
// one goroutine reads the next batch while the workers decide the current
// one and the caller's goroutine emits the previous. next returns false at
// the end; an error from next or emit, or ctx being cancelled, stops the run.
func InOrder[In, Out any](ctx context.Context, workers int, next func() (In, bool, error),
	decide func(In) Out, emit func(Out) error) error {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	var running sync.WaitGroup
	// On return, stop the other goroutines and wait for them, so that next
	// and decide are never called after InOrder returns.
	defer running.Wait()
	defer cancel()

	type batch struct {
		ins  []In
		outs []Out
	}
	free := make(chan *batch, 4)
	for range cap(free) {
		free <- &batch{ins: make([]In, 0, Size), outs: make([]Out, Size)}
	}
	read := make(chan *batch, 1)
	decided := make(chan *batch, 1)
	var readErr error

	running.Add(2)
	go func() { // reader
		defer running.Done()
		defer close(read)
		for {
			var b *batch
			select {
			case b = <-free:
			case <-ctx.Done():
				return
			}
			b.ins = b.ins[:0]
			for len(b.ins) < Size {
				in, ok, err := next()
				if err != nil {
					readErr = err
					break
				}
				if !ok {
					break
				}
				b.ins = append(b.ins, in)
			}
			if len(b.ins) > 0 {
				select {
				case read <- b:
				case <-ctx.Done():
					return
				}
			}
			if len(b.ins) < Size || readErr != nil {
				return
			}
		}
	}()

	go func() { // deciders
		defer running.Done()
		defer close(decided)
		for b := range read {
			var wg sync.WaitGroup
			chunk := (len(b.ins) + workers - 1) / workers
			for lo := 0; lo < len(b.ins); lo += chunk {
				hi := min(lo+chunk, len(b.ins))
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := lo; i < hi; i++ {
						b.outs[i] = decide(b.ins[i])
					}
				}()
			}
			wg.Wait()
			select {
			case decided <- b:
			case <-ctx.Done():
				return
			}
		}
	}()

	for b := range decided { // writer
		for i := range b.ins {
			if err := emit(b.outs[i]); err != nil {
				return err
			}
		}
		free <- b
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return readErr
}
