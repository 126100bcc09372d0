// Package table reads and writes the record tables county staff work
// with, CSV, XLSX and JSONL, one record at a time, so memory stays the
// same whatever the size of the file. The format follows the file's
// extension (see [FormatOf]); "-" is JSONL on stdin or stdout.
//
//	in, err := table.Open("培训补贴.xlsx", os.Stdin, table.ReadOptions{})
//	if err != nil { ... }                 // no file, no header, no such sheet
//	defer in.Close()
//	out, err := table.Create("结果.xlsx", os.Stdout, cols)
//	if err != nil { ... }
//	for {
//		row, cells, err := in.Next()      // cells line up with in.Header()
//		if errors.Is(err, io.EOF) { break }
//		var re *table.RowError
//		if errors.As(err, &re) { ... }    // write an error record for row; go on
//		else if err != nil { out.Abort(); return err }
//		...
//		if err := out.Write(table.OK, result); err != nil { out.Abort(); return err }
//	}
//	return out.Close(nil)                  // the file appears only now
//
// # Cells are text
//
// A reader gives every cell as the text the user sees, never as a binary
// float, so amounts reach the caller's decimal parser exactly:
//
//   - CSV: UTF-8, with or without a byte-order mark, or GB18030 (which
//     Excel writes on Chinese Windows): detected, or named by
//     [ReadOptions].Encoding. Cells are as written, spaces included.
//   - XLSX: a number cell reads as Excel's General format shows it: the
//     stored value rounded to 15 significant digits (so a computed
//     1799.9999999999998 reads "1800" and 0.1+0.2 reads "0.3"), without
//     an exponent or trailing zeros, whatever display format the cell has
//     ("1,800.00" reads "1800", 3.85% reads "0.0385"). The rounding works
//     on the stored decimal text. A cell with a date format reads
//     YYYY-MM-DD (with " HH:MM:SS" if it has a time of day), a time format
//     HH:MM:SS, a boolean TRUE or FALSE; text is as typed.
//   - JSONL: strings as they are; numbers as their JSON text (1800.00
//     stays "1800.00"); true/false as "true"/"false"; null as ""; a list
//     or an object as its JSON text without spaces (a loan's repayments).
//
// # Header and records
//
// The header is the first non-blank row, except that title lines above
// it — rows with a single filled cell, as a merged title is — are skipped
// when one of the next rows has two filled cells or more. A JSONL file
// has the header the caller names with [ReadOptions].Fields (records may
// then carry different keys, in either language, and keys no one reads
// are ignored), or else the keys of its first object. Blank rows are
// skipped and not counted: records are numbered 1, 2, 3… in file order,
// and [Reader.Line] says where each starts in the file.
//
// A record that cannot be read is a [RowError] for that record, and
// reading goes on: a CSV row with text that is not UTF-8 or with another
// number of cells than the header (short rows included: a missing comma
// would shift every later value); an XLSX row with a filled cell beyond
// the header (short rows are padded: a sheet row ends at its last filled
// cell), a formula with no saved value, or a reference to a shared string
// the workbook lacks; a JSONL line that is not a JSON object or repeats a
// key; in any format, a cell over [MaxCellChars] characters or a record
// over 16 MiB. A CSV quote that encoding/csv cannot read is different:
// where a quote closes decides where every later record starts, so
// reading stops there with a [QuoteError] naming the line.
//
// # Bounds
//
// Every input is from outside and may be built to exhaust memory. Each
// XLSX zip part is read through a reader that checks the sizes the
// archive declares and counts what it inflates, so a lying header does
// not help: a sheet may inflate to 4 GiB, the shared strings to 2 GiB,
// the workbook, its relations and styles (decoded whole) to 16 MiB; past
// 8 MiB a part may not inflate more than 200 times its compressed size;
// and no part may hold more than 4 MiB between two '<', which bounds
// what the XML decoder holds. A cell or shared string longer than
// [MaxCellChars] is not kept; its row is an error that says so.
//
// # Writers
//
// A [Writer] takes [Column]s with a [Kind] that says how each value is
// written: JSONL writes Bool as a JSON bool, Number and Money as strings,
// List as an array and Problem as null or {"field", "message"}; CSV and
// XLSX write lists ";"-joined and problems as their message. [Create]
// writes a file atomically: nothing appears under its name until Close
// succeeds; the hidden temporary file is named after the output and the
// process, and the next run to the same output removes one a killed run
// left. [CreateWith] can keep an input workbook's sheets in an XLSX
// output. CSV output writes cells echoed from the input ([Column].Input)
// that a spreadsheet would run as a formula after a '. XLSX output marks failed and error rows with fills, freezes
// the header and adds a summary sheet (see [Create] and [Tally]).
//
// # Why XLSX is not read through excelize's Rows
//
// excelize's streaming Rows iterator returns each cell either formatted by
// its display format ("1,800.50", "3.85%", "2021年9月1日", and numbers of
// more than 15 digits through float formatting as "1.23456789012346E+20")
// or raw, where a boolean TRUE and the number 1, or a date and its serial
// number, cannot be told apart: it does not give a cell's type or style.
// The reader therefore streams the sheet's XML itself (archive/zip and
// encoding/xml), with the workbook's styles to find date formats. It keeps
// in memory only the styles, one row, and the shared strings of a workbook
// whose shared-string part is under 8 MiB; a larger part is copied to a
// temporary file and read back one string at a time. excelize writes the
// XLSX output, with its stream writer.
//
// # Progress
//
// [Progress] shows a bar on a terminal's stderr for long runs and nothing
// otherwise.
package table
