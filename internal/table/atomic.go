package table

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
// Commit does nothing.
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
// into place on Commit, so a reader never sees a half-written file.
type atomicFile struct {
	*os.File
	path string
	mode os.FileMode
	done bool
}

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
	return &atomicFile{File: f, path: path, mode: mode}, nil
}

// errNotRegular refuses to replace a directory or a device with a file.
var errNotRegular = errors.New("not a regular file")

func (a *atomicFile) Commit() error {
	if a.done {
		return nil
	}
	a.done = true
	tmp := a.Name()
	err := a.Sync()
	if cerr := a.Close(); err == nil {
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
	_ = a.Close()
	_ = os.Remove(a.Name())
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
