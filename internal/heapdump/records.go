package heapdump

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The dump format, as runtime/heapdump.go writes it (identical in go1.26
// and go1.27: the two differ only in the size of the runtime's internal
// freemark array, which is not part of the output). After the header,
// the dump is a sequence of records, each a uvarint tag followed by
// uvarints, strings (a uvarint length and the bytes) and memory ranges
// (the same), ending with tagEOF.
const header = "go1.7 heap dump\n"

// Record tags.
const (
	tagEOF             = 0
	tagObject          = 1  // address, contents, fields
	tagOtherRoot       = 2  // description, pointer (no longer written, still accepted)
	tagType            = 3  // address, size, name, indirect flag
	tagGoroutine       = 4  // descriptor address, sp, ID, ... then its frames, defers, panics
	tagStackFrame      = 5  // sp, depth, child sp, contents, entry, pc, continuation pc, name, fields
	tagParams          = 6  // big-endian flag, pointer size, arena start and end, GOARCH, version, CPUs
	tagFinalizer       = 7  // object, closure, code, arg type, object type
	tagItab            = 8  // itab, type
	tagOSThread        = 9  // m address, m ID, OS thread ID
	tagMemStats        = 10 // runtime.MemStats, see memStatsFields
	tagQueuedFinalizer = 11 // as tagFinalizer
	tagData            = 12 // address, contents, fields
	tagBSS             = 13 // address, contents, fields
	tagDefer           = 14 // defer address, goroutine, sp, pc, closure, code, next defer
	tagPanic           = 15 // panic address, goroutine, arg type, arg data, 0, next panic
	tagMemProf         = 16 // bucket, size, frames (function, file, line), allocs, frees
	tagAllocSample     = 17 // object, bucket
)

var tagNames = [...]string{
	tagEOF:             "EOF",
	tagObject:          "object",
	tagOtherRoot:       "other root",
	tagType:            "type",
	tagGoroutine:       "goroutine",
	tagStackFrame:      "stack frame",
	tagParams:          "params",
	tagFinalizer:       "finalizer",
	tagItab:            "itab",
	tagOSThread:        "OS thread",
	tagMemStats:        "memstats",
	tagQueuedFinalizer: "queued finalizer",
	tagData:            "data",
	tagBSS:             "bss",
	tagDefer:           "defer",
	tagPanic:           "panic",
	tagMemProf:         "memprof bucket",
	tagAllocSample:     "alloc sample",
}

// Kinds in a field list: the list of pointer offsets that follows the
// contents of an object, frame or data segment, ended by fieldEOL. Only
// fieldPtr is written today; the interface kinds of older dumps name a
// two-word interface whose both words are treated as pointers.
const (
	fieldEOL   = 0
	fieldPtr   = 1
	fieldIface = 2
	fieldEface = 3
)

// memStatsFields is the number of uvarints in a memstats record: 24
// counters, PauseNs[256] and NumGC.
const memStatsFields = 24 + 256 + 1

// Bounds that no real dump comes near; they keep garbled input from
// turning into huge loops or allocations. Memory ranges are never
// allocated whole (they are streamed), so their bound only rejects
// nonsense early.
const (
	maxString    = 64 << 10 // function and file names, wait reasons, versions
	maxRange     = 1 << 46  // one object, frame or segment: larger than any address space in use
	maxStackSize = 1 << 30  // the runtime's own limit on a goroutine stack (64-bit)
	maxMemProfN  = 1 << 16  // frames in one profile bucket (the runtime keeps at most 1024)
)

// bufSize bounds the read buffer: big enough that a read call moves a
// lot, and a multiple of 8 so that chunks of a memory range split at
// word boundaries. The buffer starts small and grows to it only for a
// long string or range: small inputs stay cheap.
const bufSize = 256 << 10

// A decoder reads the primitives of a dump from a stream: it never
// allocates by a length read from the input, only by data actually
// present.
type decoder struct {
	r        io.Reader
	buf      []byte
	pos, end int   // unread bytes are buf[pos:end]
	base     int64 // input offset of buf[0]
	rerr     error // sticky error from r
}

func newDecoder(r io.Reader) *decoder {
	return &decoder{r: r, buf: make([]byte, 4<<10)}
}

// offset returns the input offset of the next unread byte.
func (d *decoder) offset() int64 { return d.base + int64(d.pos) }

// fill makes at least n bytes available in buf[pos:end], n <= bufSize.
// An input that ends first gives io.ErrUnexpectedEOF: every caller is in
// the middle of a record.
func (d *decoder) fill(n int) error {
	if d.end-d.pos >= n {
		return nil
	}
	if n > len(d.buf) {
		b := make([]byte, max(n, min(2*len(d.buf), bufSize)))
		d.end = copy(b, d.buf[d.pos:d.end])
		d.base += int64(d.pos)
		d.pos = 0
		d.buf = b
	}
	if d.pos > 0 {
		copy(d.buf, d.buf[d.pos:d.end])
		d.base += int64(d.pos)
		d.end -= d.pos
		d.pos = 0
	}
	for empty := 0; d.end < n; {
		if d.rerr != nil {
			if d.rerr == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return d.rerr
		}
		m, err := d.r.Read(d.buf[d.end:])
		d.end += m
		if err != nil {
			d.rerr = err
		}
		if m == 0 && err == nil {
			if empty++; empty > 100 {
				d.rerr = io.ErrNoProgress
			}
		}
	}
	return nil
}

var errOverflow = errors.New("uvarint overflows 64 bits")

func (d *decoder) uvarint() (uint64, error) {
	if d.end-d.pos >= binary.MaxVarintLen64 {
		v, n := binary.Uvarint(d.buf[d.pos:d.end])
		if n <= 0 {
			return 0, errOverflow
		}
		d.pos += n
		return v, nil
	}
	var v uint64
	var shift uint
	for i := range binary.MaxVarintLen64 {
		if err := d.fill(1); err != nil {
			return 0, err
		}
		b := d.buf[d.pos]
		d.pos++
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, errOverflow
			}
			return v | uint64(b)<<shift, nil
		}
		v |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, errOverflow
}

// uvarints reads len(dst) uvarints into dst.
func (d *decoder) uvarints(dst ...*uint64) error {
	for _, p := range dst {
		v, err := d.uvarint()
		if err != nil {
			return err
		}
		*p = v
	}
	return nil
}

// skipUvarints reads and drops n uvarints.
func (d *decoder) skipUvarints(n int) error {
	for range n {
		if _, err := d.uvarint(); err != nil {
			return err
		}
	}
	return nil
}

// length reads a length and checks it against limit.
func (d *decoder) length(what string, limit uint64) (uint64, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > limit {
		return 0, fmt.Errorf("%s length %d exceeds the bound %d", what, n, limit)
	}
	return n, nil
}

// str reads a string of at most maxString bytes.
func (d *decoder) str() (string, error) {
	n, err := d.length("string", maxString)
	if err != nil {
		return "", err
	}
	if err := d.fill(int(n)); err != nil {
		return "", err
	}
	s := string(d.buf[d.pos : d.pos+int(n)])
	d.pos += int(n)
	return s, nil
}

// skipStr reads a string of at most maxString bytes and drops it.
func (d *decoder) skipStr() error {
	n, err := d.length("string", maxString)
	if err != nil {
		return err
	}
	return d.skip(n)
}

// skip drops n bytes.
func (d *decoder) skip(n uint64) error {
	for n > 0 {
		c := min(n, bufSize)
		if err := d.fill(int(c)); err != nil {
			return err
		}
		d.pos += int(c)
		n -= c
	}
	return nil
}

// chunks streams the next n bytes through fn in pieces of at most
// bufSize bytes; every piece but the last is a multiple of 8 bytes long,
// so words never straddle two pieces. off is the offset of the piece in
// the range.
func (d *decoder) chunks(n uint64, fn func(off uint64, b []byte)) error {
	for off := uint64(0); off < n; {
		c := min(n-off, bufSize)
		if err := d.fill(int(c)); err != nil {
			return err
		}
		fn(off, d.buf[d.pos:d.pos+int(c)])
		d.pos += int(c)
		off += c
	}
	return nil
}
