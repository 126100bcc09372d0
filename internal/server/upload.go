package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/rules"
)

// sheetSummary is what the page shows of a decided sheet.
type sheetSummary struct {
	File                             string
	Rule                             rules.RuleInfo
	AsOf                             string
	Records, Passed, Failed, Errored int
	Sums                             []sumLine
	Reasons                          []reasonLine
	Problems                         []problemLine // the first few records that could not be decided
	More                             int           // how many more there are
	Refused                          []problemLine // the first few records refused by the checks across records
	RefusedMore                      int           // how many more there are
	Download                         template.URL  // the result file, as a data: URL
	DownloadName                     string
	Checked                          bool       // checked against the ledger's earlier batches
	Recorded                         *recording // what was recorded in the ledger, when asked to
	Earlier                          *recording // not recorded: the same file's earlier recording, if any
}

type sumLine struct {
	Name, Label, Total string
}

type reasonLine struct {
	Code, Message, Clause string
	Count                 int
}

type problemLine struct {
	Row, Line     int
	ID            string
	Field, Reason string
}

// maxProblems is how many undecided records, and how many refused across
// records, the page lists.
const maxProblems = 20

// upload is a submitted upload form.
type upload struct {
	rule, asOf, format string
	name               string // the sheet's file name, as the user's computer calls it
	path               string // the sheet, saved in dir
	sha256             string // of the sheet's bytes, lower-case hex
	dir                string
	record             bool   // record the sheet in the ledger (the checkbox 记入台账)
	clerk              string // who records it
}

// handleUpload decides an uploaded sheet and shows the summary, with the
// result file to download. Nothing is kept once the page is sent: the
// file comes back inside the page.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	p := s.page("上传表格", "upload")
	r.Body = http.MaxBytesReader(w, r.Body, s.limits.UploadBytes)
	up, err := s.readUpload(r)
	if up.dir != "" {
		defer func() { _ = os.RemoveAll(up.dir) }() // a temporary directory of this request
	}
	if up.rule != "" {
		p.Rule = up.rule
	}
	if up.asOf != "" {
		p.AsOf = up.asOf
	}
	p.Format, p.Record, p.Clerk = up.format, up.record, up.clerk
	fail := func(status int, msg string) {
		p.Error = msg
		s.render(w, status, "index", p)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("文件太大：最多 %d MB。请把表格分成几个文件上传。", s.limits.UploadBytes>>20))
		return
	case err != nil:
		fail(http.StatusBadRequest, err.Error())
		return
	}
	info, ae := s.ruleOf(up.rule)
	if ae != nil {
		fail(http.StatusBadRequest, "请选择规则："+ae.Message)
		return
	}
	day, err := rules.ParseDate(up.asOf)
	if err != nil {
		fail(http.StatusBadRequest, fmt.Sprintf("判定日期 %s 不对，请写成 2021-09-01 这样", prefix(up.asOf, 20)))
		return
	}
	switch {
	case up.record && s.ledger == nil:
		fail(http.StatusBadRequest, "这个服务没有台账（启动时没有给 --ledger），不能记入台账。请去掉“记入台账”再测算。")
		return
	case up.record && up.clerk == "":
		fail(http.StatusBadRequest, "记入台账需要填写经办人。")
		return
	case up.record:
		if ae := s.canRecord(up.name, up.clerk); ae != nil {
			fail(ae.Status, "不能记入台账："+ae.Message)
			return
		}
	}
	outName := strings.TrimSuffix(up.name, filepath.Ext(up.name)) + "-结果." + up.format
	outPath := filepath.Join(up.dir, "result."+up.format)
	sum, err := s.decideSheet(r.Context(), info, day, up, outPath)
	if err != nil {
		ae := classify(err)
		status := ae.Status
		msg := ae.Message
		switch {
		case status == http.StatusInternalServerError:
			s.log.Error("upload failed", "err", err)
			msg = "服务出错，没有完成测算；日志中有原因。"
		case ae.Code == codeLedgerConflict:
			msg = "没有记入台账：测算之后，另一批次已付了其中的补助。请重新上传，看哪些记录被台账拒绝。" + ae.Message
		}
		fail(status, msg)
		return
	}
	data, err := os.ReadFile(outPath)
	if err != nil {
		s.log.Error("upload failed", "err", err)
		fail(http.StatusInternalServerError, "结果文件生成失败")
		return
	}
	mime := "text/csv"
	if up.format == "xlsx" {
		mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	sum.File, sum.AsOf, sum.DownloadName = up.name, day.String(), outName
	// The link is the workbook this server just wrote, base64-encoded: no
	// text from the request is in it.
	sum.Download = template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data)) //nolint:gosec // G203, see above
	p.Summary = sum
	s.render(w, http.StatusOK, "index", p)
}

// readUpload reads the upload form: rule, as_of, format and the sheet,
// which it saves in a new temporary directory. Any order of the parts
// is accepted.
func (s *Server) readUpload(r *http.Request) (upload, error) {
	up := upload{format: "xlsx"}
	rec, ae := recordFlag(r.URL.Query().Get("record"))
	if ae != nil {
		return up, fmt.Errorf("record 只能是 1 或 0，不是 %s", prefix(r.URL.Query().Get("record"), 10))
	}
	up.record = rec
	mr, err := r.MultipartReader()
	if err != nil {
		return up, errors.New("请用页面上的表单上传表格文件")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, uploadError(err)
		}
		switch part.FormName() {
		case "sheet":
			if err := up.save(part); err != nil {
				return up, err
			}
		case "rule", "as_of", "format", "record", "clerk":
			b, err := io.ReadAll(io.LimitReader(part, 201))
			if err != nil {
				return up, uploadError(err)
			}
			if len(b) > 200 {
				return up, fmt.Errorf("表单中的 %s 太长：最多 200 字节", part.FormName())
			}
			v := strings.TrimSpace(string(b))
			switch part.FormName() {
			case "rule":
				up.rule = v
			case "as_of":
				up.asOf = v
			case "format":
				if v != "xlsx" && v != "csv" {
					return up, fmt.Errorf("结果格式只能是 xlsx 或 csv，不是 %s", prefix(v, 10))
				}
				up.format = v
			case "record":
				rec, ae := recordFlag(v)
				if ae != nil {
					return up, fmt.Errorf("“记入台账”的值只能是 1 或 0，不是 %s", prefix(v, 10))
				}
				up.record = up.record || rec
			case "clerk":
				up.clerk = v
			}
		}
		_ = part.Close() // a part of the request being read
	}
	if up.path == "" {
		return up, errors.New("请选择要上传的表格文件（.csv 或 .xlsx）")
	}
	return up, nil
}

func uploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return err
	}
	return fmt.Errorf("上传没有完成，请重试：%v", err)
}

func (up *upload) save(part *multipart.Part) error {
	name := filepath.Base(part.FileName())
	if name == "." || name == "/" || name == "" {
		return errors.New("请选择要上传的表格文件（.csv 或 .xlsx）")
	}
	f, err := table.FormatOf(name)
	if err != nil || name == "-" {
		return fmt.Errorf("只能上传 .csv、.xlsx 或 .jsonl 文件，%s 不是", prefix(name, 40))
	}
	if up.dir == "" {
		if up.dir, err = os.MkdirTemp("", "fangpin-upload-"); err != nil {
			return err
		}
	}
	up.name = name
	up.path = filepath.Join(up.dir, "sheet."+f.String())
	out, err := os.Create(up.path)
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(out, h), part); err != nil {
		_ = out.Close() // the copy failed: that error is the one to report
		return uploadError(err)
	}
	up.sha256 = hex.EncodeToString(h.Sum(nil))
	return out.Close()
}

// sheetRun starts the checks across records of an uploaded sheet: against
// the ledger's earlier batches when the server has a ledger, and recorded
// in it when the upload asks for it. A sheet that is not recorded but was
// recorded before is checked as it was then, leaving its own batch out.
func (s *Server) sheetRun(ctx context.Context, info rules.RuleInfo, up upload, sum *sheetSummary) (*run, error) {
	if s.ledger == nil {
		return s.newRun(ctx, info, up.name, 0), nil
	}
	sum.Checked = true
	if up.record {
		return s.recordRun(ctx, info, ledger.Batch{File: up.name, FileSHA256: up.sha256, RunTime: s.now(), Clerk: up.clerk})
	}
	prev, ok, err := s.ledger.FindBatch(ctx, up.sha256, info.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.newRun(ctx, info, up.name, 0), nil
	}
	earlier := recordingOf(ledger.Recorded{Batch: prev, Already: true})
	sum.Earlier = &earlier
	return s.newRun(ctx, info, up.name, prev.ID), nil
}

// decideSheet decides every record of the uploaded sheet and writes the
// result to outPath in its format: the sheet's own columns, then row,
// line, id, rule, pass, each output, reasons and error. A sheet to be
// recorded is recorded in the ledger before the result is kept.
func (s *Server) decideSheet(ctx context.Context, info rules.RuleInfo, day rules.Date, up upload, outPath string) (*sheetSummary, error) {
	in, err := table.Open(up.path, nil, table.ReadOptions{})
	if err != nil {
		return nil, errorf(http.StatusBadRequest, codeBadUpload, "", "表格无法读取：%v", err)
	}
	defer in.Close()
	header := in.Header()
	fields, idCol, err := sheetColumns(info, header)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, codeBadUpload, "", "%v", err)
	}
	cols := make([]table.Column, 0, len(header)+8+len(info.Outputs))
	for _, h := range header {
		cols = append(cols, table.Column{Name: h, Kind: table.Text})
	}
	cols = append(cols, table.Column{Name: "row", Kind: table.Int}, table.Column{Name: "line", Kind: table.Int},
		table.Column{Name: "id"}, table.Column{Name: "rule"}, table.Column{Name: "pass", Kind: table.Bool})
	for _, o := range info.Outputs {
		k := table.Number
		if o.Rounding.Places == 2 {
			k = table.Money
		}
		cols = append(cols, table.Column{Name: o.Name, Kind: k})
	}
	cols = append(cols, table.Column{Name: "reasons", Kind: table.List}, table.Column{Name: "error", Kind: table.Problem})
	out, err := table.Create(outPath, nil, cols)
	if err != nil {
		return nil, err
	}
	tally := table.NewTally(cols)
	sum := &sheetSummary{Rule: info}
	reasons := map[string]rules.Reason{}
	run, err := s.sheetRun(ctx, info, up, sum)
	if err != nil {
		out.Abort()
		return nil, err
	}
	cells := make([]table.Cell, len(cols))
	for {
		row, values, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rec := record{row: row, line: in.Line()}
		var re *table.RowError
		switch {
		case errors.As(err, &re):
			rec.err = errorf(http.StatusBadRequest, codeBadUpload, "", "该行无法读取 row cannot be read: %v", re.Err)
		case err != nil:
			out.Abort()
			return nil, errorf(http.StatusBadRequest, codeBadUpload, "", "表格第 %d 行之后无法读取：%v", row, err)
		}
		if row > s.limits.Rows {
			out.Abort()
			return nil, errorf(http.StatusRequestEntityTooLarge, codeTooManyRows, "", "表格最多 %d 行记录，请分成几个文件上传", s.limits.Rows)
		}
		if ctx.Err() != nil {
			out.Abort()
			return nil, ctx.Err()
		}
		if rec.err == nil {
			rec.cells = append([]string(nil), values...)
			if idCol >= 0 {
				rec.id = values[idCol]
			}
			input := make(rules.Input, len(info.Inputs)+1)
			for i, name := range fields {
				if name != "" && (name != rules.AsOf || strings.TrimSpace(values[i]) != "") {
					input[name] = rules.Text(values[i])
				}
			}
			if _, ok := input[rules.AsOf]; !ok {
				input[rules.AsOf] = rules.Day(day)
			}
			rec.in = input
			s.decide(ctx, info, &rec)
		}
		rec = run.admit(rec)
		s.settle(rec)
		status := fillRecord(cells, info, rec, len(header))
		if err := tally.Add(status, cells); err != nil {
			out.Abort()
			return nil, err
		}
		if err := out.Write(status, cells); err != nil {
			out.Abort()
			return nil, err
		}
		for _, r := range rec.res.Reasons {
			reasons[r.Code] = r
		}
		switch {
		case status == table.Error && len(sum.Problems) < maxProblems:
			ae := classify(rec.err)
			sum.Problems = append(sum.Problems, problemLine{Row: rec.row, Line: rec.line, ID: rec.id, Field: ae.Field, Reason: ae.Message})
		case status == table.Error:
			sum.More++
		case rec.refused && len(sum.Refused) < maxProblems:
			r := rec.res.Reasons[len(rec.res.Reasons)-1] // the check across records adds its reason last
			sum.Refused = append(sum.Refused, problemLine{Row: rec.row, Line: rec.line, ID: rec.id, Field: r.Code, Reason: r.Message})
		case rec.refused:
			sum.RefusedMore++
		}
	}
	got, err := run.commit(ctx)
	if err != nil {
		out.Abort()
		return nil, err
	}
	if run.rec != nil {
		rc := recordingOf(got)
		sum.Recorded = &rc
	}
	if err := out.Close(append(s.policyLines(info), tally.Lines()...)); err != nil {
		return nil, err
	}
	sum.Records, sum.Passed, sum.Failed, sum.Errored = tally.Records, tally.Passed, tally.Failed, tally.Errors
	for _, o := range info.Outputs {
		if v, ok := tally.Sum(o.Name); ok {
			sum.Sums = append(sum.Sums, sumLine{Name: o.Name, Label: o.Label, Total: v.StringFixed(2)})
		}
	}
	codes := tally.Codes("reasons")
	for _, code := range info.Reasons {
		if n := codes[code]; n > 0 {
			r := reasons[code]
			sum.Reasons = append(sum.Reasons, reasonLine{Code: code, Message: r.Message, Clause: r.Clause, Count: n})
		}
	}
	return sum, nil
}

// sheetColumns maps a sheet's columns to the rule's inputs by name or
// Chinese label, and finds the id column (-1 if none).
func sheetColumns(info rules.RuleInfo, header []string) ([]string, int, error) {
	fields := make([]string, len(header))
	idCol := -1
	seen := map[string]string{}
	for i, h := range header {
		if idCol < 0 && isIDKey(h) {
			idCol = i
		}
		name, ok := info.Field(h)
		if !ok {
			continue
		}
		if prev, dup := seen[name]; dup {
			return nil, -1, fmt.Errorf("“%s”和“%s”两列都是 %s，请删去一列", prev, h, name)
		}
		seen[name] = h
		fields[i] = name
	}
	var missing []string
	for _, in := range info.Inputs {
		if _, ok := seen[in.Name]; !ok {
			missing = append(missing, in.Label+"（"+in.Name+"）")
		}
	}
	if len(missing) > 0 {
		return nil, -1, fmt.Errorf("表格缺少这些列：%s。规则 %s 需要的列是：%s", strings.Join(missing, "、"), info.ID, inputLabels(info))
	}
	return fields, idCol, nil
}

func inputLabels(info rules.RuleInfo) string {
	var s []string
	for _, in := range info.Inputs {
		s = append(s, in.Label)
	}
	return strings.Join(s, "、")
}

// fillRecord renders a record into the output cells and returns its status.
func fillRecord(cells []table.Cell, info rules.RuleInfo, rec record, width int) table.Status {
	clear(cells)
	for i := 0; i < width && i < len(rec.cells); i++ {
		cells[i].Text = rec.cells[i]
	}
	i := width
	cells[i].Text = strconv.Itoa(rec.row)
	cells[i+1].Text = strconv.Itoa(rec.line)
	cells[i+2].Text = rec.id
	cells[i+3].Text = info.ID
	i += 4
	if rec.err != nil {
		ae := classify(rec.err)
		cells[len(cells)-1] = table.Cell{Field: ae.Field, Text: ae.Message}
		return table.Error
	}
	cells[i].Text = strconv.FormatBool(rec.res.Pass)
	i++
	for _, o := range rec.res.Outputs {
		for j, oi := range info.Outputs {
			if oi.Name == o.Name {
				cells[i+j].Text = o.String()
			}
		}
	}
	i += len(info.Outputs)
	codes := make([]string, len(rec.res.Reasons))
	for j, r := range rec.res.Reasons {
		codes[j] = r.Code
	}
	cells[i].List = codes
	if rec.res.Pass {
		return table.OK
	}
	return table.Failed
}

// policyLines name the rule, the policy and its SHA-256 on the summary
// sheet, so a figure can be traced to the rules that produced it.
func (s *Server) policyLines(info rules.RuleInfo) [][]string {
	m := s.set.Meta()
	return [][]string{
		{"规则 rule", info.ID + " " + info.Title},
		{"政策 policy", m.ID + " " + m.Number},
		{"政策文件 policy files", strings.Join(s.set.Sources(), ", ")},
		{"SHA-256", s.set.Hash()},
	}
}
