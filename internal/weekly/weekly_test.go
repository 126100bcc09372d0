package weekly

import (
	"bytes"
	gf "github.com/ruralrelief/fangpin/internal/golden"
	"path/filepath"
	"testing"

	"github.com/ruralrelief/fangpin/measures"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	gf.Check(t, filepath.Join("testdata", name), got)
}

func build(t *testing.T) Table {
	t.Helper()
	reg, err := measures.Load()
	require.NoError(t, err)
	p, err := ParseProgress("p.yaml", []byte("1:\n  progress: 8月30日完成全县摸底登记，建立受灾台账1260户\n  remarks: 已报市局\n7:\n  progress: 发放培训补助38人，共计68200元\n"), reg)
	require.NoError(t, err)
	return Build(reg, "唐河县", rules.MustDate("2021-11-05"), p)
}

func TestXLSXIsPrintReady(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, XLSX, build(t)))
	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer f.Close()
	const sheet = "周调度表"
	rows, err := f.GetRows(sheet)
	require.NoError(t, err)
	assert.Equal(t, "唐河县（市区）防止因灾返贫致贫拓展脱贫攻坚成果若干政策措施落实周调度表", rows[0][0])
	assert.Equal(t, []string{"序号", "政策措施", "牵头单位", "责任单位", "措施进度和成效", "备注"}, rows[2])
	data := 0
	for _, r := range rows[3:] {
		if len(r) >= 3 && r[2] != "" {
			data++
		}
	}
	assert.Equal(t, 17, data, "one row per measure in the table")
	assert.Equal(t, "17", rows[19][0])
	assert.Equal(t, "组织部", rows[19][2])
	assert.Contains(t, rows[3][4], "1260户", "progress filled in")
	assert.Contains(t, rows[len(rows)-4][0], "报送时限：2021年11月5日17:00前报送市乡村振兴局")

	w, err := f.GetColWidth(sheet, "B")
	require.NoError(t, err)
	assert.Equal(t, 70.0, w)
	layout, err := f.GetPageLayout(sheet)
	require.NoError(t, err)
	assert.Equal(t, "landscape", *layout.Orientation)
	assert.Equal(t, 9, *layout.Size, "A4")
	names := f.GetDefinedName()
	require.NotEmpty(t, names)
	assert.Equal(t, "_xlnm.Print_Titles", names[0].Name)
	assert.Equal(t, "'周调度表'!$3:$3", names[0].RefersTo, "the header row repeats on every page")
	style, err := f.GetCellStyle(sheet, "B6")
	require.NoError(t, err)
	st, err := f.GetStyle(style)
	require.NoError(t, err)
	assert.True(t, st.Alignment.WrapText)
	assert.Equal(t, []string{"F4CCCC"}, st.Fill.Color, "measure 3 is past its deadline with no progress: highlighted")
	style, _ = f.GetCellStyle(sheet, "B4")
	st, _ = f.GetStyle(style)
	assert.Empty(t, st.Fill.Color, "measure 1 has progress")
}

func TestTextFormats(t *testing.T) {
	for _, f := range []struct {
		format Format
		name   string
	}{{CSV, "table.csv"}, {Markdown, "table.md"}} {
		var b bytes.Buffer
		require.NoError(t, Write(&b, f.format, build(t)))
		goldenFile(t, f.name, b.Bytes())
	}
}

func TestParseProgressErrors(t *testing.T) {
	reg, err := measures.Load()
	require.NoError(t, err)
	tests := []struct {
		name, data, want string
	}{
		{"p.yaml", "19:\n  progress: x\n", "p.yaml: key 19: no measure 19 (1–18)"},
		{"p.yaml", "3:\n  progres: x\n", "line 2"},
		{"p.csv", "序号,措施进度和成效\n3,完成\nx,完成\n", `p.csv: row 2: 序号 "x" is not a number`},
		{"p.csv", "编号,进度\n", "the header needs 序号 and 措施进度和成效"},
		{"p.txt", "", "a progress file is .yaml or .csv"},
	}
	for _, tt := range tests {
		_, err := ParseProgress(tt.name, []byte(tt.data), reg)
		require.Error(t, err, tt.data)
		assert.Contains(t, err.Error(), tt.want)
	}
	p, err := ParseProgress("p.csv", []byte("\ufeff序号,措施进度和成效,备注\n9,已实施以工代赈项目12个,\n"), reg)
	require.NoError(t, err)
	assert.Equal(t, "已实施以工代赈项目12个", p[9].Progress)
}
