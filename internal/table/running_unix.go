//go:build unix

package table

import (
	"errors"
	"syscall"
)

// processRunning reports whether process pid is running, by sending it
// the null signal; known is false when that cannot tell.
func processRunning(pid int) (running, known bool) {
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true
	case errors.Is(err, syscall.ESRCH):
		return false, true
	}
	return false, false
}
