package ruledoc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestQuote(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"short", "max_rate", `"max_rate"`},
		{"40 characters whole", strings.Repeat("a", 40), `"` + strings.Repeat("a", 40) + `"`},
		{"41 characters cut", strings.Repeat("a", 41), `"` + strings.Repeat("a", 32) + `…" (41 characters)`},
		{"counted in characters", strings.Repeat("长", 40), `"` + strings.Repeat("长", 40) + `"`},
		{"long Chinese cut", strings.Repeat("长", 100000), `"` + strings.Repeat("长", 32) + `…" (100000 characters)`},
		{"control characters escaped", "a\nb", `"a\nb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Quote(tt.in))
		})
	}
}

func TestClipArgs(t *testing.T) {
	long := strings.Repeat("x", 1000)
	args := []any{"short", long, 7}
	got := fmt.Sprintf("%q %q %s %d", append(ClipArgs(args), long)...)
	// the third verb gets the unclipped long text: only ClipArgs' result is clipped
	assert.True(t, strings.HasPrefix(got, `"short" "`+strings.Repeat("x", 32)+`…" (1000 characters) `), got)
	assert.Equal(t, long, args[1], "ClipArgs changed its argument")

	assert.Equal(t, strings.Repeat("x", 240)+"… (1000 characters)", fmt.Sprintf("%s", Clip(long)))
	assert.Equal(t, "short", fmt.Sprintf("%v", Clip("short")))
	same := []any{"a", 1}
	assert.Equal(t, same, ClipArgs(same))
}

func TestClosest(t *testing.T) {
	names := []string{"max_rate_pct", "min_rate", "grant_a", strings.Repeat("n", 100)}
	tests := []struct{ name, got, want string }{
		{"one letter missing", "max_rate_pc", "max_rate_pct"},
		{"two edits", "grnt_b", "grant_a"},
		{"three edits is too far", "grn_bb", ""},
		{"long name never compared", strings.Repeat("n", 99), ""},
		{"100,000 characters", strings.Repeat("m", 100000), ""},
		{"Chinese", "最高比", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Closest(tt.got, names))
		})
	}
	assert.Equal(t, "比例", Closest("比列", []string{"比例", "月数"}))
}
