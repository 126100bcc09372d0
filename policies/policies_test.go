package policies_test

import (
	"context"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/stretchr/testify/require"
)

// TestPolicyCases runs every test case written in the default policy file.
func TestPolicyCases(t *testing.T) {
	s, err := policies.Load()
	require.NoError(t, err)
	results := s.Test(context.Background())
	require.NotEmpty(t, results)
	for _, r := range results {
		t.Run(r.Name, func(t *testing.T) {
			if !r.Passed() {
				t.Error(r.String())
			}
		})
	}
}
