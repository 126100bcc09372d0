// Service is a minimal decision service built on fangpin's typed API: the
// code to copy when a county's system or a bank's must decide claims.
//
// It reads claims as JSON lines on stdin, one object a line, named by the
// rule that decides them, and writes one decision a line on stdout, in the
// same order, each the one JSON object of a decision (docs/json.md):
//
//	{"rule": "training-grant", "id": "4113…", "poverty_relieved": true, "disaster_affected": true, "certificate_tier": "B类", "as_of": "2021-09-01"}
//	{"rule": "work-training-subsidy", "id": "4113…", "monitored": true, "disaster_affected": true, "months": 7, "as_of": "2021-10-01"}
//	{"rule": "work-relief-labour-share", "fiscal_funds": "1000000.00", "labour_remuneration": "149999.99", "as_of": "2021-11-01"}
//	{"rule": "microloan-interest-subsidy", "id": "L001", "poverty_relieved": true, "principal": "50000.00", "annual_rate": "0.0385", "start": "2021-09-01", "maturity": "2022-09-01", "as_of": "2021-10-15"}
//
// Amounts are read from their text, never as floats. A claim that cannot be
// decided is written as a decision with "pass": null and "error": {field,
// message}; the others go on. With -policy, a county's overlay applies to
// every claim:
//
//	go run ./examples/service -policy examples/overlays/county.yaml < claims.jsonl
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
)

// maxLine bounds one claim: nothing read from outside is unbounded.
const maxLine = 1 << 20

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

// claim is every field a claim may have; its rule says which are read.
type claim struct {
	Rule             string     `json:"rule"`
	ID               string     `json:"id"`
	AsOf             rules.Date `json:"as_of"`
	PovertyRelieved  bool       `json:"poverty_relieved"`
	Monitored        bool       `json:"monitored"`
	DisasterAffected bool       `json:"disaster_affected"`
	// training-grant, work-training-subsidy
	Tier   string `json:"certificate_tier"`
	Months int    `json:"months"`
	// work-relief-labour-share
	FiscalFunds        decimal.Decimal `json:"fiscal_funds"`
	LabourRemuneration decimal.Decimal `json:"labour_remuneration"`
	// microloan-interest-subsidy
	Principal  decimal.Decimal  `json:"principal"`
	AnnualRate decimal.Decimal  `json:"annual_rate"`
	Start      rules.Date       `json:"start"`
	Maturity   rules.Date       `json:"maturity"`
	Repayments []loan.Repayment `json:"repayments"`
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	flags := flag.NewFlagSet("service", flag.ContinueOnError)
	overlay := flags.String("policy", "", "a county's overlay on the default policy (YAML)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	// Load the policy once, with its overlay, and give the same set to
	// every calculator.
	var sources []rules.Source
	if *overlay != "" {
		data, err := os.ReadFile(*overlay)
		if err != nil {
			return err
		}
		sources = append(sources, rules.Source{Name: *overlay, Data: data})
	}
	set, err := policies.Load(sources...)
	if err != nil {
		return err // rules.Diagnostics: every problem of the overlay, with file:line:col
	}
	grants, err := subsidy.New(subsidy.WithPolicy(set))
	if err != nil {
		return err
	}
	loans, err := loan.New(loan.WithPolicy(set))
	if err != nil {
		return err
	}

	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64*1024), maxLine)
	out := bufio.NewWriter(stdout)
	for n := 1; in.Scan(); n++ {
		if len(bytes.TrimSpace(in.Bytes())) == 0 {
			continue
		}
		var c claim
		dec := json.NewDecoder(bytes.NewReader(in.Bytes()))
		dec.DisallowUnknownFields()
		err := dec.Decode(&c)
		var line []byte
		if err == nil {
			line, err = decide(ctx, grants, loans, c, rules.JSONOptions{ID: c.ID, Policy: set})
		} else {
			err = readError(n, err)
		}
		if err != nil {
			// Not decided: the same JSON object, with pass null and the error.
			line = rules.AppendJSON(nil, rules.Result{Rule: c.Rule}, err, rules.JSONOptions{ID: c.ID, Policy: set})
		}
		out.Write(append(line, '\n'))
	}
	if err := in.Err(); err != nil {
		_ = out.Flush() // the decisions so far go out; the read error is the one to report
		return fmt.Errorf("reading claims: %v", err)
	}
	return out.Flush()
}

// decide decides one claim with the typed API and returns its decision as
// JSON. An error means the claim could not be decided.
func decide(ctx context.Context, grants *subsidy.Calculator, loans *loan.Calculator, c claim, o rules.JSONOptions) ([]byte, error) {
	person := subsidy.Person{ID: c.ID, PovertyRelieved: c.PovertyRelieved, Monitored: c.Monitored, DisasterAffected: c.DisasterAffected}
	switch c.Rule {
	case subsidy.RuleTrainingGrant:
		tier, err := subsidy.ParseTier(c.Tier)
		if err != nil {
			return nil, err
		}
		d, err := grants.TrainingGrant(ctx, subsidy.TrainingApplication{Person: person, Tier: tier, AsOf: c.AsOf})
		if err != nil {
			return nil, err
		}
		return d.AppendJSON(nil, o), nil
	case subsidy.RuleWorkTraining:
		d, err := grants.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: person, Months: c.Months, AsOf: c.AsOf})
		if err != nil {
			return nil, err
		}
		return d.AppendJSON(nil, o), nil
	case subsidy.RuleLabourShare:
		a, err := grants.LabourShareAudit(ctx, subsidy.WorkReliefProject{ID: c.ID,
			FiscalFunds: c.FiscalFunds, LabourRemuneration: c.LabourRemuneration, AsOf: c.AsOf})
		if err != nil {
			return nil, err
		}
		return a.AppendJSON(nil, o), nil
	case loan.Rule:
		l := loan.Loan{ID: c.ID, PovertyRelieved: c.PovertyRelieved, Monitored: c.Monitored, Principal: c.Principal,
			AnnualRate: c.AnnualRate, Start: c.Start, Maturity: c.Maturity, Repayments: c.Repayments}
		var d loan.Decision
		var err error
		if c.AsOf.IsZero() {
			d, err = loans.Subsidy(ctx, l) // the whole loan, to repayment or maturity
		} else {
			d, err = loans.SubsidyAsOf(ctx, l, c.AsOf) // accrued so far
		}
		if err != nil {
			return nil, err
		}
		return json.Marshal(d)
	}
	return nil, fmt.Errorf("unknown rule %q: want %s, %s, %s or %s", c.Rule,
		subsidy.RuleTrainingGrant, subsidy.RuleWorkTraining, subsidy.RuleLabourShare, loan.Rule)
}

// fieldError is a claim's field that cannot be read; its InputField
// method lets rules.ProblemOf name the field in the "error" object.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string      { return e.err.Error() }
func (e *fieldError) InputField() string { return e.field }

// readError names the line, and the field when JSON says which one.
func readError(n int, err error) error {
	msg := fmt.Errorf("line %d: %v", n, err)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &fieldError{field: te.Field, err: msg}
	}
	return msg
}
