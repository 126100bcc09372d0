package measures

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"go.yaml.in/yaml/v3"
)

// File is the name of the embedded registry in the policies package.
const File = "henan-2021-48.measures.yaml"

// Registry is the measures of a policy and the weekly table counties fill in.
type Registry struct {
	// Policy is the id of the policy the registry belongs to
	// (henan-2021-48).
	Policy   string
	Document Document  // the policy document
	Table    Table     // the weekly table counties send
	Measures []Measure // in number order
}

// Document describes the policy the measures come from.
type Document struct {
	Number string     // the document number, 豫办发电〔2021〕48号
	Title  string     // the document's title
	Issued rules.Date // the day it was issued
}

// Table describes the weekly dispatch table (周调度表).
type Table struct {
	// Title has "{county}" where the county's name goes.
	Title   string
	Source  string   // the notice that sets the table
	Columns []string // 序号, 政策措施, 牵头单位, 责任单位, 措施进度和成效, 备注
	// Due says when and to whom the table is sent, as the notice says it.
	Due            string
	Recipient      string   // who receives the table: 市乡村振兴局
	CityContacts   []string // the city's contact lines, as the notice prints them
	CountyContacts []string // the lines a county fills in with its own contact
	// Counties are the county-level units the table is sent to, as the
	// city's notice addresses them (唐河县, 邓州市, 宛城区).
	Counties []string
	// ReportDay and ReportAt are the weekday and time of day (China
	// Standard Time) the table is due each week.
	ReportDay time.Weekday
	ReportAt  time.Duration // since midnight
}

// TitleFor returns the table's title for a county: 唐河 or 唐河县 gives
// "唐河县（市区）…周调度表"; a name ending in 市 or 区 (邓州市, 宛城区) takes
// the place of 县.
func (t Table) TitleFor(county string) string {
	county = strings.TrimSpace(county)
	for _, suffix := range []string{"县", "市", "区"} {
		if strings.HasSuffix(county, suffix) {
			return strings.Replace(t.Title, "{county}县", county, 1)
		}
	}
	return strings.Replace(t.Title, "{county}", county, 1)
}

// Measure is one of the policy's measures.
type Measure struct {
	Number int    // 1 to 18, the policy's own numbering
	Title  string // the measure's title, which its text starts with
	// Text is the measure's full text, verbatim from the policy.
	Text string
	// Responsible lists the provincial units the policy makes responsible.
	Responsible []string
	// Row is the measure's row in the weekly table; nil if it has none.
	Row *Row
	// Deadlines are the dates the text sets, in order.
	Deadlines []Deadline
}

// Row is a measure as the weekly table lists it, with county-level units.
type Row struct {
	// Text is the 政策措施 cell, as the table writes it (its title can differ
	// from the policy's: 加强动态监测, 大力实施消费扶贫).
	Text        string
	Lead        string   // 牵头单位
	Responsible []string // 责任单位
}

// Deadline is a date a measure's text sets. "8月底前" is the last day of
// August, inclusive; "2021年11月" (the provincial assessment) is due by the
// last day of November.
type Deadline struct {
	Date rules.Date // the last day, inclusive
	Text string     // the words of the measure that set it, such as 2021年8月底前
}

type fileYAML struct {
	Policy   string `yaml:"policy"`
	Document struct {
		Number string `yaml:"number"`
		Title  string `yaml:"title"`
		Issued string `yaml:"issued"`
	} `yaml:"document"`
	Table struct {
		Title          string   `yaml:"title"`
		Source         string   `yaml:"source"`
		Columns        []string `yaml:"columns"`
		Due            string   `yaml:"due"`
		ReportWeekday  string   `yaml:"report_weekday"`
		ReportTime     string   `yaml:"report_time"`
		Recipient      string   `yaml:"recipient"`
		CityContacts   []string `yaml:"city_contacts"`
		CountyContacts []string `yaml:"county_contacts"`
		Counties       []string `yaml:"counties"`
	} `yaml:"table"`
	Measures []struct {
		Number      int      `yaml:"number"`
		Title       string   `yaml:"title"`
		Text        string   `yaml:"text"`
		Responsible []string `yaml:"responsible"`
		Row         *struct {
			Text        string   `yaml:"text"`
			Lead        string   `yaml:"lead"`
			Responsible []string `yaml:"responsible"`
		} `yaml:"row"`
		Deadlines []struct {
			Date string `yaml:"date"`
			Text string `yaml:"text"`
		} `yaml:"deadlines"`
	} `yaml:"measures"`
}

// Option configures [Load].
type Option func(*config) error

type config struct {
	set *rules.Set
}

// WithPolicy reads the registry of a compiled policy: the one embedded in
// the policies package for the policy's id (its overlays keep the id), the
// same *rules.Set given to subsidy.New and loan.New. A policy without an
// embedded registry is an error.
func WithPolicy(set *rules.Set) Option {
	return func(c *config) error {
		if set == nil {
			return errors.New("measures: WithPolicy(nil)")
		}
		c.set = set
		return nil
	}
}

// Load reads the registry embedded in the policies package: that of
// 豫办发电〔2021〕48号, or of the policy given with [WithPolicy].
func Load(opts ...Option) (*Registry, error) {
	var cfg config
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	name := File
	if cfg.set != nil {
		name = cfg.set.Meta().ID + ".measures.yaml"
	}
	data, err := policies.FS.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("measures: policy %s has no registry of measures (%s)", cfg.set.Meta().ID, name)
	}
	if err != nil {
		return nil, err
	}
	r, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	if cfg.set != nil && r.Policy != cfg.set.Meta().ID {
		return nil, fmt.Errorf("measures: %s is the registry of policy %s, not %s", name, r.Policy, cfg.set.Meta().ID)
	}
	return r, nil
}

// Parse reads a registry file. Unknown keys are errors, reported with the
// file name and line.
func Parse(name string, data []byte) (*Registry, error) {
	var f fileYAML
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	r := &Registry{Policy: f.Policy, Document: Document{Number: f.Document.Number, Title: f.Document.Title}}
	var err error
	if r.Document.Issued, err = rules.ParseDate(f.Document.Issued); err != nil {
		return nil, fmt.Errorf("%s: document issued: %v", name, err)
	}
	t := f.Table
	r.Table = Table{Title: t.Title, Source: t.Source, Columns: t.Columns, Due: t.Due, Recipient: t.Recipient,
		CityContacts: t.CityContacts, CountyContacts: t.CountyContacts, Counties: t.Counties}
	if r.Table.ReportDay, err = weekday(t.ReportWeekday); err != nil {
		return nil, fmt.Errorf("%s: table report_weekday: %v", name, err)
	}
	at, err := time.Parse("15:04", t.ReportTime)
	if err != nil {
		return nil, fmt.Errorf("%s: table report_time %q: want HH:MM", name, t.ReportTime)
	}
	r.Table.ReportAt = time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute
	if !strings.Contains(t.Title, "{county}") {
		return nil, fmt.Errorf("%s: table title has no {county}", name)
	}
	if len(t.Columns) != 6 {
		return nil, fmt.Errorf("%s: table has %d columns, want 6", name, len(t.Columns))
	}
	for i, m := range f.Measures {
		if m.Number != i+1 {
			return nil, fmt.Errorf("%s: measure %d is numbered %d", name, i+1, m.Number)
		}
		if m.Title == "" || !strings.HasPrefix(m.Text, m.Title) {
			return nil, fmt.Errorf("%s: measure %d: the text must start with the title %q", name, m.Number, m.Title)
		}
		ms := Measure{Number: m.Number, Title: m.Title, Text: m.Text, Responsible: m.Responsible}
		if m.Row != nil {
			if m.Row.Lead == "" || m.Row.Text == "" {
				return nil, fmt.Errorf("%s: measure %d: a table row needs text and a lead unit", name, m.Number)
			}
			ms.Row = &Row{Text: m.Row.Text, Lead: m.Row.Lead, Responsible: m.Row.Responsible}
		}
		for _, d := range m.Deadlines {
			day, err := rules.ParseDate(d.Date)
			if err != nil {
				return nil, fmt.Errorf("%s: measure %d deadline: %v", name, m.Number, err)
			}
			ms.Deadlines = append(ms.Deadlines, Deadline{Date: day, Text: d.Text})
		}
		r.Measures = append(r.Measures, ms)
	}
	if len(r.Measures) == 0 {
		return nil, fmt.Errorf("%s: no measures", name)
	}
	return r, nil
}

// Measure returns the measure with the given number.
func (r *Registry) Measure(number int) (Measure, bool) {
	if number < 1 || number > len(r.Measures) {
		return Measure{}, false
	}
	return r.Measures[number-1], true
}

// Rows returns the measures that have a row in the weekly table, in order.
func (r *Registry) Rows() []Measure {
	var out []Measure
	for _, m := range r.Measures {
		if m.Row != nil {
			out = append(out, m)
		}
	}
	return out
}

// Item is a measure's deadline relative to a day.
type Item struct {
	Measure  Measure  // the measure the deadline belongs to
	Deadline Deadline // the deadline
	// Days is the number of days from the day asked about to the deadline:
	// 0 on the deadline itself, negative once it has passed.
	Days int
}

// Due returns the deadlines from day on through on + within days, soonest
// first, of measures whose progress is not yet reported done.
func (r *Registry) Due(on rules.Date, within int, p Progress) []Item {
	return r.items(func(d rules.Date) bool { return !d.Before(on) && !d.After(on.AddDays(within)) }, on, p)
}

// Overdue returns the deadlines before day on (a deadline day itself is
// not overdue) of measures with no progress reported, oldest first.
func (r *Registry) Overdue(on rules.Date, p Progress) []Item {
	return r.items(func(d rules.Date) bool { return d.Before(on) }, on, p)
}

func (r *Registry) items(keep func(rules.Date) bool, on rules.Date, p Progress) []Item {
	var out []Item
	for _, m := range r.Measures {
		if p.reported(m.Number) {
			continue
		}
		for _, d := range m.Deadlines {
			if keep(d.Date) {
				out = append(out, Item{Measure: m, Deadline: d, Days: on.DaysUntil(d.Date)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Deadline.Date.Before(out[j].Deadline.Date) })
	return out
}

// CST is China Standard Time, UTC+8, with no daylight saving.
var CST = time.FixedZone("CST", 8*60*60)

// ReportDeadline returns when the table for the week holding day d is
// due: in the registry of 豫办发电〔2021〕48号, Friday 17:00 China Standard
// Time. A week runs Monday to Sunday, so a Saturday or Sunday belongs to
// the week of the Friday before it.
func (t Table) ReportDeadline(d rules.Date) time.Time {
	monday := d.AddDays(-(int(d.Weekday()+6) % 7))
	due := monday.AddDays((int(t.ReportDay) + 6) % 7)
	y, m, day := due.Parts()
	return time.Date(y, m, day, 0, 0, 0, 0, CST).Add(t.ReportAt)
}

func weekday(s string) (time.Weekday, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%q is not a day of the week", s)
}

// Entry is what a county reports for one measure.
type Entry struct {
	Progress string // 措施进度和成效
	Remarks  string // 备注
}

// Progress is a county's report by measure number.
type Progress map[int]Entry

func (p Progress) reported(n int) bool { return strings.TrimSpace(p[n].Progress) != "" }
