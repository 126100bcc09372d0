package subsidy_test

import (
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/stretchr/testify/assert"
)

// TestQuote checks messages quote text of up to 32 characters in full and
// longer text by its first 32 characters and its length, counted in
// characters, not bytes.
func TestQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"32 characters", strings.Repeat("理", 32), `"` + strings.Repeat("理", 32) + `"`},
		{"33 characters", strings.Repeat("理", 33), `"` + strings.Repeat("理", 32) + `…" (33 characters)`},
		{"a quote inside", `a"b`, `"a\"b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, subsidy.Quote(tt.in), "quote(%q)", tt.in)
		})
	}
}
