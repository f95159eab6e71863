package check

import (
	"testing"

	"github.com/leakcheck/leakcheck/internal/measure"
	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// This file holds the check's side of measuring (internal/measure): the
// process's State, and what a rerun's checks find, with the check's
// ownership rules, singletons and grouping.

// The measuring reads the runtime with the checks' reader and appends
// JSON lines with their files; a rerun reads its request, and waits for
// its turn, as the process starts, before the test package's
// initializers run.
func init() {
	process.measure.Reader = process.reader
	process.measure.JSONFiles = &process.jsonFiles
	process.measure.ReadRequest()
}

// rerunFinder returns what a check of t classifying with classify finds
// in a rerun: the leaks, less singletons, split as they are published. t
// is nil for the package check.
func rerunFinder(t testing.TB, classify classifier) measure.Finder {
	return func(snap *runtimeread.Snapshot) []*publish.Group {
		leaks, _ := classify(snap)
		leaks, _ = splitSingletons(leaks)
		return publishedGroups(t, verdict{leaks: leaks, snap: snap})
	}
}

// scopeFinder is rerunFinder for the check of scope s; with test, the
// test goroutine itself counts among the leaks, as a deadlock report
// lists it.
func scopeFinder(t testing.TB, s *scope, cfg *Config, test bool) measure.Finder {
	return rerunFinder(t, func(snap *runtimeread.Snapshot) ([]*stack.Goroutine, []*stack.Goroutine) {
		leaks, unknown := s.classify(cfg, snap)
		for i := range snap.Goroutines {
			if g := &snap.Goroutines[i]; test && g.ID == s.goid {
				leaks = append(leaks, g)
			}
		}
		return leaks, unknown
	})
}
