package server

import (
	"bytes"
	"encoding/json"

	"github.com/ruralrelief/fangpin/rules"
)

// paramHistory is a parameter with every value it has had, oldest first.
type paramHistory struct {
	Name   string
	Label  string
	Type   rules.Type
	Values []rules.ParamValue
}

// parameterHistory lists every parameter of the policy, in the order the
// policy declares them, with each dated value as the compiled policy holds
// it: an overlay's value shows where it replaces the policy's, with its
// basis and where it is written.
func parameterHistory(set *rules.Set) []paramHistory {
	var out []paramHistory
	for _, name := range set.ParamNames() {
		vs := set.ParamValues(name)
		if len(vs) == 0 {
			continue
		}
		out = append(out, paramHistory{Name: name, Label: vs[0].Label, Type: vs[0].Type, Values: vs})
	}
	return out
}

// The shapes of GET /v1/rules and GET /v1/parameters.
type (
	policyJSON struct {
		ID     string     `json:"id"`
		Number string     `json:"number"`
		Title  string     `json:"title"`
		Issued rules.Date `json:"issued"`
		Files  []string   `json:"files"`
		SHA256 string     `json:"sha256"`
	}
	ruleJSON struct {
		ID      string       `json:"id"`
		Title   string       `json:"title"`
		Clause  string       `json:"clause"`
		Quote   string       `json:"quote"`
		InForce rules.Period `json:"in_force"`
		Inputs  []inputJSON  `json:"inputs"`
		Outputs []outputJSON `json:"outputs"`
		Reasons []string     `json:"reasons"`
	}
	inputJSON struct {
		Name    string     `json:"name"`
		Label   string     `json:"label"`
		Type    rules.Type `json:"type"`
		Allowed []string   `json:"allowed,omitempty"`
	}
	outputJSON struct {
		Name     string         `json:"name"`
		Label    string         `json:"label"`
		Rounding rules.Rounding `json:"rounding"`
	}
	paramJSON struct {
		Name   string      `json:"name"`
		Label  string      `json:"label"`
		Type   rules.Type  `json:"type"`
		Values []valueJSON `json:"values"`
	}
	valueJSON struct {
		From  rules.Date  `json:"from"`
		Value rules.Value `json:"value"` // null for "no value", such as no cap
		Basis string      `json:"basis"`
		File  string      `json:"file"`
		Line  int         `json:"line"`
	}
)

func (s *Server) policyInfo() policyJSON {
	m := s.set.Meta()
	return policyJSON{ID: m.ID, Number: m.Number, Title: m.Title, Issued: m.Issued, Files: s.set.Sources(), SHA256: s.set.Hash()}
}

// boolChoices are what a bool input accepts, as the rule files say.
var boolChoices = []string{"true", "false", "是", "否", "1", "0"}

func (s *Server) ruleCatalog() any {
	rs := make([]ruleJSON, 0, len(s.rules))
	for _, info := range s.rules {
		r := ruleJSON{ID: info.ID, Title: info.Title, Clause: info.Clause, Quote: info.Quote, InForce: info.InForce,
			Inputs: []inputJSON{{Name: rules.AsOf, Label: "判定日期", Type: rules.TypeDate}}, Reasons: info.Reasons}
		for _, in := range info.Inputs {
			allowed := in.Choices
			if in.Type == rules.TypeBool {
				allowed = boolChoices
			}
			r.Inputs = append(r.Inputs, inputJSON{Name: in.Name, Label: in.Label, Type: in.Type, Allowed: allowed})
		}
		for _, o := range info.Outputs {
			r.Outputs = append(r.Outputs, outputJSON{Name: o.Name, Label: o.Label, Rounding: o.Rounding})
		}
		rs = append(rs, r)
	}
	return struct {
		Policy policyJSON `json:"policy"`
		Rules  []ruleJSON `json:"rules"`
	}{s.policyInfo(), rs}
}

func (s *Server) parameterCatalog() any {
	ps := make([]paramJSON, 0, len(s.params))
	for _, h := range s.params {
		p := paramJSON{Name: h.Name, Label: h.Label, Type: h.Type}
		for _, v := range h.Values {
			p.Values = append(p.Values, valueJSON{From: v.From, Value: v.Value, Basis: v.Basis, File: v.Pos.File, Line: v.Pos.Line})
		}
		ps = append(ps, p)
	}
	return struct {
		Policy     policyJSON  `json:"policy"`
		Parameters []paramJSON `json:"parameters"`
	}{s.policyInfo(), ps}
}

// marshal writes v as JSON without escaping <, > and &, which the
// documents quote, and with a final newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
