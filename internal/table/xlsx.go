package table

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// xlsxReader streams the rows of one sheet straight from the workbook's
// XML, so every cell is read from the text Excel stored. Numbers are shown
// as Excel shows a General cell: rounded to 15 significant digits, so a
// stored 1799.9999999999998 reads "1800" and 0.30000000000000004 reads
// "0.3". Cells with a date format read as YYYY-MM-DD; booleans as
// TRUE/FALSE. Only the shared-string table is held in memory.
type xlsxReader struct {
	zr       *zip.ReadCloser
	sheet    io.ReadCloser
	dec      *xml.Decoder
	shared   []string
	dates    map[int]bool // style index → has a date format
	date1904 bool
	header   []string
	row      int
	lastRow  int // the sheet's own row number of the last row read
	cells    []string
}

func openXLSX(p, sheet string) (Reader, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("%s: not an .xlsx workbook: %v", p, err)
	}
	r := &xlsxReader{zr: zr}
	if err := r.open(sheet); err != nil {
		zr.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return r, nil
}

func (r *xlsxReader) file(name string) *zip.File {
	for _, f := range r.zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// part opens a part of the workbook; an absent part gives nil, nil.
func (r *xlsxReader) part(name string) (io.ReadCloser, error) {
	f := r.file(name)
	if f == nil {
		return nil, nil
	}
	return f.Open()
}

// decodeFile decodes a part of the workbook into v; an absent part leaves v.
func (r *xlsxReader) decodeFile(name string, v any) error {
	rc, err := r.part(name)
	if rc == nil || err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v)
}

func (r *xlsxReader) open(sheet string) error {
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := r.decodeFile("xl/workbook.xml", &wb); err != nil {
		return fmt.Errorf("workbook: %v", err)
	}
	if len(wb.Sheets) == 0 {
		return errors.New("the workbook has no sheets")
	}
	r.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	rid := wb.Sheets[0].RID
	if sheet != "" {
		rid = ""
		var names []string
		for _, s := range wb.Sheets {
			names = append(names, s.Name)
			if s.Name == sheet {
				rid = s.RID
			}
		}
		if rid == "" {
			return fmt.Errorf("no sheet %q (sheets: %s)", sheet, strings.Join(names, ", "))
		}
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := r.decodeFile("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return fmt.Errorf("workbook relations: %v", err)
	}
	target := ""
	for _, rel := range rels.Rels {
		if rel.ID == rid {
			target = rel.Target
		}
	}
	if strings.HasPrefix(target, "/") {
		target = strings.TrimPrefix(target, "/")
	} else {
		target = path.Join("xl", target)
	}
	if err := r.readShared(); err != nil {
		return fmt.Errorf("shared strings: %v", err)
	}
	if err := r.readStyles(); err != nil {
		return fmt.Errorf("styles: %v", err)
	}
	f := r.file(target)
	if f == nil {
		return fmt.Errorf("sheet file %q is missing", target)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	r.sheet, r.dec = rc, xml.NewDecoder(rc)
	for {
		n, cells, err := r.readRow()
		if err == io.EOF {
			return errors.New("the sheet is empty: no header row")
		}
		if err != nil {
			return err
		}
		if allEmpty(cells) {
			continue
		}
		r.lastRow = n
		r.header = make([]string, len(cells))
		for i, c := range cells {
			r.header[i] = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
		}
		r.cells = make([]string, len(r.header))
		return nil
	}
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (r *xlsxReader) readShared() error {
	rc, err := r.part("xl/sharedStrings.xml")
	if rc == nil || err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var b strings.Builder
	inSI, inT, inRPh := false, false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "t":
				inT = inSI
			case "rPh": // phonetic hints are not part of the text
				inRPh = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				r.shared = append(r.shared, b.String())
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			}
		case xml.CharData:
			if inT && !inRPh {
				b.Write(t)
			}
		}
	}
}

func (r *xlsxReader) readStyles() error {
	var st struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := r.decodeFile("xl/styles.xml", &st); err != nil {
		return err
	}
	custom := map[int]string{}
	for _, f := range st.NumFmts {
		custom[f.ID] = f.Code
	}
	r.dates = map[int]bool{}
	for i, xf := range st.Xfs {
		if isDateFormat(xf.NumFmtID, custom[xf.NumFmtID]) {
			r.dates[i] = true
		}
	}
	return nil
}

// isDateFormat reports whether a number format shows a date: the built-in
// date formats 14–22 and 27–36, 45–47, 50–58, or a custom code with a day,
// month or year part outside quotes and brackets.
func isDateFormat(id int, code string) bool {
	switch {
	case id >= 14 && id <= 22, id >= 27 && id <= 36, id >= 45 && id <= 47, id >= 50 && id <= 58:
		return true
	case code == "":
		return false
	}
	inQuote, inBracket := false, false
	for _, c := range strings.ToLower(code) {
		switch {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '[':
			inBracket = true
		case c == ']':
			inBracket = false
		case inBracket:
		case c == 'y', c == 'd', c == 'm':
			return true
		}
	}
	return false
}

// readRow reads the next <row> and returns its number and cells.
func (r *xlsxReader) readRow() (int, []string, error) {
	rowNum := 0
	for rowNum == 0 {
		tok, err := r.dec.Token()
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, fmt.Errorf("sheet: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
			rowNum = r.lastRow + 1
			for _, a := range se.Attr {
				if n, err := strconv.Atoi(a.Value); a.Name.Local == "r" && err == nil {
					rowNum = n
				}
			}
		}
	}
	var cells []string
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return 0, nil, fmt.Errorf("sheet: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			col, text, err := r.readCell(t)
			if err != nil {
				return 0, nil, err
			}
			if col < 0 {
				col = len(cells)
			}
			if col >= excelize.MaxColumns {
				return 0, nil, fmt.Errorf("sheet: cell column %d is out of range", col+1)
			}
			for len(cells) <= col {
				cells = append(cells, "")
			}
			cells[col] = text
		case xml.EndElement:
			if t.Name.Local == "row" {
				return rowNum, cells, nil
			}
		}
	}
}

// readCell reads one <c> element and returns its 0-based column (or -1 if
// it has no reference) and its text.
func (r *xlsxReader) readCell(se xml.StartElement) (int, string, error) {
	col, typ, style := -1, "", 0
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "r":
			if c, _, err := excelize.CellNameToCoordinates(a.Value); err == nil {
				col = c - 1
			}
		case "t":
			typ = a.Value
		case "s":
			style, _ = strconv.Atoi(a.Value)
		}
	}
	var v, inline strings.Builder
	in := ""
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return 0, "", fmt.Errorf("sheet: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local
		case xml.EndElement:
			if t.Name.Local == "c" {
				return col, r.cellText(typ, style, v.String(), inline.String()), nil
			}
			in = ""
		case xml.CharData:
			switch in {
			case "v":
				v.Write(t)
			case "t":
				inline.Write(t)
			}
		}
	}
}

func (r *xlsxReader) cellText(typ string, style int, v, inline string) string {
	switch typ {
	case "s":
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(r.shared) {
			return ""
		}
		return r.shared[i]
	case "inlineStr":
		return inline
	case "str", "e":
		return v
	case "b":
		if v == "1" {
			return "TRUE"
		}
		return "FALSE"
	}
	if v == "" {
		return ""
	}
	if r.dates[style] {
		if d, ok := excelDate(v, r.date1904); ok {
			return d
		}
	}
	return generalNumber(v)
}

// generalNumber shows a stored number as Excel's General format does: at
// most 15 significant digits, no exponent for everyday magnitudes.
func generalNumber(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	d, err := decimal.NewFromString(strconv.FormatFloat(f, 'g', 15, 64))
	if err != nil {
		return v
	}
	return d.String()
}

// excelDate turns a date serial number into YYYY-MM-DD.
func excelDate(v string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 2958465 {
		return "", false
	}
	days := int(math.Floor(f))
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	} else if days < 61 {
		// Excel counts a 1900-02-29 that never was; before it, serials are one day off.
		days++
	}
	return base.AddDate(0, 0, days).Format(time.DateOnly), true
}

func (r *xlsxReader) Header() []string { return r.header }

func (r *xlsxReader) Next() (int, []string, error) {
	for {
		n, cells, err := r.readRow()
		if err != nil {
			return 0, nil, err
		}
		r.lastRow = n
		if allEmpty(cells) {
			continue // a blank line in the sheet is not a record
		}
		r.row++
		if len(cells) > len(r.header) && !allEmpty(cells[len(r.header):]) {
			return r.row, nil, &RowError{Row: r.row, Err: fmt.Errorf("sheet row %d has cells beyond the %d header columns", n, len(r.header))}
		}
		k := copy(r.cells, cells)
		clear(r.cells[k:])
		return r.row, r.cells, nil
	}
}

func (r *xlsxReader) Close() error {
	if r.sheet != nil {
		r.sheet.Close()
	}
	return r.zr.Close()
}
