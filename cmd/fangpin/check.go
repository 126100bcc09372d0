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
//
// With --on DATE it also warns about every rule whose in-force period, or
// a parameter it uses, stops on or before DATE + 30 days, and about a rule
// in force on DATE that has a parameter with no value then: it could not
// be decided on DATE. --strict makes that last case an error, exit 1.
func (e *env) check(args []string) error {
	fs := e.flags("check")
	on := fs.String("on", "", "also warn about what stops within 30 days of this date, YYYY-MM-DD")
	strict := fs.Bool("strict", false, "with --on: exit 1 when a rule in force on the date has a parameter with no value then")
	set, err := loadFiles(fs, args)
	if err != nil {
		return helped(err)
	}
	m := set.Meta()
	fmt.Fprintf(e.stdout, "ok: %s %s: %d rules (sha256 %s)\n", m.ID, m.Number, len(set.RuleIDs()), set.Hash())
	if *on == "" {
		if *strict {
			return usageError("--strict needs --on DATE")
		}
		return nil
	}
	day, err := rules.ParseDate(*on)
	if err != nil {
		return usageError("--on: %v", err)
	}
	undecidable := 0
	through := day.AddDays(staleDays)
	stops := set.Expiring(day, through)
	if len(stops) == 0 {
		fmt.Fprintf(e.stdout, "ok: no rule, and no parameter, stops on or before %s (%s + %d days)\n", through, day, staleDays)
	}
	for _, x := range stops {
		level := "warning"
		if x.NoValue && *strict {
			level = "error"
			undecidable++
		}
		fmt.Fprintf(e.stdout, "%s: %s: %s\n", x.Pos, level, describeExpiry(x, day))
	}
	if undecidable > 0 {
		return &exitError{code: 1, err: fmt.Errorf("rules that could not be decided on %s, for a parameter with no value then: %d", day, undecidable)}
	}
	return nil
}

// staleDays is how far past the --on date check looks for what stops.
const staleDays = 30

// describeExpiry says what stops, for check --on.
func describeExpiry(x rules.Expiry, on rules.Date) string {
	var what string
	switch {
	case x.Param == "":
		what = fmt.Sprintf("rule %s", x.Rule)
	case x.Rule == "":
		what = fmt.Sprintf("parameter %s (used by no rule's expressions)", x.Param)
	default:
		what = fmt.Sprintf("rule %s: parameter %s", x.Rule, x.Param)
	}
	switch {
	case x.NoValue && x.Last.IsZero():
		return fmt.Sprintf("%s has no value on %s, none is in force yet: the rule cannot be decided on that day", what, on)
	case x.NoValue:
		return fmt.Sprintf("%s has no value on %s, its value ended on %s: the rule cannot be decided on that day", what, on, x.Last)
	case x.Param == "" && x.Last.Before(on):
		return fmt.Sprintf("%s stopped being in force on %s, before %s", what, x.Last, on)
	case x.Param == "":
		return fmt.Sprintf("%s stops being in force after %s%s", what, x.Last, daysAfter(on, x.Last))
	case x.Last.Before(on):
		return fmt.Sprintf("%s has had no value since %s", what, x.Last.AddDays(1))
	}
	return fmt.Sprintf("%s has no value after %s%s", what, x.Last, daysAfter(on, x.Last))
}

// daysAfter says how far last is from the --on date.
func daysAfter(on, last rules.Date) string {
	switch n := on.DaysUntil(last); n {
	case 0:
		return ", the --on date"
	case 1:
		return ", the day after " + on.String()
	default:
		return fmt.Sprintf(", %d days after %s", n, on)
	}
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
//
// With --coverage it then prints, per rule, the share of the outcomes of
// its decision points the cases reached (requirements held and failed,
// conditions, min, max and ?? each way, rounding, dated parameter values),
// and each outcome none reached with its file:line:col. Coverage is a
// report: only failing cases change the exit status.
func (e *env) test(ctx context.Context, args []string) error {
	fs := e.flags("test")
	verbose := fs.Bool("v", false, "print passing cases too")
	coverage := fs.Bool("coverage", false, "also report which decision points of each rule the cases reach")
	set, err := loadFiles(fs, args)
	if err != nil {
		return helped(err)
	}
	var results []rules.TestResult
	var cov rules.Coverage
	if *coverage {
		cov = set.Coverage(ctx)
		results = cov.Tests
	} else {
		results = set.Test(ctx)
	}
	var count [3]int
	for _, r := range results {
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
	if *coverage {
		fmt.Fprintln(e.stdout, "coverage of the decision points:")
		if err := cov.WriteText(e.stdout); err != nil {
			return err
		}
	}
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}
