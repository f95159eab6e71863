package check

import (
	"time"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// stillFor is how long the goroutines a test left must stand still, all
// blocked where they were, none gone, none added, for a check recording
// a baseline to record them without waiting the rest of recordWait.
// Goroutines that stop with their test are gone within milliseconds;
// one still blocked, unchanged, this long after waits for something no
// shutdown gives it (an accept, a read, a channel nothing closes), and
// it would be recorded at recordWait all the same.
const stillFor = 50 * time.Millisecond

// stillness follows, for a check recording a baseline, whether the
// goroutines left stand still: the same goroutines, blocked at the same
// stacks, look after look. Goroutines asleep in time.Sleep do not count
// as still: their timer will wake them, and the check waits to see
// whether they exit then (a slow exit) or sleep again (a leak).
type stillness struct {
	// blocks holds each goroutine left, by ID, with its block of the
	// dump, as the first look that saw them all as they are saw them;
	// nil while something was running or asleep.
	blocks map[uint64]string
	since  time.Time     // when the dump of that look began
	window time.Duration // how long they must stand still
}

// look notes the goroutines left, leaks, seen by a look whose dump began
// at dumpStart and took dumpCost, and reports whether they have stood
// still for the window: at least stillFor, and two dumps' time, which
// grows with a loaded machine.
func (s *stillness) look(dumpStart time.Time, dumpCost time.Duration, leaks []*stack.Goroutine) bool {
	for _, g := range leaks {
		if stack.Progressing(g) || g.State == "sleep" {
			s.blocks = nil
			return false
		}
	}
	if s.blocks != nil && s.same(leaks) {
		return dumpStart.Sub(s.since) >= s.window
	}
	s.blocks = make(map[uint64]string, len(leaks))
	for _, g := range leaks {
		s.blocks[g.ID] = g.Stack
	}
	s.since, s.window = dumpStart, max(stillFor, 2*dumpCost)
	return false
}

// same reports whether leaks are the goroutines of blocks, at the same
// stacks.
func (s *stillness) same(leaks []*stack.Goroutine) bool {
	if len(leaks) != len(s.blocks) {
		return false
	}
	for _, g := range leaks {
		if block, ok := s.blocks[g.ID]; !ok || block != g.Stack {
			return false
		}
	}
	return true
}

// due returns when a look would find the goroutines still for the
// window, if they stay as they are, which they do not while blocks is
// nil.
func (s *stillness) due() time.Time { return s.since.Add(s.window) }
