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
//     stays "1800.00"); true/false as "true"/"false"; null as "".
//
// # Header and records
//
// The header is the first non-blank row, except that title lines above
// it — rows with a single filled cell, as a merged title is — are skipped
// when one of the next rows has two filled cells or more. JSONL takes the
// keys of the first object. Blank rows are skipped and not counted:
// records are numbered 1, 2, 3… in file order, and [Reader.Line] says
// where each starts in the file.
//
// A record that cannot be read is a [RowError] for that record, and
// reading goes on: a CSV row with a quoting error, with text that is not
// UTF-8 or with another number of cells than the header (short rows
// included: a missing comma would shift every later value); an XLSX row
// with a filled cell beyond the header (short rows are padded: a sheet row
// ends at its last filled cell); a JSONL line that is not an object of
// plain values, repeats a key or has a key not in the header (missing keys
// are ""). A CSV quote left open runs to the end of the file, as in
// Excel: the rest of the file is that one bad record.
//
// # Writers
//
// A [Writer] takes [Column]s with a [Kind] that says how each value is
// written: JSONL writes Bool as a JSON bool, Number and Money as strings,
// List as an array and Problem as null or {"field", "message"}; CSV and
// XLSX write lists ";"-joined and problems as their message. [Create]
// writes a file atomically: nothing appears under its name until Close
// succeeds. XLSX output marks failed and error rows with fills, freezes
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
