package main

import "context"

func (e *env) loan(ctx context.Context, args []string) error {
	return usageError("loan: not built yet")
}
func (e *env) weekly(ctx context.Context, args []string) error {
	return usageError("weekly: not built yet")
}
