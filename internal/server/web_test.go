package server

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleSheet = "../../examples/data/training-grant.csv"

// postUpload posts the upload form with the given fields and, if name is
// not empty, a sheet.
func (ts *testServer) postUpload(t *testing.T, fields map[string]string, name string, sheet []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	if name != "" {
		fw, err := mw.CreateFormFile("sheet", name)
		require.NoError(t, err)
		fw.Write(sheet)
	}
	require.NoError(t, mw.Close())
	req := httptest.NewRequest("POST", "/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	return rec
}

var downloadLink = regexp.MustCompile(`id="download"[^>]* href="data:([^;]+);base64,([^"]+)" download="([^"]+)"`)

// readResult reads the result file a summary page carries.
func readResult(t *testing.T, page string) (name string, header []string, rows [][]string) {
	t.Helper()
	m := downloadLink.FindStringSubmatch(page)
	require.NotNil(t, m, "no download link in %s", page)
	data, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[2]))
	require.NoError(t, err)
	name = html.UnescapeString(m[3])
	path := filepath.Join(t.TempDir(), "result"+filepath.Ext(name))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	header, rows = readTable(t, path)
	return name, header, rows
}

func readTable(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	in, err := table.Open(path, nil, table.ReadOptions{})
	require.NoError(t, err)
	defer in.Close()
	header := append([]string(nil), in.Header()...)
	var rows [][]string
	for {
		_, cells, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		rows = append(rows, append([]string(nil), cells...))
	}
	return header, rows
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %s in %q", name, header)
	return -1
}

func TestIndexPage(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	body := rec.Body.String()
	assert.Contains(t, body, `<html lang="zh-CN">`)
	assert.Contains(t, body, `enctype="multipart/form-data"`)
	assert.Contains(t, body, `<option value="training-grant">受灾脱贫人口和监测对象短期职业技能培训直接补贴（第七条）</option>`)
	assert.Contains(t, body, `value="2021-09-01"`, "the as-of date defaults to today")
	assert.Contains(t, body, "脱贫人口、监测对象、因灾受损、证书工种类别")
	assert.NotContains(t, body, "<script")
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "script-src 'none'")

	rec = ts.do(t, "GET", "/static/style.css", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "@media print")

	rec = ts.do(t, "GET", "/nowhere", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "没有这个页面")
	rec = ts.do(t, "POST", "/policy", "")
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Contains(t, rec.Body.String(), "/policy&#34; 不能用 POST 打开")
}

func TestUploadSample(t *testing.T) {
	ts := newTestServer(t, Limits{})
	sheet, err := os.ReadFile(sampleSheet)
	require.NoError(t, err)
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			rec := ts.postUpload(t, map[string]string{"rule": "training-grant", "as_of": "2021-09-01", "format": format}, "training-grant.csv", sheet)
			require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
			page := rec.Body.String()
			assert.Contains(t, page, `<td id="records">36</td>`)
			assert.Contains(t, page, `<td id="passed">25</td>`)
			assert.Contains(t, page, `<td id="failed">7</td>`)
			assert.Contains(t, page, `<td id="errors">4</td>`)
			assert.Contains(t, page, `<td class="num" id="sum-amount">46100.00</td>`)
			assert.Contains(t, page, "申请人未因灾受损 <code>not-disaster-affected</code></td><td>第七条</td><td class=\"num\">4</td>")
			assert.Contains(t, page, "证书工种类别")
			name, header, rows := readResult(t, page)
			assert.Equal(t, "training-grant-结果."+format, name)
			require.Len(t, rows, 36)
			id, amount, pass, reasons, problem := column(t, header, "id"), column(t, header, "amount"), column(t, header, "pass"), column(t, header, "reasons"), column(t, header, "error")
			assert.Equal(t, "编号", header[0], "the sheet's own columns come first")
			assert.Equal(t, "TG0001", rows[0][id])
			assert.Equal(t, "true", strings.ToLower(rows[0][pass]))
			assertAmount(t, "1800.00", rows[0][amount])
			assertAmount(t, "0.00", rows[3][amount])
			assert.Equal(t, "not-disaster-affected", rows[3][reasons])
			assert.Contains(t, rows[4][problem], `"D类" is not one of A, B, C`)
			assert.Equal(t, "", rows[4][amount], "an undecided record has no amount")
		})
	}
	assert.Equal(t, 72, strings.Count(ts.decisions.String(), "\n"), "each record is in the decision log")
}

// assertAmount compares an amount read back from a result file: the XLSX
// reader gives a number cell as Excel shows it in General format (1800),
// CSV gives the text written (1800.00).
func assertAmount(t *testing.T, want, got string) {
	t.Helper()
	w := strings.TrimRight(strings.TrimRight(want, "0"), ".")
	if w == "" {
		w = "0"
	}
	assert.Contains(t, []string{want, w}, got)
}

func TestUploadXLSX(t *testing.T) {
	// A result workbook uploaded again is a sheet like any other: its
	// input columns are read and the new result columns ignored... except
	// that the old result columns are named like nothing the rule reads.
	ts := newTestServer(t, Limits{})
	sheet, err := os.ReadFile(sampleSheet)
	require.NoError(t, err)
	page := ts.postUpload(t, map[string]string{"rule": "training-grant", "as_of": "2021-09-01"}, "training-grant.csv", sheet).Body.String()
	m := downloadLink.FindStringSubmatch(page)
	require.NotNil(t, m)
	xlsx, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[2]))
	require.NoError(t, err)
	rec := ts.postUpload(t, map[string]string{"rule": "training-grant", "as_of": "2021-09-01"}, "结果.xlsx", xlsx)
	require.Equal(t, http.StatusOK, rec.Code, "body %s", rec.Body)
	assert.Contains(t, rec.Body.String(), `<td class="num" id="sum-amount">46100.00</td>`)
}

func TestUploadErrors(t *testing.T) {
	ts := newTestServer(t, Limits{UploadBytes: 4096, Rows: 10})
	sheet, err := os.ReadFile(sampleSheet)
	require.NoError(t, err)
	ok := map[string]string{"rule": "training-grant", "as_of": "2021-09-01"}
	tests := []struct {
		name   string
		fields map[string]string
		file   string
		sheet  []byte
		status int
		want   string
	}{
		{"no sheet", ok, "", nil, 400, "请选择要上传的表格文件"},
		{"a Word file", ok, "名单.docx", []byte("x"), 400, "只能上传 .csv、.xlsx 或 .jsonl 文件"},
		{"unknown rule", map[string]string{"rule": "parking", "as_of": "2021-09-01"}, "a.csv", sheet, 400, "请选择规则"},
		{"bad date", map[string]string{"rule": "training-grant", "as_of": "2021-13-01"}, "a.csv", sheet, 400, "判定日期"},
		{"bad format", map[string]string{"rule": "training-grant", "as_of": "2021-09-01", "format": "pdf"}, "a.csv", sheet, 400, "结果格式只能是 xlsx 或 csv"},
		{"missing columns", ok, "a.csv", []byte("编号,脱贫人口\n1,是\n"), 400, "表格缺少这些列：监测对象（monitored）、因灾受损（disaster_affected）、证书工种类别（certificate_tier）"},
		{"two columns for one input", ok, "a.csv", []byte("脱贫人口,poverty_relieved,监测对象,因灾受损,证书工种类别\n是,是,否,是,A\n"), 400, "两列都是 poverty_relieved"},
		{"empty file", ok, "a.csv", []byte(""), 400, "表格无法读取"},
		{"not a workbook", ok, "a.xlsx", []byte("PK not a zip"), 400, "表格无法读取"},
		{"too many rows", ok, "a.csv", sheet[:bytes.Index(sheet, []byte("TG0012"))], 413, "表格最多 10 行记录"},
		{"too large", ok, "a.csv", bytes.Repeat(sheet, 4), 413, "文件太大"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.postUpload(t, tt.fields, tt.file, tt.sheet)
			assert.Equal(t, tt.status, rec.Code, "body %s", rec.Body)
			assert.Contains(t, rec.Body.String(), html.EscapeString(tt.want))
			assert.Contains(t, rec.Body.String(), `role="alert"`)
		})
	}
	rec := ts.do(t, "POST", "/upload", "rule=training-grant")
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "请用页面上的表单上传表格文件")
}

func TestCasePage(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/case", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `<select name="certificate_tier" id="f-certificate_tier">`)
	assert.NotContains(t, rec.Body.String(), `id="decision"`)

	q := url.Values{"rule": {"training-grant"}, "decide": {"1"}, "as_of": {"2021-09-01"}, "poverty_relieved": {"是"},
		"monitored": {"否"}, "disaster_affected": {"是"}, "certificate_tier": {"C"}}
	rec = ts.do(t, "GET", "/case?"+q.Encode(), "")
	require.Equal(t, http.StatusOK, rec.Code)
	page := rec.Body.String()
	assert.Contains(t, page, `<span class="pass" id="verdict">符合条件</span>`)
	assert.Contains(t, page, `<td class="num" id="out-amount">1500.00</td>`)
	assert.Contains(t, page, "<strong>第七条</strong> 加大对受灾脱贫人口和监测对象短期职业技能培训直接补贴力度")
	assert.Contains(t, page, `<option value="C" selected>C</option>`, "the form keeps what was typed")
	assert.Regexp(t, `(?s)<pre id="explanation">.*第七条.*</pre>`, page)

	q.Set("disaster_affected", "否")
	page = ts.do(t, "GET", "/case?"+q.Encode(), "").Body.String()
	assert.Contains(t, page, `<span class="fail" id="verdict">不符合条件</span>`)
	assert.Contains(t, page, "申请人未因灾受损（第七条，<code>not-disaster-affected</code>）")

	q.Set("certificate_tier", "")
	rec = ts.do(t, "GET", "/case?"+q.Encode(), "")
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "certificate_tier (证书工种类别) is missing")
	assert.Contains(t, rec.Body.String(), `<p class="bad"><label for="f-certificate_tier">`)

	q = url.Values{"rule": {"return-travel-reimbursement"}, "decide": {"1"}, "travel_cost": {strings.Repeat("9", 300)}}
	rec = ts.do(t, "GET", "/case?"+q.Encode(), "")
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "往返路费（travel_cost）太长")

	rec = ts.do(t, "GET", "/case?rule=nope", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "没有这条规则")
}

func TestPolicyPage(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/policy", "")
	require.Equal(t, http.StatusOK, rec.Code)
	page := rec.Body.String()
	assert.Equal(t, 18, strings.Count(page, `<li value="`), "the 18 measures")
	assert.Contains(t, page, `id="measure-18"`)
	assert.Equal(t, 7, strings.Count(page, `<article class="rule"`))
	assert.Contains(t, page, `<td rowspan="7">一年期贷款市场报价利率（LPR）<br><code>lpr_1y</code></td><td>2020-04-20</td><td class="num">0.0385</td>`)
	assert.Contains(t, page, `<td>2024-07-22</td><td class="num">0.0335</td>`)
	assert.Contains(t, page, `<code>return_travel_cap</code></td><td>2021-08-19</td><td class="num">不设</td>`)
}

func TestWeeklyPage(t *testing.T) {
	ts := newTestServer(t, Limits{})
	rec := ts.do(t, "GET", "/weekly", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.NotContains(t, rec.Body.String(), `id="weekly"`)

	rec = ts.do(t, "GET", "/weekly?county="+url.QueryEscape("唐河县")+"&date=2021-09-03", "")
	require.Equal(t, http.StatusOK, rec.Code)
	page := rec.Body.String()
	assert.Contains(t, page, "唐河县")
	assert.Contains(t, page, "报送时限：2021年9月3日 17:00")
	assert.Equal(t, 17, strings.Count(page, `<td class="num">`), "17 measures have a row")
	assert.Contains(t, page, `class="late"`, "measure 1 was due by 2021-08-31")

	rec = ts.do(t, "GET", "/weekly.xlsx?county="+url.QueryEscape("唐河县")+"&date=2021-09-03", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Header().Get("Content-Disposition"), "filename*=UTF-8''%E5%94%90%E6%B2%B3%E5%8E%BF")
	assert.Equal(t, "PK", rec.Body.String()[:2])

	rec = ts.do(t, "GET", "/weekly?county=x&date=2021-13-40", "")
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "请写成 2021-09-03 这样")
	rec = ts.do(t, "GET", "/weekly?county="+strings.Repeat("县", 41), "")
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	rec = ts.do(t, "GET", "/weekly.xlsx", "")
	assert.Equal(t, http.StatusBadRequest, rec.Code)
}
