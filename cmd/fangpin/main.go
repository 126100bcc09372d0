// Command fangpin decides subsidies under 豫办发电〔2021〕48号 over CSV, Excel
// and JSONL files, explains single decisions in Chinese, checks and tests
// rule files, and writes the county weekly dispatch table (周调度表).
//
// Usage:
//
//	fangpin eval RULE INPUT [--policy FILE]... [--on DATE] [-o OUTPUT]
//	fangpin loan INPUT [--policy FILE]... [-o OUTPUT]
//	fangpin check [FILE]...
//	fangpin test [FILE]... [--coverage]
//	fangpin explain RULE --set name=value ... [--on DATE] [--policy FILE]...
//	fangpin weekly --county NAME --date DATE [--progress FILE] -o FILE
//
// Exit status: 0 when every record was decided, 1 when some records had
// errors (all are still written) or a rule-file test failed, 2 for bad usage,
// unreadable input or an invalid policy file.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
)

// A batch run allocates small, short-lived records by the million and
// holds few: collecting garbage less often is a third of its speed, and the
// soft limit keeps the process under 100 MB all the same. What a run must
// hold (the once-per keys of a million people, about 50 MB) is kept without
// pointers, so the collections the limit brings on scan little.
const (
	gcPercent   = 400
	memoryLimit = 80 << 20
)

func main() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(memoryLimit)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// exitCode maps an error from run to the process's exit status.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "fangpin:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "fangpin:", err)
	return 2
}
