// Package report groups goroutines by kind and renders them for people
// (the text report) and for machines (JSON lines, pprof profiles). The
// library's checks and the leakcheck command share it, so that a leak
// reads the same wherever it is found.
package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// fingerprintDepth is how many innermost frames identify a kind of
// goroutine: deep enough to tell call sites apart, shallow enough that
// recursion depth does not split one bug into many groups.
const fingerprintDepth = 16

// kind identifies goroutines leaked by the same bug: the blocking state
// (without wait time or proof) plus the innermost function names and the
// creating function.
func kind(g *stack.Goroutine) string {
	var b strings.Builder
	b.WriteString(g.State)
	for i, f := range g.Frames {
		if i == fingerprintDepth {
			break
		}
		b.WriteByte('|')
		b.WriteString(f.Function)
	}
	b.WriteString("|<")
	b.WriteString(g.CreatedBy.Function)
	return b.String()
}

// Fingerprint names g's kind in 16 hex digits that stay the same from run
// to run and machine to machine: a hash of the blocking state, the
// innermost function names and the creating function, never of
// addresses, IDs or line numbers.
func Fingerprint(g *stack.Goroutine) string {
	return fmt.Sprintf("%016x", fingerprintHash(g))
}

// StackFingerprint names what g runs in 16 hex digits, whatever state it
// was caught in: a hash of the innermost function names and the creating
// function, as [Fingerprint] but without the state. A goroutine woken by
// its timer and caught "runnable" on its way out has the stack it had
// asleep, and so the same StackFingerprint, but another Fingerprint.
func StackFingerprint(g *stack.Goroutine) string {
	return fmt.Sprintf("%016x", stackHash(fnvOffset, g))
}

// ProgramFingerprint names what g runs in 16 hex digits made of what
// survives an upgrade of Go: the innermost functions of the program's own
// code (not the standard library's, as [IsStandardLibrary] tells) and the
// creating function. The runtime's frames on top of a blocked goroutine,
// and the standard library's in between, change between releases; the
// program's do not. A goroutine that runs no code of the program, such
// as a connection's loop of net/http, is named by its standard library
// frames outside the runtime and the internal packages instead.
func ProgramFingerprint(g *stack.Goroutine) string {
	h, own := uint64(fnvOffset), 0
	for _, f := range g.Frames {
		if own == fingerprintDepth {
			break
		}
		if !IsStandardLibrary(f) {
			h = fnvAdd(fnvAdd(h, "|"), f.Function)
			own++
		}
	}
	if own == 0 {
		kept := 0
		for _, f := range g.Frames {
			if kept == fingerprintDepth {
				break
			}
			if pkg := packagePath(f.Function); pkg != "runtime" && !strings.HasPrefix(pkg, "runtime/") &&
				pkg != "internal" && !strings.HasPrefix(pkg, "internal/") && !strings.Contains(f.Function, ".runtime_") {
				h = fnvAdd(fnvAdd(h, "|"), f.Function)
				kept++
			}
		}
	}
	h = fnvAdd(h, "|<")
	return fmt.Sprintf("%016x", fnvAdd(h, g.CreatedBy.Function))
}

// The parameters of the 64-bit FNV-1a hash.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvAdd adds s to the FNV-1a hash h.
func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// fingerprintHash is the 64-bit FNV-1a hash of kind(g), computed without
// building the string.
func fingerprintHash(g *stack.Goroutine) uint64 {
	return stackHash(fnvAdd(fnvOffset, g.State), g)
}

// stackHash continues the FNV-1a hash h with the part of kind(g) after
// the state: the innermost function names and the creating function.
func stackHash(h uint64, g *stack.Goroutine) uint64 {
	for i, f := range g.Frames {
		if i == fingerprintDepth {
			break
		}
		h = fnvAdd(h, "|")
		h = fnvAdd(h, f.Function)
	}
	h = fnvAdd(h, "|<")
	return fnvAdd(h, g.CreatedBy.Function)
}

// A Group is a set of goroutines of one kind: the same [Fingerprint].
// Groups made by [GroupByKind] hold all their goroutines; those of an
// [Aggregator] hold one goroutine standing for Count of them.
type Group struct {
	Fingerprint string
	Goroutines  []*stack.Goroutine // in the order given to [GroupByKind]
	Proven      int                // how many of them the runtime proved leaked
	// Notes are lines the text report adds to the group's summary, such
	// as the memory it holds.
	Notes []string

	// Count, when not zero, is the number of goroutines in the group,
	// of which Goroutines holds only the first; zero means
	// len(Goroutines).
	Count int
	// IDs holds the IDs of the first goroutines of an Aggregator's
	// group, at most its MaxIDs.
	IDs []uint64
	// LongWaiting counts the goroutines of an Aggregator's group that
	// have been blocked at least its LongWait.
	LongWaiting int
	// MaxWait is the longest wait of an Aggregator's group's goroutines.
	MaxWait time.Duration
}

// First returns the group's first goroutine, the one that represents it.
func (gr *Group) First() *stack.Goroutine { return gr.Goroutines[0] }

// Size returns the number of goroutines in the group.
func (gr *Group) Size() int {
	if gr.Count > 0 {
		return gr.Count
	}
	return len(gr.Goroutines)
}

// AllProven reports whether the runtime proved every goroutine of the
// group leaked.
func (gr *Group) AllProven() bool { return gr.Proven == gr.Size() }

// GroupByKind groups goroutines by fingerprint, largest group first,
// ties in order of first appearance.
func GroupByKind(gs []*stack.Goroutine) []*Group {
	byKind := make(map[string]*Group)
	var groups []*Group
	for _, g := range gs {
		k := kind(g)
		gr := byKind[k]
		if gr == nil {
			gr = &Group{}
			byKind[k] = gr
			groups = append(groups, gr)
		}
		gr.Goroutines = append(gr.Goroutines, g)
		if g.Proven {
			gr.Proven++
		}
	}
	for _, gr := range groups {
		gr.Fingerprint = Fingerprint(gr.First())
	}
	slices.SortStableFunc(groups, func(a, b *Group) int {
		return len(b.Goroutines) - len(a.Goroutines)
	})
	return groups
}
