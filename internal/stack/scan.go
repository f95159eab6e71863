package stack

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"unsafe"
)

// Limits that keep a Scanner's memory bounded whatever it reads: a
// goroutine's block of the dump is a few kilobytes even for the deepest
// stack the runtime prints (100 frames, plus ancestors).
const (
	// MaxBlock is the most of one goroutine's block a Scanner keeps;
	// lines past it are dropped from the block, and [Scanner.Clipped]
	// reports it.
	MaxBlock = 4 << 20
	// maxOutsideLine is the most of one line outside goroutine blocks
	// that a Scanner hands to its Outside function.
	maxOutsideLine = 64 << 10
)

// A Scanner reads a goroutine dump from an [io.Reader] one goroutine at a
// time, with the block parser [Parse] uses, so that reading a dump of any
// size takes memory for one goroutine only. For the same text it yields
// the same goroutines as Parse, in the same order.
//
// The Goroutine that [Scanner.Goroutine] returns, its strings and its
// slices, are valid only until the next call to [Scanner.Scan], like the
// bytes of a [bufio.Scanner]: keep one with [Clone].
type Scanner struct {
	// EndsDump, if set, reports whether a line that is not a goroutine
	// header ends the dump, as the go command's "FAIL\tpkg\t2.01s"
	// does after a crash: the goroutine being read ends before the line,
	// and the line and those after it, up to the next header, are
	// outside any goroutine. The line has no line end.
	EndsDump func(line string) bool
	// Outside, if set, receives each line outside goroutine blocks, such
	// as the panic message before a crash dump, without its line end (and
	// cut at 64 KiB). The string is valid only during the call.
	Outside func(line string)

	r       *bufio.Reader
	block   []byte // the current goroutine's block, reused
	next    []byte // the header line read ahead, reused
	line    []byte // a long line being assembled, reused
	fixed   []byte // a line repaired by RepairLine, reused
	inDump  bool   // whether next holds a header
	g       Goroutine
	frames  []Frame
	err     error
	bytes   int64
	lastNL  bool // whether the input ended with a line end
	clipped bool
	// goleak's failure message: whether the last line read, the header
	// in s.next and the current goroutine were introduced by it.
	lineFramed, nextFramed, framed bool
}

// NewScanner returns a Scanner that reads a dump from r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, 64<<10), lastNL: true}
}

// Scan advances to the next goroutine, returning false at the end of the
// input or on a read error ([Scanner.Err]).
func (s *Scanner) Scan() bool {
	if s.err != nil {
		return false
	}
	// Find a header, handing the lines before it to Outside.
	for !s.inDump {
		line, err := s.readLine()
		if len(line) > 0 {
			if isHeader(unsafeString(line)) {
				s.next = append(s.next[:0], line...)
				s.nextFramed = s.lineFramed
				s.inDump = true
				break
			}
			if s.Outside != nil {
				s.Outside(trimLine(unsafeString(line), maxOutsideLine))
			}
		}
		if err != nil {
			s.setErr(err)
			return false
		}
	}
	for {
		// The block: the header, then every line up to the next header,
		// the end of the dump or of the input.
		s.block = append(s.block[:0], s.next...)
		s.framed = s.nextFramed
		s.inDump = false
		s.readBlock()
		// goleak before v1.3 printed the goroutine's own header after
		// its introduction: the introduction alone is no goroutine.
		if s.inDump && introduces(unsafeString(s.block), unsafeString(s.next)) {
			s.nextFramed = s.nextFramed || s.framed
			continue
		}
		break
	}
	s.g = Goroutine{}
	var rest string
	rest, s.frames = parseBlock(&s.g, unsafeString(s.block), s.frames[:0])
	_ = rest // the block holds no other header
	return true
}

// readBlock reads the lines of a goroutine's block after its header
// into s.block, up to the next header (left in s.next), a line that ends
// the dump, or the end of the input.
func (s *Scanner) readBlock() {
	for {
		line, err := s.readLine()
		if len(line) > 0 {
			text := unsafeString(line)
			if isHeader(text) {
				s.next = append(s.next[:0], line...)
				s.nextFramed = s.lineFramed
				s.inDump = true
				return
			}
			if s.EndsDump != nil && s.EndsDump(trimLine(text, len(text))) {
				if s.Outside != nil {
					s.Outside(trimLine(text, maxOutsideLine))
				}
				return
			}
			if len(s.block)+len(line) <= MaxBlock {
				s.block = append(s.block, line...)
			} else {
				s.clipped = true
			}
		}
		if err != nil {
			s.setErr(err)
			return
		}
	}
}

// readLine returns the next line with its line end, or what is left at
// the end of the input; the bytes are valid until the next call.
func (s *Scanner) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// A line longer than the buffer: assemble it.
		s.line = append(s.line[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.r.ReadSlice('\n')
			if len(s.line) < MaxBlock {
				s.line = append(s.line, line...)
			} else {
				s.clipped = true
			}
		}
		line = s.line
	}
	s.bytes += int64(len(line))
	if len(line) == 0 {
		return line, err
	}
	s.lastNL = line[len(line)-1] == '\n'
	line, s.lineFramed = repairLine(line, &s.fixed)
	if !s.lastNL && len(bytes.TrimSpace(line)) == 0 {
		s.lastNL = true // a paste's last, empty, quoted line: "> "
	}
	return line, err
}

func (s *Scanner) setErr(err error) {
	if errors.Is(err, io.EOF) {
		s.err = io.EOF
		return
	}
	s.err = err
}

// Goroutine returns the goroutine the last call to Scan read. It is valid
// only until the next call to Scan.
func (s *Scanner) Goroutine() *Goroutine { return &s.g }

// Err returns the first error other than [io.EOF] that the reader
// returned.
func (s *Scanner) Err() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// Framed reports whether goleak's failure message ("found unexpected
// goroutines") listed the goroutine the last call to Scan read: goleak
// judged it leaked.
func (s *Scanner) Framed() bool { return s.framed }

// Bytes returns how many bytes the Scanner has read so far.
func (s *Scanner) Bytes() int64 { return s.bytes }

// EndedMidLine reports whether the input read so far ends in the middle
// of a line, as a dump cut short does: the runtime ends every line of a
// dump with a line end.
func (s *Scanner) EndedMidLine() bool { return !s.lastNL }

// Clipped reports whether a block or line longer than [MaxBlock] was cut.
func (s *Scanner) Clipped() bool { return s.clipped }

// Clone returns a copy of g that shares no memory with the text it was
// parsed from, for keeping a goroutine read by a [Scanner].
func Clone(g *Goroutine) Goroutine {
	if isHeader(g.Stack) {
		// A goroutine's Stack parses back to the same goroutine (the
		// fuzz test checks it), so parsing a copy gives a copy with
		// every string inside it.
		if gs := Parse(strings.Clone(g.Stack)); len(gs) == 1 {
			return gs[0]
		}
	}
	// A goroutine of a profile, or built by hand: its strings are its
	// own, its slices and map are copied.
	c := *g
	c.Frames = slices.Clone(g.Frames)
	c.Ancestors = slices.Clone(g.Ancestors)
	c.Labels = maps.Clone(g.Labels)
	return c
}

// trimLine drops the line end of line and cuts it at max bytes.
func trimLine(line string, max int) string {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if len(line) > max {
		line = line[:max]
	}
	return line
}

// unsafeString views b as a string without copying: the string is valid
// only while b is not modified.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
