// Package docs holds the project's reference documents; its test keeps the
// YAML examples in them loadable.
package docs

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/require"
)

// TestRuleFileSnippets loads every YAML block of rule-files.md: the first is
// a policy whose test cases must pass, the rest overlays on it.
func TestRuleFileSnippets(t *testing.T) {
	md, err := os.ReadFile("rule-files.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(md), -1)
	require.Len(t, blocks, 2)
	srcs := []rules.Source{{Name: "policy.yaml", Data: []byte(blocks[0][1])}}
	for _, b := range blocks[1:] {
		srcs = append(srcs, rules.Source{Name: "overlay.yaml", Data: []byte(b[1])})
	}
	s, err := rules.Compile(srcs...)
	require.NoError(t, err)
	for _, r := range s.Test(context.Background()) {
		require.True(t, r.Passed(), "%s", r)
	}
}

// TestReadmeExampleIsTested checks that the Go snippet in the README is the
// body of an Example test, so it compiles and its output is checked.
func TestReadmeExampleIsTested(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(readme)
	require.NotNil(t, m, "README has a Go example")
	example, err := os.ReadFile("../policies/example_test.go")
	require.NoError(t, err)
	var body strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(m[1]), "\n"), "\n") {
		if line != "" {
			line = "\t" + line
		}
		body.WriteString(line + "\n")
	}
	require.Contains(t, string(example), body.String())
}
