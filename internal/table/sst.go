package table

import (
	"bufio"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// sstInMemory is the largest shared-string part (uncompressed XML bytes)
// kept in memory. A larger one is copied to a temporary file and read back
// one string at a time, so a workbook of a million distinct names costs a
// file on disk, not memory.
const sstInMemory = 8 << 20

// sharedStrings is a workbook's shared-string table.
type sharedStrings interface {
	// get returns the string at index i; false if there is none.
	get(i int) (string, bool)
	close() error
}

// memStrings holds the table in memory as one string and where each
// entry ends: a cell's text is a slice of it, with no allocation per
// entry or per lookup.
type memStrings struct {
	b    strings.Builder // while reading
	text string
	ends []uint32
}

func (m *memStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(m.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = m.ends[i-1]
	}
	return m.text[start:m.ends[i]], true
}

func (*memStrings) close() error { return nil }

// fileStrings holds the table in a temporary file: the strings one after
// another, then, at offset index, one 8-byte start offset per string and
// the end of the last. A small cache keeps the strings a sheet repeats
// (是/否, a county's villages) from being read again.
type fileStrings struct {
	f     *os.File
	index int64 // where the offsets start
	n     int
	cache [4096]struct {
		i int
		s string
	}
	buf []byte
}

func (s *fileStrings) get(i int) (string, bool) {
	if i < 0 || i >= s.n {
		return "", false
	}
	slot := &s.cache[i%len(s.cache)]
	if slot.i == i+1 {
		return slot.s, true
	}
	var off [16]byte
	if _, err := s.f.ReadAt(off[:], s.index+8*int64(i)); err != nil {
		return "", false
	}
	start, end := binary.LittleEndian.Uint64(off[:8]), binary.LittleEndian.Uint64(off[8:])
	if end < start || end-start > maxCellBytes {
		return "", false
	}
	if uint64(cap(s.buf)) < end-start {
		s.buf = make([]byte, end-start)
	}
	b := s.buf[:end-start]
	if _, err := s.f.ReadAt(b, int64(start)); err != nil {
		return "", false
	}
	slot.i, slot.s = i+1, string(b)
	return slot.s, true
}

func (s *fileStrings) close() error {
	name := s.f.Name()
	err := s.f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

// stringSink receives the strings of the table in order.
type stringSink interface {
	add(s string) error
}

func (m *memStrings) add(s string) error {
	if m.b.Len()+len(s) > math.MaxUint32 {
		return errors.New("too much text to keep in memory")
	}
	m.b.WriteString(s)
	m.ends = append(m.ends, uint32(m.b.Len()))
	return nil
}

// spill writes strings to a temporary file and the offsets to another,
// then joins them in finish.
type spill struct {
	data, offs *os.File
	dw, ow     *bufio.Writer
	pos        uint64
	n          int
}

func newSpill() (*spill, error) {
	data, err := os.CreateTemp("", "fangpin-strings-*")
	if err != nil {
		return nil, err
	}
	offs, err := os.CreateTemp("", "fangpin-offsets-*")
	if err != nil {
		_ = data.Close()
		_ = os.Remove(data.Name())
		return nil, err
	}
	return &spill{data: data, offs: offs, dw: bufio.NewWriterSize(data, 64<<10), ow: bufio.NewWriterSize(offs, 64<<10)}, nil
}

func (s *spill) add(str string) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.pos)
	if _, err := s.ow.Write(b[:]); err != nil {
		return err
	}
	if _, err := s.dw.WriteString(str); err != nil {
		return err
	}
	s.pos += uint64(len(str))
	s.n++
	return nil
}

// finish appends the offsets to the strings and returns the table.
func (s *spill) finish() (*fileStrings, error) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.pos)
	_, err := s.ow.Write(b[:])
	if err == nil {
		err = s.ow.Flush()
	}
	if err == nil {
		err = s.dw.Flush()
	}
	if err == nil {
		_, err = s.offs.Seek(0, io.SeekStart)
	}
	if err == nil {
		_, err = io.Copy(s.dw, s.offs)
	}
	if err == nil {
		err = s.dw.Flush()
	}
	_ = s.offs.Close()
	_ = os.Remove(s.offs.Name())
	if err != nil {
		_ = s.data.Close()
		_ = os.Remove(s.data.Name())
		return nil, err
	}
	return &fileStrings{f: s.data, index: int64(s.pos), n: s.n}, nil
}

func (s *spill) abort() {
	for _, f := range []*os.File{s.data, s.offs} {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
}

// readSharedStrings reads the shared-string part: each <si> is the text of
// its <t> elements (plain or rich-text runs), without phonetic hints
// (<rPh>). size is the part's uncompressed size and limit the largest kept
// in memory. A string longer than maxCellBytes is not kept: long gives
// its index and length in bytes, and it is stored as "".
func readSharedStrings(r io.Reader, size uint64, limit uint64) (sharedStrings, map[int]int, error) {
	long := map[int]int{}
	if size <= limit {
		m := &memStrings{}
		if err := scanSharedStrings(r, m, long); err != nil {
			return nil, nil, err
		}
		m.text = m.b.String()
		m.b = strings.Builder{}
		return m, long, nil
	}
	sp, err := newSpill()
	if err != nil {
		return nil, nil, fmt.Errorf("a temporary file for the shared strings: %v", err)
	}
	if err := scanSharedStrings(r, sp, long); err != nil {
		sp.abort()
		return nil, nil, err
	}
	fs, err := sp.finish()
	if err != nil {
		return nil, nil, err
	}
	return fs, long, nil
}

func scanSharedStrings(r io.Reader, sink stringSink, long map[int]int) error {
	dec := xml.NewDecoder(r)
	var b strings.Builder
	inSI, inT, inRPh := false, false, 0
	n, size := 0, 0 // strings read; bytes of the one being read
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
				size = 0
			case "t":
				inT = inSI
			case "rPh":
				inRPh++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				s := b.String()
				if size > maxCellBytes {
					long[n], s = size, ""
				}
				if err := sink.add(s); err != nil {
					return err
				}
				n++
			case "t":
				inT = false
			case "rPh":
				inRPh--
			}
		case xml.CharData:
			if inT && inRPh == 0 {
				size += len(t)
				if size <= maxCellBytes {
					b.Write(t)
				}
			}
		}
	}
}
