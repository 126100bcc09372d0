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

// test runs the test cases inside a policy file (or the default policy),
// one line per case; exit status 1 when any fails.
func (e *env) test(ctx context.Context, args []string) error {
	fs := e.flags("test")
	verbose := fs.Bool("v", false, "print passing cases too")
	set, err := loadFiles(fs, args)
	if err != nil {
		return helped(err)
	}
	passed, failed := 0, 0
	for _, r := range set.Test(ctx) {
		if r.Passed() {
			passed++
			if *verbose {
				fmt.Fprintln(e.stdout, r)
			}
			continue
		}
		failed++
		fmt.Fprintln(e.stdout, r)
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}
