// Package report groups goroutines by kind and renders them for people
// (the text report) and for machines (JSON lines, pprof profiles). The
// library's checks and the leakcheck command share it, so that a leak
// reads the same wherever it is found.
package report

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

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
	h := fnv.New64a()
	h.Write([]byte(kind(g)))
	return fmt.Sprintf("%016x", h.Sum64())
}

// A Group is a set of goroutines of one kind: the same [Fingerprint].
type Group struct {
	Fingerprint string
	Goroutines  []*stack.Goroutine // in the order given to [GroupByKind]
	Proven      int                // how many of them the runtime proved leaked
	// Notes are lines the text report adds to the group's summary, such
	// as the memory it holds.
	Notes []string
}

// First returns the group's first goroutine, the one that represents it.
func (gr *Group) First() *stack.Goroutine { return gr.Goroutines[0] }

// AllProven reports whether the runtime proved every goroutine of the
// group leaked.
func (gr *Group) AllProven() bool { return gr.Proven == len(gr.Goroutines) }

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
