package rules

import (
	"time"
	"unicode/utf8"

	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
)

// Date is a calendar day with no time of day and no time zone, like a date
// written on a form. The zero Date is "no date" ([Date.IsZero]). Dates are
// small values: compare them with ==, [Date.Before] or [Date.Compare].
type Date struct {
	n int32 // days since 0001-01-01, plus one; 0 is the zero Date
}

// epoch is 0001-01-01 in Unix days.
var epoch = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400

// NewDate returns the date y-m-d. Out-of-range months and days are
// normalised the way [time.Date] does (2021-02-29 is 2021-03-01); use
// [ParseDate] to reject them.
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return Date{n: int32(u - epoch + 1)}
}

// The years a date may be in. The policy cannot mean a day outside them,
// and a year such as 0000 or 20211 is a slip to report, not a date to use.
const (
	minYear = 1900
	maxYear = 2200
)

// ParseDate reads a date as Chinese sheets write it: 2021-09-01, 2021-9-1,
// 2021/9/1 or 2021年9月1日, with ASCII or full-width digits. The year has
// four digits and must be from 1900 to 2200; days that do not exist, such
// as 2021-02-29, are rejected. Errors wrap [ErrInvalid] and quote s.
func ParseDate(s string) (Date, error) {
	y, m, d, ok := splitDate(s)
	switch {
	case !ok:
		return Date{}, invalid("date %s is not written as YYYY-MM-DD, YYYY/M/D or YYYY年M月D日", ruledoc.Quote(s))
	case y < minYear || y > maxYear:
		return Date{}, invalid("date %s is outside the years %d to %d", ruledoc.Quote(s), minYear, maxYear)
	case m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)):
		return Date{}, invalid("date %s does not exist", ruledoc.Quote(s))
	}
	return NewDate(y, time.Month(m), d), nil
}

// splitDate splits YYYY-M-D, YYYY/M/D or YYYY年M月D日 (months and days of
// one or two digits, digits ASCII or full-width) into its numbers.
func splitDate(s string) (y, m, d int, ok bool) {
	var seps [3]rune
	var nums [3]int
	for part := range 3 {
		digits := 0
		for s != "" {
			r, n := utf8.DecodeRuneInString(s)
			if r = halfWidth(r); r < '0' || r > '9' {
				break
			}
			nums[part] = nums[part]*10 + int(r-'0')
			digits++
			s = s[n:]
		}
		if digits == 0 || (part == 0 && digits != 4) || (part > 0 && digits > 2) {
			return 0, 0, 0, false
		}
		r, n := utf8.DecodeRuneInString(s)
		if s == "" {
			r = 0
		}
		seps[part], s = r, s[n:]
	}
	switch {
	case s != "":
		return 0, 0, 0, false
	case seps == [3]rune{'-', '-', 0}, seps == [3]rune{'/', '/', 0}, seps == [3]rune{'年', '月', '日'}:
		return nums[0], nums[1], nums[2], true
	case seps == [3]rune{'－', '－', 0}, seps == [3]rune{'／', '／', 0}:
		return nums[0], nums[1], nums[2], true
	}
	return 0, 0, 0, false
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// MustDate is like [ParseDate] but panics on a bad date. Use it only for
// constants in tests, examples and package initialisation.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date, which means "no date".
func (d Date) IsZero() bool { return d.n == 0 }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	return time.Unix((int64(d.n)-1+epoch)*86400, 0).UTC()
}

// Parts returns the year, month and day of d.
func (d Date) Parts() (year int, month time.Month, day int) { return d.Time().Date() }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// AddDays returns the date n days after d (before d if n is negative).
func (d Date) AddDays(n int) Date { return Date{n: d.n + int32(n)} }

// DaysUntil returns the number of days from d to e: 0 if they are the same
// day, negative if e is before d.
func (d Date) DaysUntil(e Date) int { return int(e.n - d.n) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.n > e.n }

// Compare returns -1, 0 or +1 as d is before, the same day as, or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.n < e.n:
		return -1
	case d.n > e.n:
		return 1
	}
	return 0
}

// String returns d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

// MarshalText writes d as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a date as [ParseDate] does; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Period is the half-open span of days [From, To): From is the first day in
// it and To the first day after it, so adjacent periods share no day and
// To.DaysUntil(From) counts its days. A zero To means the period never ends.
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Contains reports whether day d falls in p.
func (p Period) Contains(d Date) bool {
	return !d.Before(p.From) && (p.To.IsZero() || d.Before(p.To))
}

// Days returns the number of days in p; 0 if p is open-ended or empty.
func (p Period) Days() int {
	if p.To.IsZero() || !p.From.Before(p.To) {
		return 0
	}
	return p.From.DaysUntil(p.To)
}

// String returns p as "FROM..TO" with TO exclusive, or "FROM.." if open-ended.
func (p Period) String() string { return p.From.String() + ".." + p.To.String() }
