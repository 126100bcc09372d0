package loan_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSourceRules reads the package's own code (not its tests) and holds it
// to the rules of the design: no figure of the policy written in Go (the
// cap and the cut-off come from the policy file), no float, no clock, no
// decimal.Div or decimal package settings.
func TestSourceRules(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, err := parser.ParseFile(fset, name, src, 0) // no comments: they may cite the policy
		require.NoError(t, err)
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BasicLit:
				v := strings.ReplaceAll(x.Value, ",", "")
				for _, bad := range []string{"50000", "5万", "2023"} {
					assert.NotContains(t, v, bad, "%s: literal %s", fset.Position(x.Pos()), x.Value)
				}
			case *ast.Ident:
				assert.NotContains(t, []string{"float32", "float64"}, x.Name, "%s: %s", fset.Position(x.Pos()), x.Name)
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					sel := id.Name + "." + x.Sel.Name
					assert.NotContains(t, []string{"time.Now", "decimal.DivisionPrecision", "decimal.MarshalJSONWithoutQuotes",
						"decimal.NewFromFloat", "decimal.NewFromFloat32"}, sel, "%s: %s", fset.Position(x.Pos()), sel)
				}
				assert.NotEqual(t, "Div", x.Sel.Name, "%s: Div divides at the global precision; use DivRound", fset.Position(x.Pos()))
				assert.NotEqual(t, "InexactFloat64", x.Sel.Name, "%s", fset.Position(x.Pos()))
			}
			return true
		})
	}
	assert.Positive(t, checked)
}
