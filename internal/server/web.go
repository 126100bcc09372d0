package server

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ruralrelief/fangpin/internal/weekly"
	"github.com/ruralrelief/fangpin/measures"
	"github.com/ruralrelief/fangpin/rules"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every page template is rendered with; each page fills
// the part it shows.
type page struct {
	Title  string
	Nav    string
	Policy policyJSON
	Rules  []rules.RuleInfo
	Error  string

	// The upload page.
	Rule      string
	AsOf      string
	Format    string
	HasLedger bool   // the server keeps a ledger: offer to record the sheet
	Record    bool   // the checkbox 记入台账
	Clerk     string // 经办人
	Summary   *sheetSummary

	// The one-case page.
	Info        rules.RuleInfo
	Fields      []formField
	Decided     bool
	Result      rules.Result
	Explanation string

	// The policy browser.
	Params   []paramHistory
	Measures []measures.Measure

	// The weekly table.
	County   string
	Date     string
	Weekly   *weekly.Table
	Download template.URL
}

// formField is one input of the one-case form.
type formField struct {
	Name, Label string
	Type        rules.Type
	Choices     []string
	Value       string
	Bad         bool // the field the error is about
}

func (s *Server) parseTemplates() error {
	funcs := template.FuncMap{"join": strings.Join}
	s.tmpl = map[string]*template.Template{}
	for _, name := range []string{"index", "case", "policy", "weekly"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("server: templates: %v", err)
		}
		s.tmpl[name] = t
	}
	return nil
}

func (s *Server) pages(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("POST /upload", s.handleUpload)
	mux.Handle("GET /upload", http.RedirectHandler("/", http.StatusSeeOther))
	mux.HandleFunc("GET /case", s.handleCase)
	mux.HandleFunc("GET /policy", s.handlePolicy)
	mux.HandleFunc("GET /weekly", s.handleWeekly)
	mux.HandleFunc("GET /weekly.xlsx", s.handleWeeklyXLSX)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			p := s.page("上传表格", "upload")
			p.Error = fmt.Sprintf("%s 不能用 %s 打开", prefix(r.URL.Path, 80), r.Method)
			s.render(w, http.StatusMethodNotAllowed, "index", p)
			return
		}
		p := s.page("找不到页面", "")
		p.Error = fmt.Sprintf("没有这个页面：%s", prefix(r.URL.Path, 80))
		s.render(w, http.StatusNotFound, "index", p)
	})
}

func (s *Server) page(title, nav string) *page {
	return &page{Title: title, Nav: nav, Policy: s.policyInfo(), Rules: s.rules, AsOf: s.today().String(), Format: "xlsx",
		HasLedger: s.ledger != nil}
}

// render writes a page; a template that fails is a fault of the server.
func (s *Server) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.tmpl[name].ExecuteTemplate(&buf, name, p); err != nil {
		s.log.Error("template failed", "page", name, "err", err)
		http.Error(w, "页面生成失败 the page could not be made", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client may have gone; nothing is left to tell it
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "index", s.page("上传表格", "upload"))
}

// handleCase shows the form for one case of a rule and, once submitted,
// the decision with its explanation and the clause.
func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) {
	p := s.page("单项测算", "case")
	q := r.URL.Query()
	id := q.Get("rule")
	if id == "" {
		id = s.rules[0].ID
	}
	info, ae := s.ruleOf(id)
	if ae != nil {
		p.Error = "没有这条规则：" + prefix(id, 40)
		s.render(w, http.StatusNotFound, "case", p)
		return
	}
	p.Info, p.Rule = info, info.ID
	p.Fields = append(p.Fields, formField{Name: rules.AsOf, Label: "判定日期", Type: rules.TypeDate, Value: q.Get(rules.AsOf)})
	if p.Fields[0].Value == "" {
		p.Fields[0].Value = p.AsOf
	}
	for _, in := range info.Inputs {
		p.Fields = append(p.Fields, formField{Name: in.Name, Label: in.Label, Type: in.Type, Choices: in.Choices, Value: q.Get(in.Name)})
	}
	if q.Get("decide") == "" {
		s.render(w, http.StatusOK, "case", p)
		return
	}
	var fields []field
	for _, f := range p.Fields {
		if utf8.RuneCountInString(f.Value) > 200 {
			p.Error = fmt.Sprintf("%s（%s）太长", f.Label, f.Name)
			s.render(w, http.StatusBadRequest, "case", p)
			return
		}
		if strings.TrimSpace(f.Value) != "" { // an empty box or 请选择 is a missing input
			fields = append(fields, field{key: f.Name, text: f.Value})
		}
	}
	in, id, ae := inputOf(info, fields, s.today())
	if ae == nil {
		rec := record{id: id, in: in}
		s.decide(r.Context(), info, &rec)
		s.settle(rec)
		p.Result = rec.res
		if rec.err != nil {
			ae = classify(rec.err)
		}
	}
	if ae != nil {
		p.Error = ae.Message
		for i := range p.Fields {
			p.Fields[i].Bad = p.Fields[i].Name == ae.Field
		}
		s.render(w, ae.Status, "case", p)
		return
	}
	p.Decided = true
	p.Explanation = explanationText(p.Result)
	s.render(w, http.StatusOK, "case", p)
}

func (s *Server) handlePolicy(w http.ResponseWriter, r *http.Request) {
	p := s.page("政策浏览", "policy")
	p.Params = s.params
	p.Measures = s.reg.Measures
	s.render(w, http.StatusOK, "policy", p)
}

// weeklyTable reads the county and day of a weekly-table request.
func (s *Server) weeklyTable(r *http.Request) (county, date string, t *weekly.Table, err error) {
	q := r.URL.Query()
	county, date = strings.TrimSpace(q.Get("county")), strings.TrimSpace(q.Get("date"))
	if county == "" {
		return county, date, nil, nil
	}
	if n := utf8.RuneCountInString(county); n > 40 {
		return county, date, nil, errors.New("县（市、区）名称太长，最多 40 个字")
	}
	day := s.today()
	if date != "" {
		if day, err = rules.ParseDate(date); err != nil {
			return county, date, nil, fmt.Errorf("日期 %s 不对，请写成 2021-09-03 这样：%v", prefix(date, 20), err)
		}
	}
	tb := weekly.Build(s.reg, county, day, measures.Progress{})
	return county, day.String(), &tb, nil
}

func (s *Server) handleWeekly(w http.ResponseWriter, r *http.Request) {
	p := s.page("周调度表", "weekly")
	county, date, t, err := s.weeklyTable(r)
	p.County, p.Date, p.Weekly = county, date, t
	if p.Date == "" {
		p.Date = p.AsOf
	}
	if err != nil {
		p.Error = err.Error()
		s.render(w, http.StatusBadRequest, "weekly", p)
		return
	}
	if t != nil {
		// Query().Encode escapes every value: the link cannot leave the query.
		p.Download = template.URL("/weekly.xlsx?" + r.URL.Query().Encode()) //nolint:gosec // G203, see above
	}
	s.render(w, http.StatusOK, "weekly", p)
}

func (s *Server) handleWeeklyXLSX(w http.ResponseWriter, r *http.Request) {
	county, date, t, err := s.weeklyTable(r)
	if err == nil && t == nil {
		err = errors.New("请填写县（市、区）名称 county")
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var buf bytes.Buffer
	if err := weekly.Write(&buf, weekly.XLSX, *t); err != nil {
		s.log.Error("weekly table failed", "county", county, "err", err)
		http.Error(w, "周调度表生成失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition(county+"周调度表"+date+".xlsx"))
	_, _ = w.Write(buf.Bytes()) // the client may have gone; nothing is left to tell it
}

// contentDisposition names a download, in ASCII for old clients and in
// UTF-8 (RFC 6266) for the rest.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, name)
	if ascii == "" || strings.HasPrefix(ascii, ".") {
		ascii = "fangpin" + ascii
	}
	return fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s", ascii, urlEscape(name))
}

func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
