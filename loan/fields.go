package loan

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ruralrelief/fangpin/rules"
)

// Field is a loan field as it appears in input files: its English name
// and the Chinese label accepted as a column header in its place.
type Field struct {
	Name     string // the English name, such as annual_rate
	Label    string // the Chinese label, such as 年利率
	Required bool   // a loan without it cannot be read
}

// Fields returns the loan fields [Parse] reads, in the order of a sample
// sheet:
//
//	id 编号, poverty_relieved 脱贫人口, monitored 监测对象, principal 贷款金额,
//	annual_rate 年利率, start 放款日期, maturity 到期日期, repaid_on 还清日期,
//	repayments 还款记录, extended_to 展期到期日, extension_rate 展期年利率,
//	renews 续贷原贷款编号
func Fields() []Field {
	return []Field{
		{"id", "编号", false}, {"poverty_relieved", "脱贫人口", true}, {"monitored", "监测对象", true},
		{"principal", "贷款金额", true}, {"annual_rate", "年利率", true}, {"start", "放款日期", true},
		{"maturity", "到期日期", true}, {"repaid_on", "还清日期", false}, {"repayments", "还款记录", false},
		{"extended_to", "展期到期日", false}, {"extension_rate", "展期年利率", false}, {"renews", "续贷原贷款编号", false},
	}
}

// Parse reads a loan from its fields as text, such as a row of a sheet:
// text(name) returns the text of the field with that English name, "" if
// it is empty or absent. Booleans are true/false, 是/否 or 1/0; money is
// plain digits with at most 2 decimal places; the rates are fractions
// (0.0385); dates are YYYY-MM-DD. repaid_on is the day the whole principal
// was repaid; repayments lists partial repayments as
// "YYYY-MM-DD:amount;YYYY-MM-DD:amount" or, as a JSONL file nests them,
// as the JSON list [{"date": "YYYY-MM-DD", "amount": "1000.00"}] (give
// repaid_on or repayments, not both). An
// extension_rate needs extended_to. The loan is validated; an error is a
// *[FieldError] naming the field.
func Parse(text func(name string) string) (Loan, error) {
	get := func(name string) string { return strings.TrimSpace(text(name)) }
	l := Loan{ID: get("id"), Renews: get("renews")}
	fail := func(field string, err error) (Loan, error) {
		return Loan{}, &FieldError{Loan: l.ID, Field: field, Err: err}
	}
	fields := []struct {
		name     string
		typ      rules.Type
		optional bool
		set      func(rules.Value)
	}{
		{"poverty_relieved", rules.TypeBool, false, func(v rules.Value) { l.PovertyRelieved = v.Bool() }},
		{"monitored", rules.TypeBool, false, func(v rules.Value) { l.Monitored = v.Bool() }},
		{"principal", rules.TypeMoney, false, func(v rules.Value) { l.Principal = v.Decimal() }},
		{"annual_rate", rules.TypeDecimal, false, func(v rules.Value) { l.AnnualRate = v.Decimal() }},
		{"start", rules.TypeDate, false, func(v rules.Value) { l.Start = v.Date() }},
		{"maturity", rules.TypeDate, false, func(v rules.Value) { l.Maturity = v.Date() }},
		{"repaid_on", rules.TypeDate, true, func(v rules.Value) {
			l.Repayments = []Repayment{{Date: v.Date(), Amount: l.Principal}}
		}},
		{"extended_to", rules.TypeDate, true, func(v rules.Value) { l.Extension = &Extension{To: v.Date()} }},
		{"extension_rate", rules.TypeDecimal, true, func(v rules.Value) {
			if l.Extension == nil {
				l.Extension = &Extension{}
			}
			l.Extension.Rate = v.Decimal()
		}},
	}
	for _, f := range fields {
		s := get(f.name)
		if s == "" && f.optional {
			continue
		}
		v, err := rules.ParseValue(f.typ, s)
		if err != nil {
			return fail(f.name, err)
		}
		f.set(v)
	}
	if l.Extension != nil && l.Extension.To.IsZero() {
		return fail("extension_rate", errors.New("an extension rate needs extended_to"))
	}
	if s := get("repayments"); s != "" {
		if l.Repayments != nil {
			return fail("repayments", errors.New("give repaid_on or repayments, not both"))
		}
		if strings.HasPrefix(s, "[") { // JSON, as a JSONL file nests it: [{"date": …, "amount": …}]
			dec := json.NewDecoder(strings.NewReader(s))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&l.Repayments); err != nil {
				return fail("repayments", fmt.Errorf("not a list of {\"date\", \"amount\"}: %v", err))
			}
			s = ""
		}
		for _, part := range strings.Split(s, ";") {
			if s == "" {
				break
			}
			ds, as, ok := strings.Cut(strings.TrimSpace(part), ":")
			if !ok {
				return fail("repayments", fmt.Errorf("%q: write each repayment as YYYY-MM-DD:amount", part))
			}
			day, err := rules.ParseValue(rules.TypeDate, ds)
			if err != nil {
				return fail("repayments", err)
			}
			amt, err := rules.ParseValue(rules.TypeMoney, as)
			if err != nil {
				return fail("repayments", err)
			}
			l.Repayments = append(l.Repayments, Repayment{Date: day.Date(), Amount: amt.Decimal()})
		}
	}
	if err := l.Validate(); err != nil {
		return Loan{}, err
	}
	return l, nil
}
