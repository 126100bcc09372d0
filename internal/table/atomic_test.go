package table_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ruralrelief/fangpin/internal/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestAtomicWrite: a file appears whole on Close or not at all, and a
// file it replaces stays as it was until then.
func TestAtomicWrite(t *testing.T) {
	for _, ext := range []string{"csv", "jsonl", "xlsx"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "out."+ext)
			require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))

			w, err := table.Create(p, nil, resultCols)
			require.NoError(t, err)
			writeAll(t, w, results)
			old, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.Equal(t, "old", string(old), "the old file until Close")
			w.Abort()
			w.Abort()
			assert.Equal(t, []string{"out." + ext}, entries(t, dir), "Abort removes the temporary file")
			old, err = os.ReadFile(p)
			require.NoError(t, err)
			assert.Equal(t, "old", string(old), "the old file after Abort")
			assert.ErrorContains(t, w.Write(table.OK, nil), "closed")

			w, err = table.Create(p, nil, resultCols)
			require.NoError(t, err)
			writeAll(t, w, results)
			require.NoError(t, w.Close(nil))
			w.Abort() // nothing after Close
			assert.Equal(t, []string{"out." + ext}, entries(t, dir))
			fi, err := os.Stat(p)
			require.NoError(t, err)
			assert.Greater(t, fi.Size(), int64(3), "replaced")
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the replaced file's permissions are kept")
			assert.ErrorContains(t, w.Close(nil), "closed")

			if ext != "jsonl" { // a JSONL result has lists, which no input has
				r, err := table.Open(p, nil, table.ReadOptions{})
				require.NoError(t, err)
				require.NoError(t, r.Close())
			}
		})
	}
}

// TestAtomicWriteFailure: when the output cannot be committed, Close says
// so and leaves no partial file.
func TestAtomicWriteFailure(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "gone")
	require.NoError(t, os.Mkdir(dir, 0o755))
	p := filepath.Join(dir, "out.csv")
	w, err := table.Create(p, nil, resultCols)
	require.NoError(t, err)
	writeAll(t, w, results)
	require.NoError(t, os.RemoveAll(dir))
	assert.Error(t, w.Close(nil))
	_, err = os.Stat(p)
	assert.True(t, errors.Is(err, os.ErrNotExist))

	// A write the XLSX writer refuses: the caller aborts, nothing is left.
	dir = t.TempDir()
	w, err = table.Create(filepath.Join(dir, "out.xlsx"), nil, resultCols)
	require.NoError(t, err)
	writeAll(t, w, results[:2])
	assert.Error(t, w.Write(table.OK, []table.Cell{{Text: "3"}, {}, {}, {Text: "abc"}}))
	w.Abort()
	assert.Empty(t, entries(t, dir))

	_, err = table.Create(t.TempDir()+string(filepath.Separator)+"..", nil, resultCols)
	assert.Error(t, err)
	d := filepath.Join(t.TempDir(), "a.csv")
	require.NoError(t, os.Mkdir(d, 0o755))
	_, err = table.Create(d, nil, resultCols)
	assert.ErrorContains(t, err, "not a regular file")
}

func TestCreateFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "周调度表.md")
	f, err := table.CreateFile(p)
	require.NoError(t, err)
	_, err = f.Write([]byte("# 周调度表\n"))
	require.NoError(t, err)
	assert.NotContains(t, entries(t, dir), "周调度表.md")
	require.NoError(t, f.Commit())
	require.NoError(t, f.Commit())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "# 周调度表\n", string(b))
}
