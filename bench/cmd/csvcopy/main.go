// Command csvcopy reads a CSV file and writes each record with as many
// columns as `fangpin eval work-relief-labour-share` writes, through
// encoding/csv and nothing else: the I/O floor eval's throughput is compared
// with.
//
//	csvcopy labour.csv out.csv
package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

func main() {
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	g, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(g)
	r, w := csv.NewReader(bufio.NewReader(f)), csv.NewWriter(bw)
	r.ReuseRecord = true
	// row, line, id, the three inputs, rule, pass, share, required, shortfall, reasons, error
	rec := make([]string, 13)
	for row := 0; ; row++ {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rec[0], rec[1] = strconv.Itoa(row), strconv.Itoa(row+1)
		copy(rec[2:5], cells)
		rec[5], rec[6], rec[7], rec[8], rec[9], rec[10] = "work-relief-labour-share", "true", cells[1], cells[2], cells[1], ""
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return g.Close()
}
