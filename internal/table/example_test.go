package table_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ruralrelief/fangpin/internal/table"
)

// Read a sheet record by record; a record that cannot be read is reported
// and reading goes on.
func ExampleOpen() {
	in, err := table.Open("testdata/read/title.csv", nil, table.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer in.Close()
	fmt.Println(in.Header())
	for {
		row, cells, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *table.RowError
		if errors.As(err, &re) {
			fmt.Printf("row %d (line %d): %v\n", row, re.Line, re.Err)
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("row %d (line %d): %q\n", row, in.Line(), cells)
	}
	// Output:
	// [编号 姓名 脱贫人口 金额]
	// row 1 (line 4): ["P1" "张三" "是" "2000.00"]
	// row 2 (line 5): ["P2" "李四" "否" ""]
}

// Numbers in JSONL are read from their text, never through a float.
func ExampleNewReader() {
	in, err := table.NewReader(strings.NewReader(`{"id":"P1","travel_cost":1800.00,"back_to_work":true,"note":null}`), table.JSONL, table.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, cells, _ := in.Next()
	fmt.Printf("%q %q\n", in.Header(), cells)
	// Output:
	// ["id" "travel_cost" "back_to_work" "note"] ["P1" "1800.00" "true" ""]
}

// Each column's kind says how JSONL writes it: a bool, a decimal as a
// string, a list of codes, an error object or null.
func ExampleNewWriter() {
	cols := []table.Column{{Name: "row", Kind: table.Int}, {Name: "pass", Kind: table.Bool},
		{Name: "amount", Kind: table.Money}, {Name: "reasons", Kind: table.List}, {Name: "error", Kind: table.Problem}}
	w, err := table.NewWriter(os.Stdout, table.JSONL, cols)
	if err != nil {
		fmt.Println(err)
		return
	}
	w.Write(table.Failed, []table.Cell{{Text: "1"}, {Text: "false"}, {Text: "0.00"}, {List: []string{"not-disaster-affected"}}, {}})
	w.Write(table.Error, []table.Cell{{Text: "2"}, {}, {}, {}, {Field: "months", Text: `months: "2.5" is not a whole number`}})
	if err := w.Close(nil); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"row":1,"pass":false,"amount":"0.00","reasons":["not-disaster-affected"],"error":null}
	// {"row":2,"pass":null,"amount":"","reasons":[],"error":{"field":"months","message":"months: \"2.5\" is not a whole number"}}
}

// A Tally sums money exactly and counts reason codes.
func ExampleTally() {
	cols := []table.Column{{Name: "amount", Kind: table.Money}, {Name: "reasons", Kind: table.List}}
	t := table.NewTally(cols)
	t.Add(table.OK, []table.Cell{{Text: "0.10"}, {}})
	t.Add(table.OK, []table.Cell{{Text: "0.20"}, {}})
	t.Add(table.Failed, []table.Cell{{Text: "0.00"}, {List: []string{"not-back-to-work"}}})
	for _, l := range t.Lines() {
		fmt.Println(l[0], l[1])
	}
	// Output:
	// 记录数 records 3
	// 符合条件 passed 2
	// 不符合条件 not passed 1
	// 无法判定 errors 0
	// 合计 amount 0.30
	// reasons not-back-to-work 1
}
