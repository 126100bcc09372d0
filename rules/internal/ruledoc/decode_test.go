package ruledoc

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// everySection is a rule file with every key the decoder reads.
const everySection = `policy:
  id: p
  number: 第1号
  title: 办法
  issuer: 省厅
  issued: "2024-01-01"
  source: https://example.org
inputs:
  tier:
    type: enum
    label: 类别
    values: [A, B]
    aliases: {甲: A}
    min: "0"
    max: "9"
    above: "-1"
    description: 说明
parameters:
  cap:
    type: money
    label: 上限
    nullable: true
    values:
      - {from: "2024-01-01", until: "2024-12-31", value: "1.00", basis: 第一条}
rules:
  r:
    title: 补贴
    basis: {clause: 第二条, quote: 原文}
    in_force: {from: "2024-01-01", until: "2025-12-31"}
    inputs: [tier]
    let:
      x: cap ?? 1
    requirements:
      - {code: listed, when: tier == "A", message: 不在名单}
    outputs:
      amount: {expr: x, label: 金额, round: {places: 2, mode: half-up}, on_fail: keep}
    across:
      amount: amount
      once: {per: [tier], within: batch, code: twice, message: 重复}
      cap: {input: tier, counts: amount, limit: cap, code: over, message: 超过, note: {code: capped, message: 封顶}}
tests:
  - name: t
    rule: r
    on: "2024-06-01"
    parameters: {cap: "2.00"}
    input: {tier: A}
    want: {pass: true, amount: "1.00", reasons: [listed]}
`

// TestParseEverySection reads each key of a full rule file into its field,
// with its position.
func TestParseEverySection(t *testing.T) {
	f, problems := Parse([]byte(everySection))
	require.Empty(t, problems)
	assert.Equal(t, Meta{
		ID:     Scalar{Value: "p", Pos: Pos{2, 7}, Set: true, Tag: "!!str", Block: -1},
		Number: Scalar{Value: "第1号", Pos: Pos{3, 11}, Set: true, Tag: "!!str", Block: -1},
		Title:  Scalar{Value: "办法", Pos: Pos{4, 10}, Set: true, Tag: "!!str", Block: -1},
		Issuer: Scalar{Value: "省厅", Pos: Pos{5, 11}, Set: true, Tag: "!!str", Block: -1},
		Issued: Scalar{Value: "2024-01-01", Pos: Pos{6, 11}, Set: true, Quoted: true, Tag: "!!str", Block: -1},
		Source: Scalar{Value: "https://example.org", Pos: Pos{7, 11}, Set: true, Tag: "!!str", Block: -1},
		Pos:    Pos{2, 3},
	}, f.Policy)

	require.Len(t, f.Inputs, 1)
	in := f.Inputs[0]
	assert.Equal(t, Pos{9, 3}, in.Pos)
	assert.Equal(t, []string{"tier", "enum", "类别", "0", "9", "-1", "说明"},
		[]string{in.Name.Value, in.Type.Value, in.Label.Value, in.Min.Value, in.Max.Value, in.Above.Value, in.Description.Value})
	require.Len(t, in.Values, 2)
	assert.Equal(t, Pos{12, 17}, in.Values[1].Pos)
	require.Len(t, in.Aliases, 1)
	assert.Equal(t, "甲", in.Aliases[0].Key.Value)
	assert.Equal(t, Pos{13, 18}, in.Aliases[0].Value.Pos)

	require.Len(t, f.Parameters, 1)
	p := f.Parameters[0]
	assert.Equal(t, []string{"cap", "money", "上限", "true"}, []string{p.Name.Value, p.Type.Value, p.Label.Value, p.Nullable.Value})
	require.Len(t, p.Values, 1)
	v := p.Values[0]
	assert.Equal(t, []string{"2024-01-01", "2024-12-31", "1.00", "第一条"}, []string{v.From.Value, v.Until.Value, v.Value.Value, v.Basis.Value})
	assert.Equal(t, Pos{24, 9}, v.Pos)

	require.Len(t, f.Rules, 1)
	r := f.Rules[0]
	assert.Equal(t, []string{"r", "补贴", "第二条", "原文", "2024-01-01", "2025-12-31"},
		[]string{r.ID.Value, r.Title.Value, r.Clause.Value, r.Quote.Value, r.From.Value, r.Until.Value})
	require.Len(t, r.Inputs, 1)
	assert.Equal(t, Pos{30, 14}, r.Inputs[0].Pos)
	require.Len(t, r.Lets, 1)
	assert.Equal(t, "x", r.Lets[0].Name.Value)
	assert.Equal(t, Scalar{Value: "cap ?? 1", Pos: Pos{32, 10}, Set: true, Tag: "!!str", Block: -1}, r.Lets[0].Expr)
	require.Len(t, r.Requirements, 1)
	assert.Equal(t, Requirement{
		Code:    Scalar{Value: "listed", Pos: Pos{34, 16}, Set: true, Tag: "!!str", Block: -1},
		When:    Scalar{Value: `tier == "A"`, Pos: Pos{34, 30}, Set: true, Tag: "!!str", Block: -1},
		Message: Scalar{Value: "不在名单", Pos: Pos{34, 52}, Set: true, Tag: "!!str", Block: -1},
		Pos:     Pos{34, 9},
	}, r.Requirements[0])
	require.Len(t, r.Outputs, 1)
	o := r.Outputs[0]
	assert.Equal(t, []string{"amount", "x", "金额", "2", "half-up", "keep"},
		[]string{o.Name.Value, o.Expr.Value, o.Label.Value, o.Places.Value, o.Mode.Value, o.OnFail.Value})
	assert.Equal(t, Pos{36, 7}, o.Pos)

	a := r.Across
	assert.True(t, a.Set)
	assert.Equal(t, Pos{38, 7}, a.Pos)
	assert.Equal(t, "amount", a.Amount.Value)
	require.NotNil(t, a.Once)
	require.Len(t, a.Once.Per, 1)
	assert.Equal(t, []string{"tier", "batch", "twice", "重复"}, []string{a.Once.Per[0].Value, a.Once.Within.Value, a.Once.Code.Value, a.Once.Message.Value})
	assert.Equal(t, Pos{39, 13}, a.Once.Pos)
	require.NotNil(t, a.Cap)
	c := a.Cap
	assert.Equal(t, []string{"tier", "amount", "cap", "over", "超过", "capped", "封顶"},
		[]string{c.Input.Value, c.Counts.Value, c.Limit.Value, c.Code.Value, c.Message.Value, c.NoteCode.Value, c.NoteMessage.Value})
	assert.Equal(t, Pos{40, 12}, c.Pos)

	require.Len(t, f.Tests, 1)
	tc := f.Tests[0]
	assert.Equal(t, []string{"t", "r", "2024-06-01"}, []string{tc.Name.Value, tc.Rule.Value, tc.On.Value})
	assert.Equal(t, Pos{42, 5}, tc.Pos)
	require.Len(t, tc.Parameters, 1)
	assert.Equal(t, "2.00", tc.Parameters[0].Value.Value)
	require.Len(t, tc.Input, 1)
	assert.Equal(t, Pair{Key: Scalar{Value: "tier", Pos: Pos{46, 13}, Set: true, Tag: "!!str", Block: -1}, Value: Scalar{Value: "A", Pos: Pos{46, 19}, Set: true, Tag: "!!str", Block: -1}}, tc.Input[0])
	assert.True(t, tc.HasReasons)
	require.Len(t, tc.WantReasons, 1)
	assert.Equal(t, Pos{47, 50}, tc.WantReasons[0].Pos)
	require.Len(t, tc.Want, 2)
	assert.Equal(t, []string{"pass", "true", "amount", "1.00"}, []string{tc.Want[0].Key.Value, tc.Want[0].Value.Value, tc.Want[1].Key.Value, tc.Want[1].Value.Value})
}

// TestAbsentKeysPointAtTheirMapping checks what an absent key decodes to:
// not set, no block, at the position of the mapping it is missing from.
func TestAbsentKeysPointAtTheirMapping(t *testing.T) {
	f, problems := Parse([]byte("policy:\n  id: p\n  title: t\n"))
	require.Empty(t, problems)
	assert.Equal(t, Scalar{Pos: Pos{2, 3}, Block: -1}, f.Policy.Number)
	assert.Equal(t, Scalar{Block: -1}, f.Extends)
	assert.False(t, f.HasRules)
	assert.False(t, f.HasInputs)
}

// TestBadShapes checks the problem reported for a value of the wrong shape
// in each place, and that a mapping of the wrong shape is not also
// reported as missing its keys.
func TestBadShapes(t *testing.T) {
	tests := []struct {
		name, src string
		want      []Problem
	}{
		{"a file that is a list", "- a\n- b\n", []Problem{{Pos{1, 1}, "bad-shape", "the file must be a mapping of keys to values"}}},
		{"a policy that is a number", "policy: 5\n", []Problem{{Pos{1, 9}, "bad-shape", "policy must be a mapping of keys to values"}}},
		{"inputs as a list", "inputs: [a]\n", []Problem{{Pos{1, 9}, "bad-shape", "inputs must be a mapping"}}},
		{"tests as a mapping", "tests: {a: 1}\n", []Problem{{Pos{1, 8}, "bad-shape", "tests must be a list"}}},
		{"a title that is a list", "policy: {id: p, title: [x]}\n", []Problem{{Pos{1, 24}, "bad-shape", "policy title must be a single value"}}},
		{"rule inputs as a mapping", "rules:\n  r:\n    title: t\n    basis: {clause: c, quote: q}\n    in_force: {from: \"2024-01-01\"}\n    inputs: {a: 1}\n    outputs: {}\n",
			[]Problem{{Pos{6, 13}, "bad-shape", `rule "r" inputs must be a list`}}},
		{"parameter values as a scalar", "parameters:\n  p: {values: x}\n", []Problem{{Pos{2, 15}, "bad-shape", `parameter "p" values must be a list`}}},
		{"a missing title and id", "policy: {number: n}\n", []Problem{{Pos{1, 9}, "missing-key", `policy has no "id"`}, {Pos{1, 9}, "missing-key", `policy has no "title"`}}},
		{"an empty file", "", []Problem{{Pos{1, 1}, "empty-file", "file is empty"}}},
		{"a comment only", "# nothing\n", []Problem{{Pos{1, 1}, "empty-file", "file is empty"}}},
		{"a duplicate rule", "rules:\n  r: {}\n  r: {}\n", []Problem{{Pos{3, 3}, "duplicate-key", `rules has key "r" twice`}, {Pos{2, 6}, "missing-key", `rule "r" has no "title"`}, {Pos{2, 6}, "missing-key", `rule "r" has no "basis"`}, {Pos{2, 6}, "missing-key", `rule "r" has no "in_force"`}, {Pos{2, 6}, "missing-key", `rule "r" has no "inputs"`}, {Pos{2, 6}, "missing-key", `rule "r" has no "outputs"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := Parse([]byte(tt.src))
			assert.Equal(t, tt.want, problems)
		})
	}
}

// TestValueOfTheWrongShape: a value that should be single but is not is
// set, at its place, with no text and no block.
func TestValueOfTheWrongShape(t *testing.T) {
	f, _ := Parse([]byte("policy: {id: p, title: [x]}\n"))
	assert.Equal(t, Scalar{Pos: Pos{1, 24}, Set: true, Block: -1}, f.Policy.Title)
}

func TestNullMappingIsEmpty(t *testing.T) {
	f, problems := Parse([]byte("inputs: ~\nparameters: null\n"))
	require.Empty(t, problems)
	assert.True(t, f.HasInputs)
	assert.Equal(t, Pos{1, 9}, f.InputsPos)
	assert.Empty(t, f.Inputs)
	assert.Empty(t, f.Parameters)
}

// TestAliasesAreFollowed reads a YAML alias as the node it names.
func TestAliasesAreFollowed(t *testing.T) {
	f, problems := Parse([]byte("inputs:\n  a: &x {type: bool, label: L}\n  b: *x\n  c: {type: &t enum, label: M, values: &v [A]}\n  d: {type: *t, label: N, values: *v}\n"))
	require.Empty(t, problems)
	require.Len(t, f.Inputs, 4)
	b := f.Inputs[1]
	assert.Equal(t, "b", b.Name.Value)
	assert.Equal(t, Scalar{Value: "bool", Pos: Pos{2, 16}, Set: true, Tag: "!!str", Block: -1}, b.Type)
	assert.Equal(t, "L", b.Label.Value)
	require.Len(t, f.Inputs[3].Values, 1)
	assert.Equal(t, "A", f.Inputs[3].Values[0].Value)
}

// TestOverlaySections reads an overlay: its parameters and tests, and
// only the presence and place of the sections it may not hold.
func TestOverlaySections(t *testing.T) {
	f, problems := Parse([]byte("extends: base\nrules: {r: 1}\ninputs: {}\npolicy: {id: x}\nparameters: {p: {values: []}}\ntests: []\n"))
	require.Empty(t, problems)
	assert.Equal(t, "base", f.Extends.Value)
	assert.True(t, f.HasRules)
	assert.True(t, f.HasInputs)
	assert.Equal(t, Pos{2, 8}, f.RulesPos)
	assert.Equal(t, Pos{3, 9}, f.InputsPos)
	assert.Equal(t, Pos{4, 9}, f.Policy.Pos)
	assert.True(t, f.Policy.ID.Set)
	assert.Empty(t, f.Rules)
	require.Len(t, f.Parameters, 1)
	assert.Equal(t, "p", f.Parameters[0].Name.Value)

	f, problems = Parse([]byte("extends: base\nparameters: {}\n"))
	require.Empty(t, problems)
	assert.False(t, f.HasRules)
	assert.False(t, f.HasInputs)
	assert.False(t, f.Policy.ID.Set)
}

func TestSyntaxProblems(t *testing.T) {
	tests := []struct{ src, msg string }{
		{"policy:\n  id: [\n", "did not find expected node content"},
		{"a: b: c\n", "mapping values are not allowed in this context"},
		{"x: [1, 2\n", "did not find expected ',' or ']'"},
		{"a:\n  b: 1\n c: 2\n", "did not find expected key"},
	}
	lines := []int{2, 1, 1, 2}
	for i, tt := range tests {
		_, problems := Parse([]byte(tt.src))
		assert.Equal(t, []Problem{{Pos{lines[i], 1}, "yaml-syntax", tt.msg}}, problems, "%q", tt.src)
	}
	assert.Equal(t, Problem{Pos{3, 1}, "yaml-syntax", "cannot unmarshal !!seq into string"},
		syntaxProblem(&yaml.TypeError{Errors: []string{"line 3: cannot unmarshal !!seq into string"}}))
	assert.Equal(t, Problem{Pos{1, 1}, "yaml-syntax", "no line here"}, syntaxProblem(errors.New("yaml: no line here")))
	assert.Equal(t, Problem{Pos{1, 1}, "yaml-syntax", "unmarshal errors:\n  "}, syntaxProblem(&yaml.TypeError{}), "a type error without errors: its own text")
	long := strings.Repeat("x", 300)
	assert.Equal(t, Problem{Pos{1, 1}, "yaml-syntax", strings.Repeat("x", 240) + "… (300 characters)"}, syntaxProblem(errors.New(long)))
}

// TestBlockScalarIndent finds the indentation of a block scalar's text
// past blank lines, and 0 for a block with no text at the end of a file.
func TestBlockScalarIndent(t *testing.T) {
	f, problems := Parse([]byte("policy:\n  id: |\n\n      text\n  title: >\n    folded\n"))
	require.Empty(t, problems)
	assert.Equal(t, 6, f.Policy.ID.Block)
	assert.Equal(t, Pos{4, 9}, f.Policy.ID.At(2, 3), "the third character of the block's second line")
	assert.Equal(t, 4, f.Policy.Title.Block)
	f, problems = Parse([]byte("policy:\n  id: x\n  title: |"))
	require.Empty(t, problems)
	assert.Equal(t, 0, f.Policy.Title.Block)
	assert.Equal(t, Pos{4, 2}, f.Policy.Title.At(1, 2), "a block at indentation 0")
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"abc", "abc", 0}, {"abc", "abd", 1},
		{"ab", "ba", 2}, {"kitten", "sitting", 3}, {"比例", "比列", 1}, {"a", "ab", 1}, {"ab", "a", 1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, distance([]rune(tt.a), []rune(tt.b)), "distance(%q, %q)", tt.a, tt.b)
	}
}

// TestClosestEdges: the first of two names at the same distance wins, and
// names of exactly 64 characters (256 bytes) are still compared.
func TestClosestEdges(t *testing.T) {
	assert.Equal(t, "ac", Closest("ab", []string{"ac", "ad"}))
	assert.Equal(t, "ad", Closest("ab", []string{"xyz", "ad", "ac"}))
	assert.Equal(t, "ab", Closest("ab", []string{"ac", "ab", "ad"}))
	n64 := strings.Repeat("n", 64)
	assert.Equal(t, n64, Closest(strings.Repeat("n", 63), []string{n64}))
	assert.Equal(t, strings.Repeat("n", 63), Closest(n64, []string{strings.Repeat("n", 63)}))
	wide := strings.Repeat("𠀀", 64) // 4 bytes each
	assert.Equal(t, wide, Closest(strings.Repeat("𠀀", 63)+"a", []string{wide}))
	assert.Equal(t, "", Closest(wide+"𠀀", []string{wide}))
}

func TestClipAtItsLimits(t *testing.T) {
	wide := strings.Repeat("长", 240) // 720 bytes, 240 characters: whole
	assert.Equal(t, wide, fmt.Sprintf("%s", Clip(wide)))
	assert.Equal(t, strings.Repeat("长", 240)+"… (241 characters)", fmt.Sprintf("%v", Clip(wide+"长")))
	forty := strings.Repeat("x", 40)
	args := []any{forty, forty + "x"}
	got := ClipArgs(args)
	assert.Equal(t, []any{forty, Clip(forty + "x")}, got, "a string of 40 characters is passed as it is")
}
