package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
)

// exitError carries the exit status a failure maps to. A nil err means the
// problem was already reported (records with errors, failing tests).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// errSomeFailed is returned when every record was written but some had
// errors, or some rule-file tests failed: exit status 1.
var errSomeFailed = &exitError{code: 1}

const usage = `usage:
  fangpin eval RULE INPUT [--policy FILE]... [--on DATE] [-o OUTPUT]
  fangpin loan INPUT [--policy FILE]... [-o OUTPUT]
  fangpin diff RULE INPUT --policy OVERLAY... [--base OVERLAY]... [--on DATE] [-o OUTPUT]
  fangpin check [FILE]... [--on DATE [--strict]]
  fangpin test [FILE]... [--coverage]
  fangpin explain RULE --set name=value ... [--on DATE] [--policy FILE]...
  fangpin weekly --county NAME --date DATE [--progress FILE] -o FILE
  fangpin ledger payments|refusals|totals|batches|reverse [--ledger DB] ...
  fangpin serve [--addr 127.0.0.1:8080] [--policy FILE]... [--ledger DB] [--decision-log FILE]
  fangpin version

fangpin CMD --help describes a command; fangpin eval RULE --help lists the
columns the rule reads.
INPUT and OUTPUT are .csv, .xlsx or .jsonl files; - is JSONL on stdin/stdout.
Rules of the default policy 豫办发电〔2021〕48号:
  training-grant, work-training-subsidy, return-travel-reimbursement,
  work-relief-labour-share, fund-scale, microloan-interest-subsidy
`

// env is what a subcommand runs with: the streams and the clock, so tests
// can pin all of them.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	today          func() rules.Date
	now            func() time.Time // when a batch is recorded in a ledger
}

// run runs the command line args (without the program name).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, today: func() rules.Date { return rules.DateOf(time.Now()) }, now: time.Now}
	return e.run(ctx, args)
}

func (e *env) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return &exitError{code: 2}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "eval":
		return e.eval(ctx, rest)
	case "loan":
		return e.loan(ctx, rest)
	case "diff":
		return e.diff(ctx, rest)
	case "check":
		return e.check(rest)
	case "test":
		return e.test(ctx, rest)
	case "explain":
		return e.explain(ctx, rest)
	case "weekly":
		return e.weekly(ctx, rest)
	case "ledger":
		return e.ledgerCmd(ctx, rest)
	case "serve":
		return e.serve(ctx, rest)
	case "version":
		return e.version(rest)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	return usageError("unknown command %q", cmd)
}

// flags returns a flag set that reports errors instead of exiting; its
// help (-h, --help) goes to stdout, after the command's usage line.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("fangpin "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		for _, l := range strings.Split(usage, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "fangpin "+name+" ") || strings.TrimSpace(l) == "fangpin "+name {
				fmt.Fprintf(e.stdout, "usage: %s\n", strings.TrimSpace(l))
			}
		}
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// helped maps errHelp to success: the help is printed.
func helped(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// errHelp is returned by parse for -h or --help: the command prints its
// help and exits 0.
var errHelp = errors.New("help requested")

// parse parses flags that may come before or after the positional
// arguments, which people type either way. For -h or --help it prints the
// flags on stdout and returns the arguments before it with errHelp.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return pos, errHelp
		} else if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

var extendsLine = regexp.MustCompile(`(?m)^extends\s*:`)

// isOverlay reports whether a rule file is an overlay (it has extends:).
func isOverlay(data []byte) bool { return extendsLine.Match(data) }

// loadPolicy loads the default policy with the overlay files given by
// --policy, or a policy file given there in place of the default.
func loadPolicy(files []string) (*rules.Set, error) {
	var base *rules.Source
	var overlays []rules.Source
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, usageError("cannot read policy file: %v", err)
		}
		src := rules.Source{Name: f, Data: data}
		switch {
		case isOverlay(data):
			overlays = append(overlays, src)
		case base == nil:
			base = &src
		default:
			return nil, usageError("%s: only one policy file may be given; the others must be overlays (extends:)", f)
		}
	}
	var set *rules.Set
	var err error
	if base == nil {
		set, err = policies.Load(overlays...)
	} else {
		set, err = rules.Compile(append([]rules.Source{*base}, overlays...)...)
	}
	if err != nil {
		var ds rules.Diagnostics
		if errors.As(err, &ds) {
			return nil, &exitError{code: 2, err: fmt.Errorf("invalid policy file:\n%s", strings.TrimRight(ds.String(), "\n"))}
		}
		return nil, &exitError{code: 2, err: err}
	}
	return set, nil
}

// ruleOn loads the policy with its overlays, finds rule id in it and reads
// the --on date: what eval and explain both start from.
func (e *env) ruleOn(policyFiles []string, id, on string) (*rules.Set, rules.RuleInfo, asOf, error) {
	set, err := loadPolicy(policyFiles)
	if err != nil {
		return nil, rules.RuleInfo{}, asOf{}, err
	}
	info, ok := set.Rule(id)
	if !ok {
		return nil, rules.RuleInfo{}, asOf{}, usageError("unknown rule %q (rules: %s)", id, strings.Join(set.RuleIDs(), ", "))
	}
	day, err := e.parseOn(on)
	if err != nil {
		return nil, rules.RuleInfo{}, asOf{}, err
	}
	return set, info, asOf{day: day, today: on == ""}, nil
}

// parseOn reads --on, or today when it is empty.
func (e *env) parseOn(s string) (rules.Date, error) {
	if s == "" {
		return e.today(), nil
	}
	d, err := rules.ParseDate(s)
	if err != nil {
		return rules.Date{}, usageError("--on: %v", err)
	}
	return d, nil
}

// version prints the module version and the SHA-256 of the default
// policy, so a run can be traced to the tool and the rules it used.
func (e *env) version(args []string) error {
	if _, err := parse(e.flags("version"), args); err != nil {
		return helped(err)
	}
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	set, err := policies.Load()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	m := set.Meta()
	fmt.Fprintf(e.stdout, "fangpin %s\npolicy %s %s sha256 %s\n", v, m.ID, m.Number, set.Hash())
	return nil
}
