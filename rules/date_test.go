package rules_test

import (
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
)

func TestPeriod(t *testing.T) {
	p := rules.Period{From: rules.MustDate("2021-09-01"), To: rules.MustDate("2021-10-01")}
	assert.Equal(t, 30, p.Days())
	assert.Equal(t, "2021-09-01..2021-10-01", p.String())
	assert.True(t, p.Contains(rules.MustDate("2021-09-30")))
	assert.False(t, p.Contains(rules.MustDate("2021-10-01")), "To is the first day after")
	open := rules.Period{From: p.From}
	assert.Equal(t, 0, open.Days())
	assert.Equal(t, "2021-09-01..", open.String())
	assert.Equal(t, 0, rules.Period{From: p.To, To: p.From}.Days(), "an empty period")
	assert.Equal(t, 1, p.To.Compare(p.From))
	assert.Equal(t, -1, p.From.Compare(p.To))
	assert.Equal(t, 0, p.From.Compare(p.From))
	assert.Panics(t, func() { rules.MustDate("2021-02-29") })
}
