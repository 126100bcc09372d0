package rules_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseDateEdges walks the edges of every check ParseDate makes: the
// first and last year allowed, the last day of each kind of month, and the
// digit counts of each part.
func TestParseDateEdges(t *testing.T) {
	good := map[string]string{
		"1900-01-01": "1900-01-01",
		"2200-12-31": "2200-12-31",
		"2024-02-29": "2024-02-29",
		"2021-1-9":   "2021-01-09",
		"2021/12/31": "2021-12-31",
		"2021年4月30日": "2021-04-30",
		"２０２１－０９－０１": "2021-09-01",
		"２０２１／９／１":   "2021-09-01",
		"2021-09-01": "2021-09-01",
	}
	for in, want := range good {
		d, err := rules.ParseDate(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, d.String(), in)
	}
	bad := []string{
		"1899-12-31", "2201-01-01", "0000-12-31",
		"2021-00-10", "2021-13-01", "2021-01-00", "2021-04-31", "2021-02-29", "2100-02-29",
		"202-09-01", "20211-09-01", "2021-009-01", "2021-09-001", "2021--01", "2021-09-",
		"2021-09-01x", "2021-09/01", "2021年9月1", "2021.09.01", "2021-09-01-", "", "-2021-09-01",
	}
	for _, in := range bad {
		_, err := rules.ParseDate(in)
		assert.ErrorIs(t, err, rules.ErrInvalid, "%q", in)
	}
	_, err := rules.ParseDate("2201-01-01")
	assert.EqualError(t, err, `date "2201-01-01" is outside the years 1900 to 2200`)
	_, err = rules.ParseDate("2021-04-31")
	assert.EqualError(t, err, `date "2021-04-31" does not exist`)
}

func TestDateArithmetic(t *testing.T) {
	d := rules.MustDate("2024-02-28")
	assert.Equal(t, "2024-02-29", d.AddDays(1).String())
	assert.Equal(t, "2024-02-27", d.AddDays(-1).String())
	assert.Equal(t, 2, d.DaysUntil(rules.MustDate("2024-03-01")))
	assert.Equal(t, -28, d.DaysUntil(rules.MustDate("2024-01-31")))
	assert.Equal(t, 0, d.DaysUntil(d))

	y, m, day := d.Parts()
	assert.Equal(t, []int{2024, 2, 28}, []int{y, int(m), day})
	assert.Equal(t, time.Wednesday, d.Weekday())
	assert.Equal(t, time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC), d.Time())
	assert.Equal(t, d, rules.DateOf(time.Date(2024, 2, 28, 23, 59, 0, 0, time.FixedZone("CST", 8*3600))))
	assert.Equal(t, d, rules.NewDate(2024, time.February, 28))
	assert.Equal(t, "1900-01-01", rules.MustDate("1900-01-01").String())

	later := d.AddDays(1)
	assert.True(t, d.Before(later))
	assert.False(t, d.Before(d))
	assert.False(t, later.Before(d))
	assert.True(t, later.After(d))
	assert.False(t, d.After(d))
	assert.False(t, d.After(later))

	assert.True(t, rules.Date{}.IsZero())
	assert.False(t, d.IsZero())
	assert.Equal(t, "", rules.Date{}.String())
}

func TestDateText(t *testing.T) {
	b, err := rules.MustDate("2021-09-01").MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "2021-09-01", string(b))

	d := rules.MustDate("2020-01-01")
	require.NoError(t, d.UnmarshalText([]byte("2021年9月1日")))
	assert.Equal(t, "2021-09-01", d.String())
	require.NoError(t, d.UnmarshalText(nil))
	assert.True(t, d.IsZero(), "empty text is no date")

	d = rules.MustDate("2020-01-01")
	err = d.UnmarshalText([]byte("2021-02-30"))
	assert.True(t, errors.Is(err, rules.ErrInvalid))
	assert.Equal(t, "2020-01-01", d.String(), "a bad date leaves the old value")
}

func TestPeriodEdges(t *testing.T) {
	from, to := rules.MustDate("2021-09-01"), rules.MustDate("2021-09-03")
	p := rules.Period{From: from, To: to}
	assert.False(t, p.Contains(from.AddDays(-1)))
	assert.True(t, p.Contains(from))
	assert.True(t, p.Contains(to.AddDays(-1)))
	assert.False(t, p.Contains(to))
	assert.Equal(t, 2, p.Days())
	assert.Equal(t, 0, rules.Period{From: from, To: from}.Days(), "an empty period")

	open := rules.Period{From: from}
	assert.True(t, open.Contains(rules.MustDate("2200-12-31")))
	assert.False(t, open.Contains(from.AddDays(-1)))
}
