package policies_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/stretchr/testify/assert"
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

// TestQuotesAreVerbatim checks that every rule quotes its clause word for
// word: the quote (ignoring white space) stands inside the numbered clause of
// 豫办发电〔2021〕48号 that the rule names.
func TestQuotesAreVerbatim(t *testing.T) {
	raw, err := os.ReadFile("testdata/policy.txt")
	require.NoError(t, err)
	text := squash(string(raw))
	start := strings.Index(text, "防止因灾返贫致贫巩固拓展脱贫攻坚成果若干政策措施为深入")
	require.Positive(t, start, "the policy's own text")
	end := strings.Index(text[start:], "中共河南省委办公厅2021年8月20日印发")
	require.Positive(t, end)
	body := text[start : start+end]
	numerals := []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八"}
	clause := func(n string) string {
		i := slices.Index(numerals, n)
		require.GreaterOrEqual(t, i, 0, "clause %s", n)
		from := strings.Index(body, n+"、")
		require.GreaterOrEqual(t, from, 0)
		if i+1 == len(numerals) {
			return body[from:]
		}
		to := strings.Index(body[from:], numerals[i+1]+"、")
		return body[from : from+to]
	}
	s, err := policies.Load()
	require.NoError(t, err)
	for _, id := range s.RuleIDs() {
		info, _ := s.Rule(id)
		n := strings.TrimSuffix(strings.TrimPrefix(info.Clause, "第"), "条")
		assert.Contains(t, clause(n), squash(info.Quote), "rule %s quotes %s", id, info.Clause)
	}
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// TestEveryReasonCodeIsTested checks that each reason code of each rule is
// wanted by at least one test case in the policy file.
func TestEveryReasonCodeIsTested(t *testing.T) {
	s, err := policies.Load()
	require.NoError(t, err)
	raw, err := policies.FS.ReadFile(policies.Default)
	require.NoError(t, err)
	wanted := map[string]bool{}
	for _, m := range regexp.MustCompile(`reasons: \[([^\]]*)\]`).FindAllStringSubmatch(string(raw), -1) {
		for _, code := range strings.Split(m[1], ",") {
			wanted[strings.TrimSpace(code)] = true
		}
	}
	for _, id := range s.RuleIDs() {
		info, _ := s.Rule(id)
		for _, code := range info.Reasons {
			assert.True(t, wanted[code], "rule %s: no test case wants reason %s", id, code)
		}
	}
}
