package rules_test

import (
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diagnose compiles the files and returns the diagnostics, which there
// must be.
func diagnose(t *testing.T, srcs ...rules.Source) rules.Diagnostics {
	t.Helper()
	_, err := rules.Compile(srcs...)
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	return ds
}

// TestYAMLSyntaxComesFirst: a YAML syntax error in any file is reported
// first and alone among what else the files hold, since nothing past it
// can be trusted.
func TestYAMLSyntaxComesFirst(t *testing.T) {
	ds := diagnose(t, rules.Source{Name: "a.yaml", Data: []byte(oneRule + oneOutput + "    colour: red\n")},
		rules.Source{Name: "b.yaml", Data: []byte("extends: tiny\nparameters: [\n")})
	assert.Equal(t, "yaml-syntax", ds[0].Code, "%s", ds)
	assert.Equal(t, "b.yaml", ds[0].Pos.File)
	for _, d := range ds[1:] {
		assert.NotEqual(t, "unknown-param", d.Code, "nothing is compiled past a syntax error")
	}
}
