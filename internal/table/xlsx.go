package table

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxReader streams the rows of one sheet straight from the workbook's
// XML (see [Open] for why not through excelize's Rows), so every cell is
// read from the text Excel stored. Memory holds the styles, the shared
// strings of a small workbook (a large one's go to a temporary file) and
// one row.
type xlsxReader struct {
	zr     *zip.ReadCloser
	sheet  io.ReadCloser
	dec    *xml.Decoder
	shared sharedStrings
	// longShared holds the shared strings too long to keep, by index,
	// with their length in bytes: a cell that uses one is a row error.
	longShared map[int]int
	styles     []cellKind // per cell style index
	date1904   bool
	rows       rowSource
	lastRow    int      // the sheet row number of the last row read
	scratch    []string // the cells of the row being read
	v          []byte   // the <v> of the cell being read
	inline     []byte   // the inline text of the cell being read
	rowBytes   int      // the text of the row being read, in bytes
}

// cellKind is what a cell's number format makes of a number.
type cellKind uint8

const (
	plainNumber cellKind = iota // shown as General
	dateCell                    // a date, or a date and time
	timeCell                    // a time of day only
)

func openXLSX(p, sheet string) (*xlsxReader, error) {
	return openXLSXLimit(p, sheet, sstInMemory)
}

// openXLSXLimit opens a workbook, keeping shared strings in memory up to
// sstLimit bytes of XML.
func openXLSXLimit(p, sheet string, sstLimit uint64) (*xlsxReader, error) {
	zr, err := zip.OpenReader(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not an .xlsx workbook: %v", p, err)
	}
	r := &xlsxReader{zr: zr}
	if err := r.open(sheet, sstLimit); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return r, nil
}

func (r *xlsxReader) file(name string) *zip.File {
	for _, f := range r.zr.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// decodePart decodes a part of the workbook into v; an absent part leaves v.
func (r *xlsxReader) decodePart(name string, v any) error {
	f := r.file(name)
	if f == nil {
		return nil
	}
	rc, err := openPart(f, maxSmallPart)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }() // read only
	return xml.NewDecoder(rc).Decode(v)
}

func (r *xlsxReader) open(sheet string, sstLimit uint64) error {
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
			// Strict Open XML names the relationship namespace differently.
			StrictRID string `xml:"http://purl.oclc.org/ooxml/officeDocument/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := r.decodePart("xl/workbook.xml", &wb); err != nil {
		return fmt.Errorf("workbook: %v", err)
	}
	if len(wb.Sheets) == 0 {
		return errors.New("the workbook has no sheets")
	}
	r.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	pick := 0
	if sheet != "" {
		pick = -1
		var names []string
		for i, s := range wb.Sheets {
			names = append(names, s.Name)
			if s.Name == sheet {
				pick = i
			}
		}
		if pick < 0 {
			return fmt.Errorf("no sheet %q (sheets: %s)", sheet, strings.Join(names, ", "))
		}
	}
	rid := wb.Sheets[pick].RID + wb.Sheets[pick].StrictRID
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := r.decodePart("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return fmt.Errorf("workbook relations: %v", err)
	}
	target := ""
	for _, rel := range rels.Rels {
		if rel.ID == rid {
			target = rel.Target
		}
	}
	if target == "" {
		return fmt.Errorf("sheet %q has no part in the workbook", wb.Sheets[pick].Name)
	}
	if strings.HasPrefix(target, "/") {
		target = strings.TrimPrefix(target, "/")
	} else {
		target = path.Join("xl", target)
	}
	if err := r.readShared(sstLimit); err != nil {
		return fmt.Errorf("shared strings: %v", err)
	}
	if err := r.readStyles(); err != nil {
		return fmt.Errorf("styles: %v", err)
	}
	f := r.file(target)
	if f == nil {
		return fmt.Errorf("sheet part %q is missing", target)
	}
	rc, err := openPart(f, maxSheetPart)
	if err != nil {
		return err
	}
	r.sheet, r.dec = rc, xml.NewDecoder(rc)
	r.rows.next = r.readRow
	return r.rows.start("the sheet is empty: no header row")
}

func (r *xlsxReader) readShared(limit uint64) error {
	f := r.file("xl/sharedStrings.xml")
	if f == nil {
		r.shared = &memStrings{}
		return nil
	}
	rc, err := openPart(f, maxSharedPart)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }() // read only
	r.shared, r.longShared, err = readSharedStrings(rc, f.UncompressedSize64, limit)
	return err
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
	if err := r.decodePart("xl/styles.xml", &st); err != nil {
		return err
	}
	custom := map[int]string{}
	for _, f := range st.NumFmts {
		custom[f.ID] = f.Code
	}
	r.styles = make([]cellKind, len(st.Xfs))
	for i, xf := range st.Xfs {
		r.styles[i] = formatKind(xf.NumFmtID, custom[xf.NumFmtID])
	}
	return nil
}

// formatKind tells whether number format id (with code, if custom) shows
// a date, a time of day, or a number. The built-in formats are Excel's,
// including those of Chinese Excel (27–36, 50–58: 年月日 and 时分秒).
// A custom code is a date if, outside quotes, brackets and escapes, it has
// a year or day part (y, d), or a month (m) and no hours or seconds; it is
// a time if it has hours or seconds (h, s, or elapsed [h], [mm], [ss]) and
// no date part.
func formatKind(id int, code string) cellKind {
	switch id {
	case 14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58:
		return dateCell
	case 18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47, 55, 56:
		return timeCell
	}
	var date, month, clock bool
	code = strings.ToLower(code)
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"': // literal text
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '[': // a colour, locale, condition or elapsed time
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				i = len(code)
				continue
			}
			in := code[i+1 : i+1+j]
			if in != "" && (strings.Trim(in, "h") == "" || strings.Trim(in, "m") == "" || strings.Trim(in, "s") == "") {
				clock = true
			}
			i += j + 1
		case '\\', '_', '*': // the next character is shown, padded or repeated
			i++
		case 'y', 'd':
			date = true
		case 'm':
			month = true
		case 'h', 's':
			clock = true
		}
	}
	switch {
	case date, month && !clock:
		return dateCell
	case clock:
		return timeCell
	}
	return plainNumber
}

// readRow reads the next <row>: its sheet row number and cells, which are
// valid until the next call. A row with a cell that cannot be read (too
// long, a formula with no saved value) is read to its end and given as a
// *rowProblem, so reading goes on with the next row.
func (r *xlsxReader) readRow() (int, []string, error) {
	rowNum := 0
	for rowNum == 0 {
		tok, err := r.dec.RawToken()
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, fmt.Errorf("sheet: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
			rowNum = r.lastRow + 1
			if rowNum > excelize.TotalRows {
				return 0, nil, fmt.Errorf("sheet: more than %d rows", excelize.TotalRows)
			}
			for _, a := range se.Attr {
				if a.Name.Local != "r" {
					continue
				}
				if n, err := strconv.Atoi(a.Value); err == nil && n > r.lastRow && n <= excelize.TotalRows {
					rowNum = n
				}
			}
		}
	}
	cells := r.scratch[:0]
	r.rowBytes = 0
	var problem error
	for {
		tok, err := r.dec.RawToken()
		if err != nil {
			return 0, nil, fmt.Errorf("sheet row %d: %v", rowNum, unexpectedEOF(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			col, text, err := r.readCell(t)
			if err != nil {
				return 0, nil, fmt.Errorf("sheet row %d: %v", rowNum, err)
			}
			if col < 0 {
				col = len(cells)
			}
			if col >= excelize.MaxColumns {
				return 0, nil, fmt.Errorf("sheet row %d: a cell beyond column %d", rowNum, excelize.MaxColumns)
			}
			if problem != nil {
				continue // the row is an error; its cells are not kept
			}
			if text.problem != nil {
				name, _ := excelize.CoordinatesToCellName(col+1, rowNum)
				problem = fmt.Errorf("cell %s %v", name, text.problem)
				continue
			}
			if r.rowBytes += len(text.s); r.rowBytes > maxRecord {
				problem = fmt.Errorf("the row holds more than %s of text", byteSize(maxRecord))
				continue
			}
			for len(cells) <= col {
				cells = append(cells, "")
			}
			cells[col] = text.s
		case xml.EndElement:
			if t.Name.Local == "row" {
				r.scratch, r.lastRow = cells[:0], rowNum
				if problem != nil {
					return rowNum, nil, &rowProblem{line: rowNum, err: problem}
				}
				return rowNum, cells, nil
			}
		}
	}
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// maxCellBytes is the most bytes of a cell's text kept while reading it:
// MaxCellChars characters of up to 4 bytes each. A longer text is a row
// error; a text between MaxCellChars characters and this is caught by
// counting its characters (see checkCells).
const maxCellBytes = 4 * MaxCellChars

// cellValue is a cell's text, or why it cannot be read.
type cellValue struct {
	s       string
	problem error
}

// readCell reads one <c> element and returns its 0-based column (-1 if it
// has no reference) and its text. An error means the sheet's XML cannot be
// read on; a cell that cannot be read is a cellValue with a problem.
func (r *xlsxReader) readCell(se xml.StartElement) (int, cellValue, error) {
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
	r.v, r.inline = r.v[:0], r.inline[:0]
	in, phonetic := "", 0
	var formula []byte
	hasV, hasF, long := false, false, false
	keep := func(buf []byte, t []byte) []byte {
		if len(buf)+len(t) > maxCellBytes {
			long = true
			return buf
		}
		return append(buf, t...)
	}
	for {
		tok, err := r.dec.RawToken()
		if err != nil {
			return 0, cellValue{}, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local
			switch in {
			case "rPh":
				phonetic++
			case "v":
				hasV = true
			case "f":
				hasF = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "c":
				switch {
				case long:
					return col, cellValue{problem: fmt.Errorf("holds more than %d characters, the most a cell may hold", MaxCellChars)}, nil
				case hasF && !hasV:
					return col, cellValue{problem: fmt.Errorf("has a formula (=%s) with no saved value: open the file in Excel or WPS and save it, so that the value is stored", short(string(formula)))}, nil
				}
				s, problem := r.cellText(typ, style)
				return col, cellValue{s: s, problem: problem}, nil
			case "rPh":
				phonetic--
			}
			in = ""
		case xml.CharData:
			switch {
			case in == "v":
				r.v = keep(r.v, t)
			case in == "t" && phonetic == 0:
				r.inline = keep(r.inline, t)
			case in == "f" && len(formula) < 64:
				formula = append(formula, t[:min(len(t), 64)]...)
			}
		}
	}
}

// cellText returns the text a cell shows, from its type, style and the
// value or inline text just read.
func (r *xlsxReader) cellText(typ string, style int) (string, error) {
	switch typ {
	case "s":
		v := strings.TrimSpace(string(r.v))
		i, err := strconv.Atoi(v)
		if err != nil {
			return "", fmt.Errorf("refers to shared string %q, which is not an index", short(v))
		}
		if n, ok := r.longShared[i]; ok {
			return "", fmt.Errorf("uses shared string %d, which holds %s of text; a cell holds at most %d characters", i, byteSize(uint64(n)), MaxCellChars)
		}
		s, ok := r.shared.get(i)
		if !ok {
			return "", fmt.Errorf("refers to shared string %d, which the workbook does not have", i)
		}
		return s, nil
	case "inlineStr":
		return string(r.inline), nil
	case "str", "e":
		return string(r.v), nil
	case "b":
		if strings.TrimSpace(string(r.v)) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	case "d": // an ISO 8601 date-time
		v := string(r.v)
		if len(v) >= 10 && v[4] == '-' && v[7] == '-' {
			return v[:10], nil
		}
		return v, nil
	}
	if len(r.v) == 0 {
		return "", nil
	}
	v := strings.TrimSpace(string(r.v))
	kind := plainNumber
	if style >= 0 && style < len(r.styles) {
		kind = r.styles[style]
	}
	if kind != plainNumber {
		if days, secs, ok := serialParts(v); ok {
			if kind == timeCell {
				return clockText(secs), nil
			}
			if secs == 0 {
				return serialDate(days, r.date1904), nil
			}
			return serialDate(days, r.date1904) + " " + clockText(secs), nil
		}
	}
	return generalText(v), nil
}

func (r *xlsxReader) Header() []string { return r.rows.header }

func (r *xlsxReader) Next() (int, []string, error) { return r.rows.nextRecord() }

func (r *xlsxReader) Line() int { return r.rows.recLine }

func (r *xlsxReader) Close() error {
	if r.sheet != nil {
		_ = r.sheet.Close()
	}
	if r.shared != nil {
		_ = r.shared.close()
	}
	return r.zr.Close()
}
