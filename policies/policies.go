// Package policies holds the policy documents as rule files, embedded in the
// binary, and loads the default one.
//
// henan-2021-48.yaml encodes the money clauses of 豫办发电〔2021〕48号
// 《防止因灾返贫致贫巩固拓展脱贫攻坚成果若干政策措施》 (2021-08-19): its inputs,
// dated parameters, rules, and the test cases that pin every boundary.
package policies

import (
	"embed"

	"github.com/ruralrelief/fangpin/rules"
)

// FS holds the embedded policy files.
//
//go:embed *.yaml
var FS embed.FS

// Default is the file name of the default policy, 豫办发电〔2021〕48号.
const Default = "henan-2021-48.yaml"

// Load compiles the default policy with the given overlays applied on top,
// in order. An overlay is a rule file with `extends: henan-2021-48` and
// parameter overrides, such as a county's cap on return travel.
func Load(overlays ...rules.Source) (*rules.Set, error) {
	data, err := FS.ReadFile(Default)
	if err != nil {
		return nil, err
	}
	return rules.Compile(append([]rules.Source{{Name: "policies/" + Default, Data: data}}, overlays...)...)
}
