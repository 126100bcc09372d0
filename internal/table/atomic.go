package table

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// committer is an output that becomes visible only when committed.
type committer interface {
	io.Writer
	Commit() error
	Abort()
}

// File is an output file that appears under its name only on Commit. Until
// then it is a hidden temporary file in the same directory; Abort removes
// it. Commit and Abort may each be called more than once, and Abort after
// Commit does nothing. Bytes are written a little behind Write, so a
// failed write is reported by a later Write or by Commit.
type File interface {
	io.Writer
	// Commit flushes the file to disk and renames it into place,
	// replacing any file of that name. On failure the temporary file is
	// removed.
	Commit() error
	// Abort removes the temporary file.
	Abort()
}

// CreateFile creates path atomically, for output that is not a table (a
// report, a Markdown file): written to a temporary file beside it and
// renamed into place on Commit.
func CreateFile(path string) (File, error) { return createAtomic(path) }

// atomicFile writes to a temporary file beside the target and renames it
// into place on Commit, so a reader never sees a half-written file. The
// bytes are written by a goroutine of its own, a chunk behind the caller,
// so that the caller goes on with the next records while the system takes
// the last ones; a failed write is reported by the next Write or by Commit.
type atomicFile struct {
	f    *os.File
	path string
	mode os.FileMode
	done bool

	chunks chan []byte // to the writing goroutine
	free   chan []byte // back from it, to be filled again
	wrote  chan error  // its first error, once chunks is closed
	failed atomic.Bool // it has failed: Write stops at once
}

// atomicChunks is how many chunks may be on their way at once.
const atomicChunks = 2

func createAtomic(path string) (*atomicFile, error) {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, &os.PathError{Op: "create", Path: path, Err: errNotRegular}
		}
		mode = fi.Mode().Perm() // keep the permissions of the file replaced
	}
	removeStale(path)
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+strconv.Itoa(os.Getpid())+"-*.tmp")
	if err != nil {
		return nil, err
	}
	a := &atomicFile{f: f, path: path, mode: mode, chunks: make(chan []byte, atomicChunks),
		free: make(chan []byte, atomicChunks), wrote: make(chan error, 1)}
	for range atomicChunks {
		a.free <- nil
	}
	go func() {
		var err error
		for b := range a.chunks {
			if err == nil {
				if _, err = f.Write(b); err != nil {
					a.failed.Store(true)
				}
			}
			a.free <- b
		}
		a.wrote <- err
	}()
	return a, nil
}

// errNotRegular refuses to replace a directory or a device with a file.
var errNotRegular = errors.New("not a regular file")

// errWriteFailed is what Write says once an earlier chunk failed to be
// written; Commit reports the failure itself.
var errWriteFailed = errors.New("an earlier write to the file failed")

func (a *atomicFile) Write(p []byte) (int, error) {
	if a.done {
		return 0, os.ErrClosed
	}
	if a.failed.Load() {
		return 0, errWriteFailed
	}
	b := append((<-a.free)[:0], p...) // the caller may reuse p
	a.chunks <- b
	return len(p), nil
}

// finish waits for the writing goroutine to write every chunk and returns
// its error.
func (a *atomicFile) finish() error {
	close(a.chunks)
	return <-a.wrote
}

func (a *atomicFile) Commit() error {
	if a.done {
		return nil
	}
	a.done = true
	tmp := a.f.Name()
	err := a.finish()
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, a.mode)
	}
	if err == nil {
		err = os.Rename(tmp, a.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

func (a *atomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	_ = a.finish()
	_ = a.f.Close()
	_ = os.Remove(a.f.Name())
}

// nopCommitter is an output the caller owns: nothing to commit or remove.
type nopCommitter struct{ io.Writer }

func (nopCommitter) Commit() error { return nil }
func (nopCommitter) Abort()        {}

// A temporary output file is named after its target and the process that
// writes it: ".結果.xlsx.1234-567890.tmp" for 結果.xlsx written by
// process 1234. A run that is killed leaves it behind; the next run to the
// same output removes it, once its process is gone.
func tempPrefix(path string) string { return "." + filepath.Base(path) + "." }

// staleAge is how old a temporary file must be to be removed when whether
// its process is running cannot be told.
const staleAge = 24 * time.Hour

// removeStale removes the temporary files of earlier runs to path whose
// process is no longer running. Errors are ignored: a file left is only
// a file left.
func removeStale(path string) {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || !strings.HasSuffix(rest, ".tmp") || !e.Type().IsRegular() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		running, known := processRunning(pid)
		if known && running {
			continue
		}
		if !known {
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < staleAge {
				continue
			}
		}
		_ = os.Remove(filepath.Join(dir, name))
	}
}
