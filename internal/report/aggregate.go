package report

import (
	"slices"
	"time"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// DefaultMaxIDs is how many goroutine IDs an [Aggregator] keeps per group
// unless told otherwise: enough to find goroutines in a dump, few enough
// that a million leaked goroutines cost kilobytes.
const DefaultMaxIDs = 1000

// An Aggregator groups goroutines by kind as they stream past, as
// [GroupByKind] does for a slice, sharing its [Fingerprint], but keeps
// for each group only a count, one goroutine (the first), the first
// MaxIDs IDs and the counts of proven and long-waiting goroutines: its
// memory is bounded by the number of groups, not of goroutines. The zero
// value is ready to use.
type Aggregator struct {
	// MaxIDs bounds the IDs kept per group; zero means DefaultMaxIDs,
	// a negative value none.
	MaxIDs int
	// LongWait is the wait from which a goroutine counts in its group's
	// LongWaiting; zero counts none.
	LongWait time.Duration

	byHash map[uint64]*Group
	groups []*Group
	total  int
	kept   int64
}

// Add counts count goroutines like g (count is 1 for a goroutine of a
// dump, more for a record of a profile). g may be reused by the caller
// after Add returns: the aggregator keeps a copy ([stack.Clone]) when g
// is the first of its kind.
func (a *Aggregator) Add(g *stack.Goroutine, count int) {
	if count <= 0 {
		return
	}
	if a.byHash == nil {
		a.byHash = make(map[uint64]*Group)
	}
	a.total += count
	h := fingerprintHash(g)
	gr := a.byHash[h]
	if gr == nil {
		c := stack.Clone(g)
		gr = &Group{Goroutines: []*stack.Goroutine{&c}}
		a.kept += keptBytes(&c)
		a.byHash[h] = gr
		a.groups = append(a.groups, gr)
	}
	gr.Count += count
	if g.Proven {
		gr.Proven += count
	}
	gr.MaxWait = max(gr.MaxWait, g.Wait)
	if a.LongWait > 0 && g.Wait >= a.LongWait {
		gr.LongWaiting += count
	}
	maxIDs := a.MaxIDs
	if maxIDs == 0 {
		maxIDs = DefaultMaxIDs
	}
	if g.ID != 0 && len(gr.IDs) < maxIDs {
		gr.IDs = append(gr.IDs, g.ID)
		a.kept += 8
	}
}

// keptBytes estimates the memory a group's goroutine takes: its text,
// its frames, its labels, and the group around it.
func keptBytes(g *stack.Goroutine) int64 {
	n := 256 + len(g.Stack) + 40*len(g.Frames) + 8*len(g.Ancestors)
	for k, v := range g.Labels {
		n += 32 + len(k) + len(v)
	}
	return int64(n)
}

// Kept returns an estimate of the bytes the aggregator holds: about
// 0.5 to 5 KiB per group, whatever the number of goroutines.
func (a *Aggregator) Kept() int64 { return a.kept }

// Total returns how many goroutines were added.
func (a *Aggregator) Total() int { return a.total }

// Groups returns the groups, largest first, ties in order of first
// appearance, as GroupByKind orders them. Each group's Count is set.
func (a *Aggregator) Groups() []*Group {
	groups := slices.Clone(a.groups)
	for _, gr := range groups {
		if gr.Fingerprint == "" {
			gr.Fingerprint = Fingerprint(gr.First())
		}
	}
	slices.SortStableFunc(groups, func(a, b *Group) int { return b.Count - a.Count })
	return groups
}

// DescribeGroup returns the Kind of a group, as [Describe] does for
// goroutines, from a group of either [GroupByKind] or an [Aggregator];
// labels are those of its first goroutine.
func DescribeGroup(gr *Group) Kind {
	if gr.Count == 0 {
		k := Describe(gr.Fingerprint, gr.Goroutines)
		k.Labels = gr.First().Labels
		return k
	}
	k := newKind(gr.First(), gr.Fingerprint, gr.Count, gr.AllProven(), append([]uint64{}, gr.IDs...))
	k.Labels = gr.First().Labels
	return k
}
