package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMissedSaysWhichOutcome: each kind of decision point says in its own
// words which outcome no case reached.
func TestMissedSaysWhichOutcome(t *testing.T) {
	for _, tt := range []struct{ kind, outcome, want string }{
		{PointRequirement, "failed", "never failed"},
		{PointCondition, "true", "condition never true"},
		{PointMin, "second", "min(…) never chose its second argument"},
		{PointMax, "first", "max(…) never chose its first argument"},
		{PointFallback, "value", "?? never had a value on its left"},
		{PointFallback, "none", "?? never fell back to its right (the left always had a value)"},
		{PointRounding, "exact", "rounding never met a value already at its places"},
		{PointRounding, "rounded", "rounding never changed a value"},
		{"parameter-value", "used", "never used"},
	} {
		assert.Equal(t, tt.want, missed(tt.kind, tt.outcome), "%s %s", tt.kind, tt.outcome)
	}
}
