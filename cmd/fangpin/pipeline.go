package main

import (
	"context"
	"runtime"
	"sync"
)

// batchSize is how many records are decided together; memory stays bounded
// by it whatever the size of the input.
const batchSize = 512

// inOrder decides records read by next with workers goroutines and hands
// the results to emit in input order. next returns false at the end of the
// input; an error from next or emit stops the run. Only batchSize records
// are held at once.
func inOrder[In, Out any](ctx context.Context, workers int, next func() (In, bool, error),
	decide func(In) Out, emit func(Out) error) error {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	ins := make([]In, 0, batchSize)
	outs := make([]Out, batchSize)
	for {
		ins = ins[:0]
		for len(ins) < batchSize {
			in, ok, err := next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			ins = append(ins, in)
		}
		if len(ins) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var wg sync.WaitGroup
		chunk := (len(ins) + workers - 1) / workers
		for lo := 0; lo < len(ins); lo += chunk {
			hi := min(lo+chunk, len(ins))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					outs[i] = decide(ins[i])
				}
			}()
		}
		wg.Wait()
		for i := range ins {
			if err := emit(outs[i]); err != nil {
				return err
			}
		}
		if len(ins) < batchSize {
			return nil
		}
	}
}
