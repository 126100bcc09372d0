package table

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestSharedStringsInAFile reads a workbook with its shared strings kept
// in memory and in a temporary file: the records are the same, and Close
// removes the file.
func TestSharedStringsInAFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := excelize.NewFile()
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"编号", "村", "是否"}))
	for i := 2; i <= 5001; i++ {
		// SetCellStr puts text in the shared-string table.
		require.NoError(t, f.SetCellStr("Sheet1", fmt.Sprintf("A%d", i), fmt.Sprintf("P%05d", i)))
		require.NoError(t, f.SetCellStr("Sheet1", fmt.Sprintf("B%d", i), fmt.Sprintf("村%d", i%37)))
		require.NoError(t, f.SetCellStr("Sheet1", fmt.Sprintf("C%d", i), []string{"是", "否"}[i%2]))
	}
	p := filepath.Join(t.TempDir(), "in.xlsx")
	require.NoError(t, f.SaveAs(p))

	read := func(limit uint64) ([][]string, sharedStrings) {
		r, err := openXLSXLimit(p, "", limit)
		require.NoError(t, err)
		kind := r.shared
		var out [][]string
		for {
			_, cells, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			out = append(out, append([]string(nil), cells...))
		}
		require.NoError(t, r.Close())
		return out, kind
	}
	inMemory, m := read(sstInMemory)
	inFile, s := read(0)
	assert.IsType(t, &memStrings{}, m)
	require.IsType(t, &fileStrings{}, s)
	assert.Greater(t, s.(*fileStrings).n, 5000, "the text is in the shared-string table")
	require.Len(t, inFile, 5000)
	assert.Equal(t, inMemory, inFile)
	assert.Equal(t, []string{"P05001", "村6", "否"}, inFile[4999])
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "the temporary file is removed")
}
