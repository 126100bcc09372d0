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
// one goroutine reads batches of Size records, each worker decides a whole
// batch at a time with no wait for the others, and the caller's goroutine
// emits the batches in the order they were read. At most 2×workers+2
// batches are in flight. next returns false at the end; an error from next
// or emit, or ctx being cancelled, stops the run.
//
// Each worker calls newDecide once and decides its records with the
// function it returns, which may so keep scratch space of its own. That
// function is given each record and the place of its result, which holds
// an earlier result: it sets the whole of it. emit is given each result in
// place; it may change it, but not keep it.
func InOrder[In, Out any](ctx context.Context, workers int, next func() (In, bool, error),
	newDecide func() func(In, *Out), emit func(*Out) error) error {
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
		ins     []In
		outs    []Out
		decided chan struct{} // receives once the batch is decided
	}
	free := make(chan *batch, 2*workers+2)
	for range cap(free) {
		free <- &batch{ins: make([]In, 0, Size), outs: make([]Out, Size), decided: make(chan struct{}, 1)}
	}
	// Every batch read goes to the workers and, in the same order, to the
	// writer; neither channel can fill, since no more batches exist.
	toDecide := make(chan *batch, cap(free))
	inOrder := make(chan *batch, cap(free))
	var readErr error

	running.Add(1)
	go func() { // reader
		defer running.Done()
		defer close(toDecide)
		defer close(inOrder)
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
				toDecide <- b
				inOrder <- b
			}
			if len(b.ins) < Size || readErr != nil {
				return
			}
		}
	}()

	running.Add(workers)
	for range workers {
		go func() { // decider
			defer running.Done()
			decide := newDecide()
			for b := range toDecide {
				if ctx.Err() == nil {
					for i, in := range b.ins {
						decide(in, &b.outs[i])
					}
				}
				b.decided <- struct{}{}
			}
		}()
	}

	for b := range inOrder { // writer
		select {
		case <-b.decided:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := ctx.Err(); err != nil {
			return err // the workers may have skipped the batch
		}
		for i := range b.ins {
			if err := emit(&b.outs[i]); err != nil {
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

// Shared is InOrder's newDecide for a decide function every worker may
// call at once: each worker's sets a result to what decide returns.
func Shared[In, Out any](decide func(In) Out) func() func(In, *Out) {
	return func() func(In, *Out) {
		return func(in In, out *Out) { *out = decide(in) }
	}
}
