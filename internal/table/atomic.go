package table

import (
	"io"
	"os"
	"path/filepath"
)

// committer is an output that becomes visible only when committed.
type committer interface {
	io.Writer
	Commit() error
	Abort()
}

// atomicFile writes to a temporary file beside the target and renames it
// into place on Commit, so a reader never sees a half-written file.
type atomicFile struct {
	*os.File
	path string
	done bool
}

// File is an output file that appears under its name only on Commit; Abort
// removes what was written.
type File interface {
	io.Writer
	Commit() error
	Abort()
}

// CreateFile creates path atomically: written to a temporary file beside it
// and renamed into place on Commit.
func CreateFile(path string) (File, error) { return createAtomic(path) }

func createAtomic(path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &atomicFile{File: f, path: path}, nil
}

func (a *atomicFile) Commit() error {
	if a.done {
		return nil
	}
	a.done = true
	if err := a.File.Sync(); err != nil {
		a.File.Close()
		os.Remove(a.File.Name())
		return err
	}
	if err := a.File.Close(); err != nil {
		os.Remove(a.File.Name())
		return err
	}
	if err := os.Chmod(a.File.Name(), 0o644); err != nil {
		os.Remove(a.File.Name())
		return err
	}
	return os.Rename(a.File.Name(), a.path)
}

func (a *atomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.File.Close()
	os.Remove(a.File.Name())
}

type nopCommitter struct{ io.Writer }

func (nopCommitter) Commit() error { return nil }
func (nopCommitter) Abort()        {}
