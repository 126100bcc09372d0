package measures_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/measures"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t *testing.T) *measures.Registry {
	t.Helper()
	r, err := measures.Load()
	require.NoError(t, err)
	return r
}

// TestRowsMatchTheAttachment checks the registry's table rows cell for cell
// against the notice's attachment: number, 政策措施, 牵头单位, 责任单位.
func TestRowsMatchTheAttachment(t *testing.T) {
	raw, err := os.ReadFile("testdata/attachment.txt")
	require.NoError(t, err)
	type row struct{ text, lead, resp string }
	want := map[int]row{}
	for _, line := range strings.Split(string(raw), "\n") {
		m := regexp.MustCompile(`^(\d+)\t(.*)$`).FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		cells := strings.Split(m[2], "\t")
		for len(cells) < 3 {
			cells = append(cells, "")
		}
		text := strings.TrimSpace(regexp.MustCompile(`</?p>`).ReplaceAllString(cells[0], ""))
		want[n] = row{text, strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])}
	}
	require.Len(t, want, 17)
	rows := load(t).Rows()
	require.Len(t, rows, 17)
	for i, m := range rows {
		w := want[i+1]
		assert.Equal(t, i+1, m.Number)
		assert.Equal(t, w.text, m.Row.Text, "row %d 政策措施", m.Number)
		assert.Equal(t, w.lead, m.Row.Lead, "row %d 牵头单位", m.Number)
		assert.Equal(t, w.resp, strings.Join(m.Row.Responsible, "、"), "row %d 责任单位", m.Number)
	}
}

func TestMeasures(t *testing.T) {
	r := load(t)
	require.Len(t, r.Measures, 18)
	m, ok := r.Measure(7)
	require.True(t, ok)
	assert.Equal(t, "加强就业培训", m.Title)
	assert.Contains(t, m.Text, "A 类工种 2000 元")
	assert.Equal(t, []string{"省人力资源社会保障厅", "省乡村振兴局"}, m.Responsible)
	last, _ := r.Measure(18)
	assert.Nil(t, last.Row, "measure 18 has no row in the table")
	assert.Empty(t, last.Responsible)
	m14, _ := r.Measure(14)
	assert.Equal(t, []string{"省地方金融监管局", "省财政厅", "省乡村振兴局", "人行郑州中心支行", "河南银保监局"}, m14.Responsible)
	assert.Equal(t, "唐河县（市区）防止因灾返贫致贫拓展脱贫攻坚成果若干政策措施落实周调度表", r.Table.TitleFor("唐河县"))
	assert.Equal(t, "唐河县（市区）防止因灾返贫致贫拓展脱贫攻坚成果若干政策措施落实周调度表", r.Table.TitleFor("唐河"))
	assert.Equal(t, "邓州市（市区）防止因灾返贫致贫拓展脱贫攻坚成果若干政策措施落实周调度表", r.Table.TitleFor("邓州市"))
	assert.Equal(t, []string{"序号", "政策措施", "牵头单位", "责任单位", "措施进度和成效", "备注"}, r.Table.Columns)
}

func TestDeadlines(t *testing.T) {
	r := load(t)
	numbers := func(items []measures.Item) []int {
		var out []int
		for _, it := range items {
			out = append(out, it.Measure.Number)
		}
		return out
	}
	day := rules.MustDate
	assert.Empty(t, r.Overdue(day("2021-08-31"), nil), "the deadline day itself is not overdue")
	assert.Equal(t, []int{1}, numbers(r.Overdue(day("2021-09-01"), nil)))
	assert.Equal(t, []int{1, 3, 12}, numbers(r.Overdue(day("2021-11-01"), nil)))
	assert.Equal(t, []int{3, 12}, numbers(r.Overdue(day("2021-11-01"), measures.Progress{1: {Progress: "已完成摸底登记"}})))
	assert.Equal(t, []int{1, 3, 12, 17}, numbers(r.Overdue(day("2021-12-01"), nil)))
	due := r.Due(day("2021-10-25"), 7, nil)
	assert.Equal(t, []int{3, 12}, numbers(due))
	assert.Equal(t, 6, due[0].Days)
	assert.Equal(t, []int{17}, numbers(r.Due(day("2021-11-01"), 30, nil)))
}

func TestReportDeadline(t *testing.T) {
	r := load(t)
	tests := []struct {
		name, day, want string
	}{
		{"a Friday is its own deadline", "2021-08-27", "2021-08-27 17:00"},
		{"a Monday looks ahead to Friday", "2021-08-23", "2021-08-27 17:00"},
		{"a Thursday", "2021-08-26", "2021-08-27 17:00"},
		{"a Saturday belongs to the Friday before", "2021-08-28", "2021-08-27 17:00"},
		{"a Sunday belongs to the Friday before", "2021-08-29", "2021-08-27 17:00"},
		{"across the year's end: Friday 2021-12-31", "2021-12-31", "2021-12-31 17:00"},
		{"Saturday 2022-01-01 goes back into 2021", "2022-01-01", "2021-12-31 17:00"},
		{"Sunday 2022-01-02 too", "2022-01-02", "2021-12-31 17:00"},
		{"Monday 2021-12-27 looks ahead", "2021-12-27", "2021-12-31 17:00"},
		{"Monday 2022-01-03 starts a new week", "2022-01-03", "2022-01-07 17:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Table.ReportDeadline(rules.MustDate(tt.day))
			assert.Equal(t, tt.want, got.Format("2006-01-02 15:04"))
			_, offset := got.Zone()
			assert.Equal(t, 8*3600, offset, "China Standard Time")
			assert.Equal(t, time.Friday, got.Weekday())
		})
	}
}

func TestParseRejectsUnknownKeys(t *testing.T) {
	_, err := measures.Parse("m.yaml", []byte("policy: x\nmeasurez: []\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "m.yaml")
	assert.Contains(t, err.Error(), "line 2")
}

// TestLoadWithPolicy reads the registry of a compiled policy, overlays
// included, and refuses a policy that has none.
func TestLoadWithPolicy(t *testing.T) {
	set, err := policies.Load(rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  return_travel_cap:
    values:
      - {from: "2021-08-19", value: "500.00", basis: 某县人社局文件}
`)})
	require.NoError(t, err)
	r, err := measures.Load(measures.WithPolicy(set))
	require.NoError(t, err)
	assert.Equal(t, "henan-2021-48", r.Policy)
	assert.Len(t, r.Measures, 18)

	other, err := rules.Compile(rules.Source{Name: "other.yaml", Data: []byte("policy: {id: other, title: 别的政策}\n")})
	require.NoError(t, err)
	_, err = measures.Load(measures.WithPolicy(other))
	assert.EqualError(t, err, "measures: policy other has no registry of measures (other.measures.yaml)")
	_, err = measures.Load(measures.WithPolicy(nil))
	assert.Error(t, err)
}
