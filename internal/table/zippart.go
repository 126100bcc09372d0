package table

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
)

// Caps on what a workbook's zip parts may inflate to. A workbook is a zip
// archive from outside, and a few megabytes can inflate to gigabytes (a
// zip bomb): every part is read through a [partReader] that checks the
// sizes the archive declares and counts the bytes it actually gives.
const (
	// maxSheetPart is the largest sheet part read: a full sheet of
	// 1,048,576 rows of about twenty filled cells is under 2 GiB.
	maxSheetPart = 4 << 30
	// maxSharedPart is the largest shared-string part read.
	maxSharedPart = 2 << 30
	// maxSmallPart is the largest workbook, relations or styles part,
	// which are decoded whole: a real one is at most a few megabytes
	// (excelize's UnzipXMLSizeLimit is 16 MB too).
	maxSmallPart = 16 << 20
	// maxRatio is the most a part may inflate relative to its compressed
	// size, once it is past ratioFloor. Sheets of real data compress 5 to
	// 50 times; a run of one byte compresses about 1,000 times.
	maxRatio = 200
	// ratioFloor is the inflated size below which the ratio is not
	// checked: small parts of repeated markup compress very well.
	ratioFloor = 8 << 20
	// maxTextRun is the most bytes a part may hold between two '<': the
	// XML decoder keeps a whole text or tag in memory, and the longest
	// legitimate one, a cell of 32,767 characters written as character
	// references, is about 330 KB.
	maxTextRun = 4 << 20
)

// Problems with a part that are not about its size.
var (
	errNotDeflate = errors.New("compressed with a method other than deflate")
	errBadCRC     = errors.New("checksum mismatch: the workbook is damaged")
)

// partReader reads one zip part inflated, bounded: it fails when the part
// gives more than limit bytes, more than the archive says it holds, more
// than maxRatio times the compressed bytes read so far (past ratioFloor),
// or a run of more than maxTextRun bytes without a '<'. At the end it
// checks the size and CRC-32 the archive declares, as zip.File.Open does.
type partReader struct {
	name     string
	src      io.Reader // inflated bytes
	raw      *countingReader
	closer   io.Closer // the inflater, if any
	limit    uint64
	declared uint64 // the uncompressed size the archive declares
	crc      uint32
	hash     hash.Hash32
	n        uint64 // inflated bytes given
	run      uint64 // bytes since the last '<'
	err      error  // sticky
}

// countingReader counts the bytes read through it. flate reads ahead
// through a buffer of its own, so the count runs at most a few KiB ahead
// of what has been inflated: nothing for a ratio.
type countingReader struct {
	r io.Reader
	n uint64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += uint64(n)
	return n, err
}

// openPart opens a zip part for reading with the caps above; limit is the
// largest inflated size accepted for this kind of part.
func openPart(f *zip.File, limit uint64) (*partReader, error) {
	if f.UncompressedSize64 > limit {
		return nil, fmt.Errorf("part %s would inflate to %s, more than the %s a workbook part may hold", f.Name, byteSize(f.UncompressedSize64), byteSize(limit))
	}
	if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64/max(f.CompressedSize64, 1) > maxRatio {
		return nil, fmt.Errorf("part %s would inflate %d times (%s to %s), more than the %d times a workbook's data does; the file looks built to exhaust memory",
			f.Name, f.UncompressedSize64/max(f.CompressedSize64, 1), byteSize(f.CompressedSize64), byteSize(f.UncompressedSize64), maxRatio)
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, fmt.Errorf("part %s: %v", f.Name, err)
	}
	p := &partReader{name: f.Name, raw: &countingReader{r: raw}, limit: limit, declared: f.UncompressedSize64,
		crc: f.CRC32, hash: crc32.NewIEEE()}
	switch f.Method {
	case zip.Store:
		p.src = p.raw
	case zip.Deflate:
		fr := flate.NewReader(p.raw)
		p.src, p.closer = fr, fr
	default:
		return nil, fmt.Errorf("part %s: %w (method %d)", f.Name, errNotDeflate, f.Method)
	}
	return p, nil
}

func (p *partReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.src.Read(b)
	p.n += uint64(n)
	p.hash.Write(b[:n])
	if i := bytes.LastIndexByte(b[:n], '<'); i >= 0 {
		p.run = uint64(n - i - 1)
	} else {
		p.run += uint64(n)
	}
	switch {
	case p.n > p.limit:
		p.err = fmt.Errorf("part %s inflates to more than %s, the most a workbook part may hold", p.name, byteSize(p.limit))
	case p.n > p.declared:
		p.err = fmt.Errorf("part %s inflates to more than the %s the archive declares; the workbook is damaged", p.name, byteSize(p.declared))
	case p.n > ratioFloor && p.n > maxRatio*p.raw.n:
		p.err = fmt.Errorf("part %s inflates more than %d times (%s from %s); the file looks built to exhaust memory", p.name, maxRatio, byteSize(p.n), byteSize(p.raw.n))
	case p.run > maxTextRun:
		p.err = fmt.Errorf("part %s holds more than %s of text without markup; a cell holds at most %d characters", p.name, byteSize(maxTextRun), MaxCellChars)
	case errors.Is(err, io.EOF):
		if p.n != p.declared {
			p.err = fmt.Errorf("part %s inflates to %d bytes, not the %d the archive declares; the workbook is damaged", p.name, p.n, p.declared)
		} else if p.hash.Sum32() != p.crc {
			p.err = fmt.Errorf("part %s: %w", p.name, errBadCRC)
		}
	}
	if p.err != nil {
		return n, p.err
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, fmt.Errorf("part %s: %v", p.name, err)
	}
	return n, err
}

func (p *partReader) Close() error {
	if p.closer != nil {
		return p.closer.Close()
	}
	return nil
}

// byteSize renders a size in the largest binary unit it fills.
func byteSize(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
