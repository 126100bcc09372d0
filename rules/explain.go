package rules

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/shopspring/decimal"
)

// Explanation is the audit record of one decision: which rule and clause,
// on which date, from which inputs, with which parameter values (and the
// day each took effect), through which intermediate values, which
// requirements held, and how each output was rounded. It is plain data with
// JSON tags (decimals as strings); [Explanation.WriteText] renders it in
// Chinese.
type Explanation struct {
	Policy       string `json:"policy"`
	PolicyNumber string `json:"policy_number"`
	// PolicyHash is the SHA-256 of the policy file and its overlays.
	PolicyHash string `json:"policy_sha256"`
	Rule       string `json:"rule"`
	Title      string `json:"title"`
	Clause     string `json:"clause"`
	Quote      string `json:"quote"`
	AsOf       Date   `json:"as_of"`
	// InForce is the rule's period; InForceOnDate whether AsOf falls in it.
	InForce       Period     `json:"in_force"`
	InForceOnDate bool       `json:"in_force_on_date"`
	Pass          bool       `json:"pass"`
	Inputs        []Fact     `json:"inputs"`
	Parameters    []ParamUse `json:"parameters"`
	Values        []Fact     `json:"values"`
	Requirements  []Check    `json:"requirements"`
	Outputs       []Step     `json:"outputs"`
}

// Fact is a named input or intermediate value.
type Fact struct {
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
	Value Value  `json:"value"`
}

// ParamUse is a parameter a rule used, with the value in force on the
// as-of date.
type ParamUse struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Value Value  `json:"value"` // null when None
	None  bool   `json:"none"`
	From  Date   `json:"from"` // the day this value took effect
	Basis string `json:"basis"`
	Pos   Pos    `json:"pos"` // where the value is written (policy or overlay)
}

// Check is one requirement and whether it held.
type Check struct {
	Code      string `json:"code"`
	Condition string `json:"condition"`
	Message   string `json:"message"` // shown when it does not hold
	Held      bool   `json:"held"`
}

// Step is how one output was computed and rounded. Computed is false for an
// output set to zero because the rule did not pass.
type Step struct {
	Name     string          `json:"name"`
	Label    string          `json:"label"`
	Exact    Value           `json:"exact"`
	Value    decimal.Decimal `json:"value"`
	Rounding Rounding        `json:"rounding"`
	Computed bool            `json:"computed"`
}

// WriteJSON writes the explanation as indented JSON, with no HTML escaping
// (so "<=" stays readable), followed by a newline.
func (e Explanation) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(e)
}

// MarshalJSON writes the rounded value with exactly its declared places.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	return json.Marshal(struct {
		plain
		Value string `json:"value"`
	}{plain(s), s.Value.StringFixed(s.Rounding.Places)})
}

// WriteText writes the explanation in Chinese, for a caseworker or an
// applicant: the rule and its clause, each input, each parameter with the
// day it took effect, each intermediate value, each requirement and whether
// it held, and each output with its rounding.
func (e Explanation) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("规则：%s（%s）\n", e.Title, e.Rule)
	p("政策：%s %s\n", e.PolicyNumber, e.Policy)
	p("依据：%s「%s」\n", e.Clause, e.Quote)
	p("判定日期：%s（施行期 %s）\n", e.AsOf, e.InForce.text())
	p("政策文件 SHA-256：%s\n", e.PolicyHash)
	if len(e.Inputs) > 0 {
		p("输入：\n")
		for _, f := range e.Inputs {
			p("  %s（%s）= %s\n", f.Label, f.Name, show(f.Value))
		}
	}
	if !e.InForceOnDate {
		p("结论：不予认定（not-in-force）：判定日期不在本条规则的施行期内\n")
		return b.Flush()
	}
	if len(e.Parameters) > 0 {
		p("参数：\n")
		for _, u := range e.Parameters {
			v := show(u.Value)
			if u.None {
				v = "无（不设）"
			}
			p("  %s（%s）= %s，自 %s 起施行，依据：%s\n", u.Label, u.Name, v, u.From, u.Basis)
		}
	}
	if len(e.Values) > 0 {
		p("中间值：\n")
		for _, f := range e.Values {
			p("  %s = %s\n", f.Name, show(f.Value))
		}
	}
	if len(e.Requirements) > 0 {
		p("条件：\n")
		for _, c := range e.Requirements {
			if c.Held {
				p("  [成立]   %s\n", c.Condition)
			} else {
				p("  [不成立] %s —— %s：%s\n", c.Condition, c.Code, c.Message)
			}
		}
	}
	if e.Pass {
		p("结论：符合条件\n")
	} else {
		p("结论：不符合条件\n")
	}
	for _, s := range e.Outputs {
		fixed := s.Value.StringFixed(s.Rounding.Places)
		if !s.Computed {
			p("  %s（%s）= %s（不符合条件，不予计算）\n", s.Label, s.Name, fixed)
			continue
		}
		p("  %s（%s）= %s（精确值 %s，%s保留 %d 位小数）\n", s.Label, s.Name, fixed, s.Exact, modeNames[s.Rounding.Mode], s.Rounding.Places)
	}
	return b.Flush()
}

// show renders a value for people: booleans as 是/否.
func show(v Value) string {
	if v.kind == kindBool {
		if v.b {
			return "是"
		}
		return "否"
	}
	return v.String()
}
