package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/ruralrelief/fangpin/rules"
	"go.yaml.in/yaml/v3"
)

// paramHistory is a parameter with every value it has had, oldest first.
type paramHistory struct {
	Name   string             `json:"name"`
	Label  string             `json:"label"`
	Type   rules.Type         `json:"type"`
	Values []rules.ParamValue `json:"-"`
}

// parameterHistory lists every parameter of the policy with each dated
// value. The names and days are read from the files (the policy and its
// overlays, in order); each value, with its basis and where it is written,
// comes from the compiled policy, so an overlay's value shows where it
// replaces the policy's.
func parameterHistory(set *rules.Set, sources []rules.Source) ([]paramHistory, error) {
	var names []string
	days := map[string]map[rules.Date]bool{}
	for _, src := range sources {
		var doc struct {
			Parameters yaml.Node `yaml:"parameters"`
		}
		if err := yaml.Unmarshal(src.Data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %v", src.Name, err)
		}
		m := doc.Parameters
		if m.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			name := m.Content[i].Value
			if days[name] == nil {
				days[name] = map[rules.Date]bool{}
				names = append(names, name)
			}
			var p struct {
				Values []struct {
					From string `yaml:"from"`
				} `yaml:"values"`
			}
			if err := m.Content[i+1].Decode(&p); err != nil {
				return nil, fmt.Errorf("%s: parameter %s: %v", src.Name, name, err)
			}
			for _, v := range p.Values {
				if d, err := rules.ParseDate(v.From); err == nil {
					days[name][d] = true
				}
			}
		}
	}
	var out []paramHistory
	for _, name := range names {
		var ds []rules.Date
		for d := range days[name] {
			ds = append(ds, d)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
		h := paramHistory{Name: name}
		for _, d := range ds {
			v, err := set.Param(name, d)
			if err != nil {
				continue // a name the compiled policy does not have
			}
			h.Label, h.Type = v.Label, v.Type
			if n := len(h.Values); n > 0 && h.Values[n-1].From == v.From {
				continue
			}
			h.Values = append(h.Values, v)
		}
		if len(h.Values) > 0 {
			out = append(out, h)
		}
	}
	return out, nil
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
