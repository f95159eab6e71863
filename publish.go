package leakcheck

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/report"
)

// failureReport renders a failing verdict of subject: it measures the
// memory the leaks hold (in a rerun of again where this process cannot),
// writes the machine-readable outputs, and returns the human report, with
// extra (notes of the caller's) after the report itself. t is nil for
// VerifyTestMain, Find and the deadlock watcher's tests that did not call
// Verify; cfg is nil for Find, which writes no files; again is nil where
// nothing can be rerun.
func failureReport(t testing.TB, cfg *config, subject string, v verdict, extra string, again *rerun) string {
	groups := publishedGroups(t, v)
	mem := measureMemory(groups, again)
	text := formatReport(subject, v, mem) + extra
	if cfg != nil {
		text += publishLeaks(t, cfg, subject, v, groups, mem)
	}
	return text
}

// publishLeaks writes the machine-readable forms of a failing verdict,
// its groups and the memory they hold (nil if unknown), and returns text
// to append to the human report (such as where a profile was written).
// t is nil for VerifyTestMain.
//
// Writing is best effort: a problem is told in the returned text, and
// never hides the leak report itself.
func publishLeaks(t testing.TB, cfg *config, subject string, v verdict, groups []*pubGroup, mem *memoryReport) string {
	if len(v.leaks) == 0 {
		return ""
	}
	profileDir, ownDir := profileDirFor(t, cfg)
	jsonPath := jsonPathFor(cfg)
	if profileDir == "" && jsonPath == "" {
		return ""
	}
	var b strings.Builder
	var profilePath string
	if profileDir != "" {
		path, err := writeProfile(profileDir, profileBaseName(t, ownDir), groups, subject, mem)
		if err != nil {
			fmt.Fprintf(&b, "\nleakcheck: could not write the goroutine profile: %v\n", err)
		} else {
			profilePath = path
			fmt.Fprintf(&b, "\nGoroutine profile of the leak: %s\n    see it as a flame graph with: go tool pprof -http=: %s\n", path, path)
		}
	}
	if jsonPath != "" {
		records := jsonRecords(groups, subject, v.waited, profilePath, mem)
		for i := range records {
			records[i].BaselineGo = cfg.baseline.recordedWith()
		}
		if err := appendJSONLines(jsonPath, records); err != nil {
			fmt.Fprintf(&b, "\nleakcheck: could not append the leak to %s: %v\n", jsonPath, err)
		}
	}
	return b.String()
}

// A pubGroup is one kind of leak as the machine-readable outputs show it:
// goroutines with one fingerprint, owned by one test.
type pubGroup struct {
	test        string
	fingerprint string
	goroutines  []*Goroutine
}

// publishedGroups splits the verdict's fingerprint groups by owning test:
// the checked test for Verify, or the test each goroutine is attributed
// to for VerifyTestMain. Order: as report.GroupByKind sorts them.
func publishedGroups(t testing.TB, v verdict) []*pubGroup {
	var r *resolver
	if t == nil && v.snap != nil {
		r = newResolver(v.snap)
	}
	var out []*pubGroup
	for _, gr := range report.GroupByKind(v.leaks) {
		byTest := make(map[string]*pubGroup)
		for _, g := range gr.Goroutines {
			var test string
			switch {
			case t != nil:
				test = t.Name()
			case r != nil:
				test = r.testName(g)
			}
			pg := byTest[test]
			if pg == nil {
				pg = &pubGroup{test: test, fingerprint: gr.Fingerprint}
				byTest[test] = pg
				out = append(out, pg)
			}
			pg.goroutines = append(pg.goroutines, g)
		}
	}
	return out
}

// packagePath is the import path of the package under test, from the
// test binary's build information ("example.com/pkg.test"), or "".
var packagePath = func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return strings.TrimSuffix(bi.Path, ".test")
}()

// seconds renders a duration for the JSON records, to the millisecond.
func seconds(d time.Duration) float64 {
	return float64(d.Milliseconds()) / 1000
}
