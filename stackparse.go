package leakcheck

import (
	"fmt"
	"io"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// ParseDump reads a goroutine dump from r and returns its goroutines in
// dump order, with the parser the checks and the leakcheck command use.
// A dump is the text of runtime.Stack(buf, true), of
// /debug/pprof/goroutine?debug=2, of a crash, or the whole output of a
// "go test" run that timed out or panicked: lines outside the dump are
// skipped. Dumps pasted into issues and terminals read as the original,
// "> " quoting, Markdown backticks, indentation and tabs turned into
// spaces included, and so do the goroutines listed by goleak's failure
// message ("found unexpected goroutines"), in either of its forms.
//
// It never panics: a line it does not understand stays in the
// goroutine's Stack text. The error is the first error reading r, or,
// for a dump that ends in the middle of a line (cut short), one that
// wraps [io.ErrUnexpectedEOF], returned with the goroutines read. Input
// with no dump in it gives no goroutine and no error.
//
// ParseDump keeps every goroutine in memory; [DumpScanner] reads dumps
// of any size one goroutine at a time.
func ParseDump(r io.Reader) ([]Goroutine, error) {
	s := NewDumpScanner(r)
	var gs []Goroutine
	for s.Scan() {
		gs = append(gs, s.Goroutine())
	}
	return gs, s.Err()
}

// A DumpScanner reads a goroutine dump from an [io.Reader] one goroutine
// at a time, in the memory of one goroutine's block of the dump (at most
// 4 MiB: lines past it are dropped), whatever the dump's size. It reads
// what [ParseDump] reads.
//
//	s := leakcheck.NewDumpScanner(f)
//	for s.Scan() {
//		g := s.Goroutine()
//		...
//	}
//	if err := s.Err(); err != nil {
//		...
//	}
type DumpScanner struct {
	sc *stack.Scanner
}

// NewDumpScanner returns a DumpScanner that reads a dump from r.
func NewDumpScanner(r io.Reader) *DumpScanner {
	return &DumpScanner{sc: stack.NewScanner(r)}
}

// Scan advances to the next goroutine, returning false at the end of the
// input or on an error ([DumpScanner.Err]).
func (s *DumpScanner) Scan() bool { return s.sc.Scan() }

// Goroutine returns the goroutine the last call to [DumpScanner.Scan]
// read. It is the caller's: it shares no memory with the scanner.
func (s *DumpScanner) Goroutine() Goroutine { return stack.Clone(s.sc.Goroutine()) }

// Err returns the first error reading the input, or an error wrapping
// [io.ErrUnexpectedEOF] when the input ended in the middle of a line, as
// a dump cut short does; nil at the end of a whole dump.
func (s *DumpScanner) Err() error {
	if err := s.sc.Err(); err != nil {
		return err
	}
	if s.sc.EndedMidLine() {
		return fmt.Errorf("leakcheck: the goroutine dump ends in the middle of a line, after %d bytes: %w", s.sc.Bytes(), io.ErrUnexpectedEOF)
	}
	return nil
}
