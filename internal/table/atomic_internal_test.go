package table

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAtomicFileWritesInOrderBehindTheCaller writes chunks larger and
// smaller than the caller's buffer, reusing the caller's buffer at once:
// the file holds every byte in order.
func TestAtomicFileWritesInOrderBehindTheCaller(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.csv")
	a, err := createAtomic(p)
	require.NoError(t, err)
	var want bytes.Buffer
	buf := make([]byte, 0, 100_000)
	for i := range 300 {
		buf = buf[:0]
		for j := range i * 331 % 100_000 {
			buf = append(buf, byte('a'+(i+j)%26))
		}
		n, err := a.Write(buf)
		require.NoError(t, err)
		require.Equal(t, len(buf), n)
		want.Write(buf)
		clear(buf) // the caller's buffer, reused
	}
	require.NoError(t, a.Commit())
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want.Bytes(), got), "%d bytes written, %d read", want.Len(), len(got))
}

// TestAtomicFileReportsAFailedWrite: a write the system refuses is
// reported by a later Write and by Commit, and no file appears.
func TestAtomicFileReportsAFailedWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	a, err := createAtomic(p)
	require.NoError(t, err)
	require.NoError(t, a.f.Close()) // every write now fails
	_, err = a.Write([]byte("first"))
	require.NoError(t, err, "the first write is taken; it fails behind the caller")
	assert.Eventually(t, func() bool {
		_, err := a.Write([]byte("next"))
		return errors.Is(err, errWriteFailed)
	}, 5*time.Second, time.Millisecond)
	err = a.Commit()
	assert.ErrorIs(t, err, os.ErrClosed)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "neither the file nor its temporary file is left")
}
