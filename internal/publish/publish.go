package publish

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

// Settings say where a check publishes: the options' profile directory
// and JSON file (the environment wins over them), the Go versions the
// baseline was recorded with when not this one, and the JSON files'
// appender.
type Settings struct {
	ProfileDir string
	JSONPath   string
	BaselineGo string
	Files      *JSONFiles
}

// Memory is what a check measured of the memory its leaks hold; nil
// when it measured nothing.
type Memory interface {
	// Of returns what the goroutines of gr hold, and false when that
	// is unknown.
	Of(gr *Group) (Held, bool)
	// Skipped says why nothing was measured, "" when it was.
	Skipped() string
	// Pending reports that a rerun measures it later.
	Pending() bool
}

// heldOf returns what mem says the goroutines of gr hold.
func heldOf(mem Memory, gr *Group) (Held, bool) {
	if mem == nil {
		return Held{}, false
	}
	return mem.Of(gr)
}

// A Publication is what a failing check wrote, or leaves for its rerun to
// write: the text to append to the report, the profile's path, and the
// JSON records not yet appended to jsonPath (the rerun appends them with
// what the leaks hold).
type Publication struct {
	Text        string
	Subject     string
	ProfilePath string
	JSONPath    string
	Records     []JSONRecord
}

// AppendRecords appends the records now, saying in the text when it
// cannot.
func (p *Publication) AppendRecords(files *JSONFiles) {
	if p.JSONPath == "" {
		return
	}
	if err := files.Append(p.JSONPath, p.Records); err != nil {
		p.Text += fmt.Sprintf("\nleakcheck: could not append the leak to %s: %v\n", p.JSONPath, err)
	}
	p.Records = nil
}

// Leaks writes the machine-readable forms of a failing verdict,
// its groups and the memory they hold (nil if unknown): the profile, and
// the JSON lines unless mem is pending, whose records it returns for the
// rerun to complete. Its text is to be appended to the human report (such
// as where a profile was written). t is nil for VerifyTestMain.
//
// Writing is best effort: a problem is told in the text, and never hides
// the leak report itself.
func Leaks(t testing.TB, s Settings, subject string, waited time.Duration, groups []*Group, mem Memory) Publication {
	var pub Publication
	if len(groups) == 0 {
		return pub
	}
	profileDir, ownDir := ProfileDirFor(t, s.ProfileDir)
	pub.JSONPath = JSONPathFor(s.JSONPath)
	if pub.JSONPath != "" {
		if abs, err := filepath.Abs(pub.JSONPath); err == nil {
			pub.JSONPath = abs // for a rerun, which may run elsewhere
		}
	}
	var b strings.Builder
	if profileDir != "" {
		path, err := WriteProfile(profileDir, ProfileBaseName(t, ownDir), groups, subject, mem)
		if err != nil {
			fmt.Fprintf(&b, "\nleakcheck: could not write the goroutine profile: %v\n", err)
		} else {
			pub.ProfilePath = path
			fmt.Fprintf(&b, "\nGoroutine profile of the leak: %s\n    see it as a flame graph with: go tool pprof -http=: %s\n", path, path)
		}
	}
	pub.Text = b.String()
	if pub.JSONPath != "" {
		pub.Records = JSONRecords(groups, subject, waited, pub.ProfilePath, mem)
		for i := range pub.Records {
			pub.Records[i].BaselineGo = s.BaselineGo
		}
		if mem == nil || !mem.Pending() {
			pub.AppendRecords(s.Files)
		}
	}
	return pub
}

// A Group is one kind of leak as the machine-readable outputs show it:
// goroutines with one fingerprint, owned by one test.
type Group struct {
	Test        string
	Fingerprint string
	Goroutines  []*stack.Goroutine
}

// Groups splits the leaks' fingerprint groups by owning test: the
// checked test t for Verify, or, with t nil, the test r attributes each
// goroutine to for VerifyTestMain (none when r is nil). Order: as report.GroupByKind sorts them.
func Groups(t testing.TB, leaks []*stack.Goroutine, r *owner.Resolver) []*Group {
	var out []*Group
	for _, gr := range report.GroupByKind(leaks) {
		byTest := make(map[string]*Group)
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
				pg = &Group{Test: test, Fingerprint: gr.Fingerprint}
				byTest[test] = pg
				out = append(out, pg)
			}
			pg.Goroutines = append(pg.Goroutines, g)
		}
	}
	return out
}

// Name names the kind of leak for a person, by its state and the first
// function of the program's own that it runs: "\"chan send\" in
// pkg.fetch.func1".
func (gr *Group) Name() string {
	g := gr.Goroutines[0]
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
