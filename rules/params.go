package rules

// ParamNames returns the names of the policy's parameters in the order the
// policy file declares them.
func (s *Set) ParamNames() []string { return append([]string(nil), s.paramOrder...) }

// ParamValues returns every dated value of the parameter name, oldest
// first, as the policy and its overlays set them: each value is in force
// from its From up to, but not including, the next one's. A value an
// overlay replaces is the overlay's, with its basis and position. It
// returns nil for a name the policy does not have.
func (s *Set) ParamValues(name string) []ParamValue {
	p, ok := s.params[name]
	if !ok {
		return nil
	}
	out := make([]ParamValue, len(p.values))
	for i, v := range p.values {
		out[i] = ParamValue{Name: p.name, Label: p.label, Type: p.typ, Value: v.v, None: v.v.IsZero(),
			From: v.from, Basis: v.basis, Pos: v.pos}
	}
	return out
}
