// Command laboursheet writes a work-relief labour-share sheet of N projects
// whose amounts differ on every row, for measuring `fangpin eval` on it:
//
//	go run ./cmd/laboursheet -n 1000000 > labour.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
)

func main() {
	n := flag.Int("n", 1_000_000, "rows")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, "编号,项目财政资金,劳务报酬发放金额")
	rng := rand.New(rand.NewPCG(2021, 48))
	for i := range *n {
		// fen amounts from 1,000.00 to 100,000,000.00, each row its own; labour 5%–25% of it
		fiscal := 100_000 + int64(i)*9_973 + rng.Int64N(9_973)
		labour := fiscal * (500 + rng.Int64N(2_000)) / 10_000
		fmt.Fprintf(w, "WR%07d,%d.%02d,%d.%02d\n", i+1, fiscal/100, fiscal%100, labour/100, labour%100)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
