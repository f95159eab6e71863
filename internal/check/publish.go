package check

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// failureReport renders a failing verdict of subject: it measures the
// memory the leaks hold where this process can, writes the
// machine-readable outputs, and returns the human report, with extra
// (notes of the caller's) after the report itself. Where only a rerun of
// again can measure, it starts the rerun, which publishes the figures
// when it has them, and the report says so: the verdict never waits for
// it. t is nil for VerifyTestMain, Find and the deadlock watcher's tests
// that did not call Verify; cfg is nil for Find, which writes no files;
// again is nil where nothing can be rerun.
func failureReport(t testing.TB, cfg *Config, subject string, v verdict, extra string, again *rerun) string {
	mem, pub := measureAndPublish(t, cfg, subject, v, again)
	return formatReport(subject, v, mem) + extra + pub.text
}

// measureAndPublish measures what the leaks of v hold, or starts the
// rerun that will, and writes the machine-readable outputs (none when cfg
// is nil): the memory report and publication that failureReport renders.
func measureAndPublish(t testing.TB, cfg *Config, subject string, v verdict, again *rerun) (*memoryReport, publication) {
	groups := publishedGroups(t, v)
	mem := measureMemory(groups, subject, again)
	var pub publication
	if cfg != nil {
		pub = publishLeaks(t, cfg, subject, v, groups, mem)
	}
	if mem.pending {
		pub.subject = subject
		if reason := mem.again.start(groups, pub); reason != "" {
			mem = &memoryReport{skipped: reason, rerun: mem.rerun}
			pub.records = jsonRecords(groups, subject, v.waited, pub.profilePath, mem)
			pub.appendRecords()
		}
	}
	return mem, pub
}

// A publication is what a failing check wrote, or leaves for its rerun to
// write: the text to append to the report, the profile's path, and the
// JSON records not yet appended to jsonPath (the rerun appends them with
// what the leaks hold).
type publication struct {
	text        string
	subject     string
	profilePath string
	jsonPath    string
	records     []jsonRecord
}

// appendRecords appends the records now, saying in the text when it
// cannot.
func (p *publication) appendRecords() {
	if p.jsonPath == "" {
		return
	}
	if err := appendJSONLines(p.jsonPath, p.records); err != nil {
		p.text += fmt.Sprintf("\nleakcheck: could not append the leak to %s: %v\n", p.jsonPath, err)
	}
	p.records = nil
}

// publishLeaks writes the machine-readable forms of a failing verdict,
// its groups and the memory they hold (nil if unknown): the profile, and
// the JSON lines unless mem is pending, whose records it returns for the
// rerun to complete. Its text is to be appended to the human report (such
// as where a profile was written). t is nil for VerifyTestMain.
//
// Writing is best effort: a problem is told in the text, and never hides
// the leak report itself.
func publishLeaks(t testing.TB, cfg *Config, subject string, v verdict, groups []*pubGroup, mem *memoryReport) publication {
	var pub publication
	if len(v.leaks) == 0 {
		return pub
	}
	profileDir, ownDir := profileDirFor(t, cfg)
	pub.jsonPath = jsonPathFor(cfg)
	if pub.jsonPath != "" {
		if abs, err := filepath.Abs(pub.jsonPath); err == nil {
			pub.jsonPath = abs // for a rerun, which may run elsewhere
		}
	}
	var b strings.Builder
	if profileDir != "" {
		path, err := writeProfile(profileDir, profileBaseName(t, ownDir), groups, subject, mem)
		if err != nil {
			fmt.Fprintf(&b, "\nleakcheck: could not write the goroutine profile: %v\n", err)
		} else {
			pub.profilePath = path
			fmt.Fprintf(&b, "\nGoroutine profile of the leak: %s\n    see it as a flame graph with: go tool pprof -http=: %s\n", path, path)
		}
	}
	pub.text = b.String()
	if pub.jsonPath != "" {
		pub.records = jsonRecords(groups, subject, v.waited, pub.profilePath, mem)
		for i := range pub.records {
			pub.records[i].BaselineGo = cfg.Baseline.RecordedWith()
		}
		if mem == nil || !mem.pending {
			pub.appendRecords()
		}
	}
	return pub
}

// A pubGroup is one kind of leak as the machine-readable outputs show it:
// goroutines with one fingerprint, owned by one test.
type pubGroup struct {
	test        string
	fingerprint string
	goroutines  []*stack.Goroutine
}

// publishedGroups splits the verdict's fingerprint groups by owning test:
// the checked test for Verify, or the test each goroutine is attributed
// to for VerifyTestMain. Order: as report.GroupByKind sorts them.
func publishedGroups(t testing.TB, v verdict) []*pubGroup {
	var r *owner.Resolver
	if t == nil && v.snap != nil {
		r = owner.NewResolver(v.snap, scopeName)
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
				test = r.TestName(g)
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

// name names the kind of leak for a person, by its state and the first
// function of the program's own that it runs: "\"chan send\" in
// pkg.fetch.func1".
func (gr *pubGroup) name() string {
	g := gr.goroutines[0]
	fn := g.TopFunction()
	if f, ok := report.CalledFrom(g); ok {
		fn = f.Function
	}
	return fmt.Sprintf("%q in %s", g.State, fn)
}

// seconds renders a duration for the JSON records, to the millisecond.
func seconds(d time.Duration) float64 {
	return float64(d.Milliseconds()) / 1000
}
