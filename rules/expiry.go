package rules

// Expiry is something a rule depends on that stops: the rule's in-force
// period, or the values of a parameter it uses. See [Set.Expiring].
type Expiry struct {
	// Rule is the rule's id, or "" for a parameter no rule's expressions
	// use (one a library reads itself, such as an interest rate).
	Rule string
	// Param is the parameter whose values stop, or "" when it is the
	// rule's in-force period that ends.
	Param string
	// Last is the last day in force (inclusive). With NoValue, it is the
	// day the parameter's values stopped, or zero if none has started yet.
	Last Date
	// NoValue reports that Param has no value on the day asked about
	// although the rule is in force then: the rule cannot be decided on
	// that day (evaluation fails with [ErrNoValue]).
	NoValue bool
	// Pos is where the value that stops is written (the rule, for its
	// in-force period; the parameter's last value, for NoValue).
	Pos Pos
}

// Expiring reports what stops on or before day through for the rules that
// are in force at some day from on through through: each rule whose
// in-force period ends by through, and each parameter a rule uses (in its
// expressions or its checks across records) whose values stop by through,
// with no later value taking over, before the rule itself ends. A
// parameter no rule uses is reported with Rule "". A rule in force on day
// on whose parameter has no value on that day is reported with NoValue.
// A rule whose period ended before on is reported too, with its last day.
// The result is in the policy's order of rules and parameters.
func (s *Set) Expiring(on, through Date) []Expiry {
	var out []Expiry
	used := map[*param]bool{}
	for _, id := range s.ruleOrder {
		r := s.rules[id]
		params := r.params
		if r.across != nil && r.across.cap != nil && !containsParam(params, r.across.cap.limit) {
			params = append(params[:len(params):len(params)], r.across.cap.limit)
		}
		for _, p := range params {
			used[p] = true
		}
		var ruleLast Date // zero: no end
		if !r.inForce.To.IsZero() {
			ruleLast = r.inForce.To.AddDays(-1)
			if !ruleLast.After(through) {
				out = append(out, Expiry{Rule: id, Last: ruleLast, Pos: r.pos})
			}
			if ruleLast.Before(on) {
				continue // ended: its parameters no longer matter
			}
		}
		if r.inForce.From.After(through) {
			continue // not yet in force
		}
		day := on
		if r.inForce.From.After(on) {
			day = r.inForce.From
		}
		for _, p := range params {
			last, ok := p.lastDay(day)
			switch {
			case !ok:
				end := p.lastEnd(day)
				out = append(out, Expiry{Rule: id, Param: p.name, Last: end, NoValue: true, Pos: p.valueEnding(end)})
			case !last.IsZero() && !last.After(through) && (ruleLast.IsZero() || last.Before(ruleLast)):
				out = append(out, Expiry{Rule: id, Param: p.name, Last: last, Pos: p.valueEnding(last)})
			}
		}
	}
	for _, name := range s.paramOrder {
		p := s.params[name]
		if used[p] || len(p.values) == 0 || on.Before(p.values[0].from) {
			continue
		}
		if last, ok := p.lastDay(on); !ok || (!last.IsZero() && !last.After(through)) {
			if !ok {
				last = p.lastEnd(on) // ended before on
			}
			out = append(out, Expiry{Param: name, Last: last, Pos: p.valueEnding(last)})
		}
	}
	return out
}

func containsParam(ps []*param, p *param) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// lastDay returns the last day of the run of values that holds on day on:
// values follow one another while each starts no later than the day after
// the one before ends. last is zero when the run has no end; ok is false
// when no value is in force on day on.
func (p *param) lastDay(on Date) (last Date, ok bool) {
	i := p.index(on)
	if i < 0 {
		return Date{}, false
	}
	for ; i+1 < len(p.values); i++ {
		// A value with no until is in force until the next one starts.
		if v := p.values[i]; !v.until.IsZero() && p.values[i+1].from.After(v.until.AddDays(1)) {
			return v.until, true
		}
	}
	return p.values[len(p.values)-1].until, true
}

// index returns the index of the value in force on day on, or -1.
func (p *param) index(on Date) int {
	for i := len(p.values) - 1; i >= 0; i-- {
		if v := p.values[i]; !on.Before(v.from) {
			if !v.until.IsZero() && on.After(v.until) {
				return -1
			}
			return i
		}
	}
	return -1
}

// lastEnd returns the until of the last value that starts on or before
// day on: when none is in force on on, the day the values stopped.
func (p *param) lastEnd(on Date) Date {
	for i := len(p.values) - 1; i >= 0; i-- {
		if !on.Before(p.values[i].from) {
			return p.values[i].until
		}
	}
	return Date{}
}

// valueEnding returns where the value whose until is last is written, or
// where the first value is when last is zero or no value ends then.
func (p *param) valueEnding(last Date) Pos {
	if len(p.values) == 0 {
		return Pos{}
	}
	for _, v := range p.values {
		if !last.IsZero() && v.until == last {
			return v.pos
		}
	}
	return p.values[0].pos
}
