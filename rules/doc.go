// Package rules evaluates policy rules written in YAML rule files, exactly,
// with the clause behind every figure.
//
// A rule file declares typed inputs, dated parameters, rules and test cases.
// A rule reads some inputs, names intermediate values (let), lists the
// requirements that must hold (each with a stable reason code and a Chinese
// message), and gives named outputs, each rounded as declared. [Compile] or
// [Load] reads the files, checks every expression against the declared names
// and types, and returns an immutable [Set]; every problem in every file is
// returned at once as [Diagnostics] with file:line:col. [Set.Eval] decides
// one rule on one [Input]:
//
//	set, err := rules.Load(os.DirFS("."), "grants.yaml")
//	if err != nil {
//		log.Fatal(err) // every diagnostic, with its position
//	}
//	res, err := set.Eval(ctx, "training-grant", rules.Input{
//		"as_of":            rules.Text("2021-09-01"),
//		"poverty_relieved": rules.Text("是"),
//		"monitored":        rules.Bool(false),
//		"disaster_affected": rules.Bool(true),
//		"certificate_tier": rules.Text("B类"),
//	})
//	// res.Pass == true, res.Output("amount") == 1800.00
//
// The package knows nothing of any particular policy: it could compute a
// parking fine as well as a training grant.
//
// # Expressions
//
// Expressions use expr's syntax (github.com/expr-lang/expr) over exact
// numbers. Every number literal is read from its source text as a decimal;
// money, decimal and int inputs are decimals; + - * % == != < <= > >= and
// `in` work on them exactly, so 0.1 + 0.2 == 0.3 and 2000.00 == 2000. A
// division gives an exact fraction, so 1 / 3 * 3 is exactly 1; it is rounded
// only where an output declares its rounding. Booleans use && || !, enums
// are strings ("A"), dates compare by day and are written date("2023-12-31").
// The functions are min, max, abs, round(x, places) and date. A parameter
// that may have no value (nullable) must be given a fallback with ??:
// min(cost, cap ?? cost). Method calls, field access, **, builtins such as
// sum, map or len, and anything else not listed here are rejected when the
// file is loaded, as is any expression whose type is not definite.
// Expressions are size-limited and run with a memory budget.
//
// # Effective dating
//
// A parameter lists values, each with the day it takes effect (from,
// inclusive) and its legal basis. A value is in force from its from day up
// to, not including, the next value's from day; a value with an until day
// stops after it (inclusive), and the parameter has no value until a later
// one starts ([Set.Expiring] finds what stops). A rule is in force from its
// in_force.from day through its in_force.until day, both inclusive. The
// as-of date of an evaluation is the input "as_of" (or [On]); the library
// never reads the clock. A rule not in force on that day gives a Result with
// Pass false and the reason "not-in-force"; a parameter with no value on
// that day is an error wrapping [ErrNoValue].
//
// # Rounding
//
// Each output declares places and a mode (half-up, half-even, down, up).
// Nothing is rounded anywhere else. Requirements compare exact values, never
// rounded ones.
//
// # Errors
//
// Not being eligible is not an error: it is a Result with Pass false and
// every failing requirement in Reasons, in declared order. An input that is
// missing or cannot be read is an [*InputError] naming the field, wrapping
// [ErrMissing] or [ErrInvalid]. Anything else that stops a decision is an
// [*EvalError]. Nothing panics across the package boundary.
//
// # Explanations
//
// Every Result carries an [Explanation]: the policy and the SHA-256 of its
// files, the rule and its clause, the as-of date, each input, each parameter
// with its value and the day it took effect, each intermediate value, each
// requirement and whether it held, and each output before and after
// rounding. [Explanation.WriteText] renders it in Chinese;
// [Explanation.WriteJSON] as JSON with decimals as strings.
//
// # Overlays
//
// An overlay is a rule file with `extends: <policy id>` and parameter values
// only. Its values are merged into the policy's by date: a value with the same
// from day replaces the policy's, others are added. It cannot change inputs,
// rules or expressions. This is how a county sets its own cap.
//
// # Tests in rule files
//
// A rule file may carry test cases (name, rule, on, input, want); [Set.Test]
// runs them and reports each failure with the case's name and position.
//
// # Concurrency
//
// A Set is immutable after loading and safe for concurrent use; each
// evaluation has a frame of its own.
//
// # Evaluation
//
// Loading compiles every expression to Go closures over numbered, typed
// slots: inputs are bound into their slots by index, parameter values are
// converted when the file is loaded, and numbers are exact fractions held
// in two int64s while they fit and in big integers when they do not, so an
// answer is never wrong because a value grew. Division is exact (1 / 3 * 3
// is 1); rounding happens only where an output declares it.
//
// Evaluation is bounded: every exact value's numerator and denominator is
// limited to 2048 bits ([ErrTooLarge]), a decision has a budget of steps
// ([WithBudget], [ErrBudget]), and the context is checked between steps.
// A failure names the expression and the position in the rule file.
package rules
