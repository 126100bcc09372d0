package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ruralrelief/fangpin/rules"
)

// explain decides one rule on values given with --set and prints the
// decision explained in Chinese (or as JSON with --json).
func (e *env) explain(ctx context.Context, args []string) error {
	fs := e.flags("explain")
	var sets, policyFiles multi
	fs.Var(&sets, "set", "an input as name=value (the name or its Chinese label); repeatable")
	fs.Var(&policyFiles, "policy", "an overlay or policy file; repeatable")
	on := fs.String("on", "", "the as-of date, YYYY-MM-DD (default: today)")
	asJSON := fs.Bool("json", false, "print the explanation as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return helped(err)
	}
	if len(pos) != 1 {
		return usageError("explain takes one rule id, got %d arguments", len(pos))
	}
	set, info, day, err := e.ruleOn(policyFiles, pos[0], *on)
	if err != nil {
		return err
	}
	in := rules.Input{}
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usageError("--set %q: want name=value", kv)
		}
		name, ok := info.Field(strings.TrimSpace(k))
		if !ok {
			return usageError("--set %q: rule %s has no input %q", kv, info.ID, k)
		}
		in[name] = rules.Text(v)
	}
	res, err := set.Eval(ctx, info.ID, in, rules.On(day.day))
	if err != nil {
		var ie *rules.InputError
		if errors.As(err, &ie) {
			return usageError("%v (give it with --set %s=…)", err, ie.Field)
		}
		return &exitError{code: 2, err: err}
	}
	if *asJSON {
		return res.Explanation().WriteJSON(e.stdout)
	}
	ex := res.Explanation()
	if err := ex.WriteText(e.stdout); err != nil {
		return err
	}
	for _, r := range res.Reasons {
		fmt.Fprintf(e.stdout, "不符合原因：%s（%s，%s）\n", r.Message, r.Code, r.Clause)
	}
	return nil
}
