package main

import "context"

func (e *env) weekly(ctx context.Context, args []string) error {
	return usageError("weekly: not built yet")
}
