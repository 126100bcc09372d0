//go:build unix

package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crashEnv, when set in a child process of TestKilledMidBatch, holds the
// ledger the child records into until it kills itself.
const crashEnv = "FANGPIN_LEDGER_CRASH_DSN"

func crashBatch() (ledger.Batch, []ledger.Payment) {
	var pays []ledger.Payment
	for i := range 600 {
		pays = append(pays, grant(fmt.Sprintf("P%04d", i), "B", i+1, "2021-09-30"))
	}
	return batch("crash.csv", grantRule, "2021-09-30"), pays
}

// A process killed (SIGKILL, no chance to roll back) half-way through
// recording a batch leaves nothing of it: the database drops the
// transaction it never committed.
func TestKilledMidBatch(t *testing.T) {
	if dsn := os.Getenv(crashEnv); dsn != "" {
		l, err := ledger.Open(context.Background(), dsn)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		ledger.SetAfterPay(l, func(n int) error {
			if n == 300 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal arrives; never return
			}
			return nil
		})
		b, pays := crashBatch()
		l.Record(context.Background(), b, pays, nil)
		os.Exit(4) // not reached
	}
	eachDB(t, func(t *testing.T, dsn string) {
		open(t, dsn).Close() // create the schema before the child records
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidBatch$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dsn)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "child: %v %s", err, out)
		ws, ok := ee.Sys().(syscall.WaitStatus)
		require.True(t, ok)
		require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "child ended by %v: %s", err, out)

		l := open(t, dsn)
		assert.Equal(t, 0, count(t, l, "batches"))
		assert.Equal(t, 0, count(t, l, "payments"))
		b, pays := crashBatch()
		rec, err := l.Record(context.Background(), b, pays, nil)
		require.NoError(t, err)
		assert.False(t, rec.Already)
		assert.Equal(t, 600, count(t, l, "payments"))
	})
}
