package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/ruralrelief/fangpin/rules"
)

// check loads rule files and prints every diagnostic. With no files it
// checks the embedded default policy. Overlays (files with extends:) are
// loaded on the policy given before them, or on the default policy.
func (e *env) check(args []string) error {
	set, err := loadFiles(e.flags("check"), args)
	if err != nil {
		return helped(err)
	}
	m := set.Meta()
	fmt.Fprintf(e.stdout, "ok: %s %s: %d rules (sha256 %s)\n", m.ID, m.Number, len(set.RuleIDs()), set.Hash())
	return nil
}

// loadFiles parses the flags and loads the rule files named as arguments.
func loadFiles(fs *flag.FlagSet, args []string) (*rules.Set, error) {
	files, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	return loadPolicy(files)
}

// test runs the test cases inside a policy file (or the default policy)
// and its overlays, one line per case; exit status 1 when any fails. With
// overlays, the policy's cases whose answers the overlays change are
// listed as changed, with before and after: an overlay is meant to change
// them, so they are not failures.
func (e *env) test(ctx context.Context, args []string) error {
	fs := e.flags("test")
	verbose := fs.Bool("v", false, "print passing cases too")
	set, err := loadFiles(fs, args)
	if err != nil {
		return helped(err)
	}
	var count [3]int
	for _, r := range set.Test(ctx) {
		st := r.Status()
		count[st]++
		if st != rules.TestPassed || *verbose {
			fmt.Fprintln(e.stdout, r)
		}
	}
	passed, changed, failed := count[rules.TestPassed], count[rules.TestChanged], count[rules.TestFailed]
	if changed > 0 {
		fmt.Fprintf(e.stdout, "%d passed, %d changed by the overlays, %d failed\n", passed, changed, failed)
	} else {
		fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}
