package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// A testRun is what the output of "go test" says around a goroutine dump:
// the testing package's timeout panic and the tests it lists as running,
// the test that panicked, the packages that failed. The lines are those
// the testing package writes (testing.go, (*M).startAlarm and tRunner):
//
//	panic: test timed out after 2s
//		running tests:
//			TestDeadlock (2s)
//	--- FAIL: TestPanic (0.00s)
//	FAIL	example.com/pkg	2.009s
type testRun struct {
	markers   int      // lines only "go test" writes
	timeout   string   // "2s" when the binary timed out
	panicMsg  string   // the first "panic: " or "fatal error: " line, other than the timeout
	running   []string // the tests listed as running, without durations
	failed    []string // from "--- FAIL: X (...)"
	packages  []string // from "FAIL\tpkg\t..." lines
	inRunning bool

	// started lists the tests "=== RUN" started, in order, and finished
	// those "--- PASS", "--- FAIL" or "--- SKIP" ended: in output that
	// lists no running tests (before Go 1.20), the tests started and not
	// finished were running.
	started  []string
	finished map[string]bool
	paused   map[string]bool // parallel tests waiting for their turn
	// unfinishedTests caches unfinished once the output is read (known).
	unfinishedTests []string
	unfinishedKnown bool
	// lastTest is the test the last "=== RUN", "=== CONT" or "--- FAIL"
	// line named: output that follows is most likely its.
	lastTest string
	// races counts the race detector's reports ("WARNING: DATA RACE").
	races int
	// crash is what the runtime said when the program died, and crashes
	// tells the reader of the dump that the next goroutine is the one
	// that crashed.
	crash
	// mixedHeader is the first line outside the dump with a goroutine
	// header in the middle, as two outputs written at once make.
	mixedHeader string
	// goleak is goleak's failure message: its test, if it names one.
	goleak     bool
	goleakTest string

	// byID maps the IDs of test goroutines (those that testing.tRunner
	// runs) to their test, for goroutines that tests started.
	byID map[uint64]string
	// present holds the tests whose goroutine is in the dump: those still
	// running, for output that does not list them (before Go 1.20).
	present map[string]bool
}

// midLineHeader matches a goroutine header that starts in the middle of
// a word, as two outputs written at once make: "...crash to
// pringoroutine 1 [running]:".
var midLineHeader = regexp.MustCompile(`[^\s"'\x60]goroutine \d+ \[`)

// interleavedHeader matches a goroutine header interleaved byte by byte
// with other text.
var interleavedHeader = regexp.MustCompile(`g.o.r.o.u.t.i.n.e. .\d`)

// maxListed bounds each list of names a testRun keeps, so that no input
// makes it grow without end.
const maxListed = 1000

// endsDump reports whether a line of "go test" output (or of a crash)
// ends a goroutine dump: frame lines never start so.
func endsDump(line string) bool {
	if line == "" {
		return false
	}
	switch line[0] {
	case 'F', 'o', 'P', 'e', '-', '=', 'p', 'f', 't', 'W':
	default:
		return false // most lines of a dump: a position, a function
	}
	for _, p := range []string{"FAIL", "ok  \t", "PASS", "exit status ", "--- ", "=== ", "panic: ", "fatal error: ", "throw: ", "WARNING: DATA RACE", "=================="} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// line takes a line outside the dump. The line is valid only during the
// call (it points into the Scanner's buffer): what is kept is cloned.
func (t *testRun) line(line string) {
	trimmed := strings.TrimLeft(line, " \t")
	t.crash.line(line)
	t.unfinishedKnown = false
	if t.mixedHeader == "" && (strings.Contains(line, "goroutine ") && midLineHeader.MatchString(line) || interleavedHeader.MatchString(line)) {
		t.mixedHeader = strings.Clone(clip(line, 120))
	}
	switch {
	case strings.HasPrefix(line, "panic: test timed out after "):
		t.markers++
		t.timeout = strings.Clone(strings.TrimSpace(strings.TrimPrefix(line, "panic: test timed out after ")))
		t.inRunning = false
		t.crash.pending = false // the testing package's alarm: no goroutine crashed
		return
	case strings.HasPrefix(line, "panic: "), strings.HasPrefix(line, "fatal error: "):
		if t.panicMsg == "" {
			t.panicMsg = strings.Clone(line)
		}
	case trimmed == "running tests:":
		t.inRunning = true
		return
	case t.inRunning && isRunningEntry(trimmed):
		name, _, _ := strings.Cut(trimmed, " (")
		if len(t.running) < maxListed {
			t.running = append(t.running, strings.Clone(name))
		}
		return
	case strings.HasPrefix(trimmed, "--- FAIL: "):
		t.markers++
		name, _, _ := strings.Cut(strings.TrimPrefix(trimmed, "--- FAIL: "), " (")
		if len(t.failed) < maxListed {
			t.failed = append(t.failed, strings.Clone(name))
		}
		t.finish(name)
		t.lastTest = t.failed[len(t.failed)-1]
	case strings.HasPrefix(trimmed, "--- PASS: "), strings.HasPrefix(trimmed, "--- SKIP: "):
		t.markers++
		name, _, _ := strings.Cut(trimmed[len("--- PASS: "):], " (")
		t.finish(name)
	case strings.HasPrefix(line, "FAIL\t"):
		t.markers++
		if f := strings.Split(line, "\t"); len(f) >= 2 && len(t.packages) < maxListed {
			t.packages = append(t.packages, strings.Clone(f[1]))
		}
	case strings.HasPrefix(line, "=== FAIL: "):
		// gotestsum: "=== FAIL: example.com/pkg TestX (0.45s)", then the
		// test's output.
		t.markers++
		if f := strings.Fields(line); len(f) >= 4 {
			t.lastTest = strings.Clone(f[3])
			if len(t.failed) < maxListed {
				t.failed = append(t.failed, t.lastTest)
			}
		}
	case strings.HasPrefix(line, "=== RUN"), strings.HasPrefix(line, "=== CONT"), strings.HasPrefix(line, "=== PAUSE"):
		t.markers++
		verb, name, _ := strings.Cut(line[len("=== "):], " ")
		name = strings.TrimSpace(name)
		if name == "" {
			break
		}
		if t.paused == nil {
			t.paused = make(map[string]bool)
		}
		switch verb {
		case "RUN":
			t.lastTest = strings.Clone(name)
			if len(t.started) < maxListed {
				t.started = append(t.started, t.lastTest)
			}
		case "CONT":
			t.lastTest = strings.Clone(name)
			delete(t.paused, name)
		case "PAUSE":
			if len(t.paused) < maxListed {
				t.paused[strings.Clone(name)] = true
			}
		}
	case strings.HasPrefix(line, "ok  \t"):
		t.markers++
	case strings.HasPrefix(line, "WARNING: DATA RACE"):
		t.races++
	case strings.HasSuffix(line, "found unexpected goroutines:"):
		// goleak: "pool_test.go:41: found unexpected goroutines:" in a
		// test's output, "goleak: Errors on successful test run: found
		// unexpected goroutines:" from VerifyTestMain.
		t.goleak = true
		if !strings.Contains(line, "goleak: ") {
			t.goleakTest = t.lastTest
		}
	}
	t.inRunning = false
}

// finish notes that a test ended.
func (t *testRun) finish(name string) {
	if t.finished == nil {
		t.finished = make(map[string]bool)
	}
	if len(t.finished) < maxListed {
		t.finished[strings.Clone(name)] = true
	}
}

// unfinished returns the tests that "=== RUN" started, that no "--- "
// line ended and that were not paused waiting for their turn, leaving
// out those that only waited for their subtests: the tests that were
// running, as Go 1.20 and later list them.
func (t *testRun) unfinished() []string {
	if t.unfinishedKnown {
		return t.unfinishedTests
	}
	t.unfinishedKnown = true
	t.unfinishedTests = t.findUnfinished()
	return t.unfinishedTests
}

// findUnfinished computes [testRun.unfinished].
func (t *testRun) findUnfinished() []string {
	var names []string
	for _, name := range t.started {
		if !t.finished[name] && !t.paused[name] {
			names = append(names, name)
		}
	}
	all := slices.Clone(names)
	return slices.DeleteFunc(names, func(name string) bool {
		return slices.ContainsFunc(all, func(sub string) bool { return strings.HasPrefix(sub, name+"/") })
	})
}

// isRunningEntry reports whether a line of the list of running tests,
// without its indentation (which pastes change), names a test:
// "TestX/sub (2s)".
func isRunningEntry(line string) bool {
	name, dur, ok := strings.Cut(line, " (")
	return ok && name != "" && !strings.ContainsAny(name, " \t") && strings.HasSuffix(dur, ")")
}

// seen reports whether the input looked like "go test" output.
func (t *testRun) seen() bool { return t.markers > 0 || t.races > 0 }

// goroutine notes a goroutine of the dump as it streams past: a test
// goroutine's ID and test, for the goroutines it started.
func (t *testRun) goroutine(g *stack.Goroutine) {
	if name := testFrame(g.Frames); name != "" {
		if t.byID == nil {
			t.byID = make(map[uint64]string)
		}
		if len(t.byID) < 10000 {
			// Clone: name points into the Scanner's buffer.
			test := strings.Clone(t.testName(name))
			t.byID[g.ID] = test
			if t.present == nil {
				t.present = make(map[string]bool)
			}
			t.present[test] = true
		}
	}
}

// testOf returns the test a goroutine belongs to: the test it runs, the
// test whose function started it, or the test whose goroutine did; "" if
// none.
func (t *testRun) testOf(g *stack.Goroutine) string {
	if name := testFrame(g.Frames); name != "" {
		return t.testName(name)
	}
	if isTestFunc(g.CreatedBy.Function) {
		return t.testName(g.CreatedBy.Function)
	}
	return t.byID[g.ParentID]
}

// testFrame returns the function that testing.tRunner called on g's
// stack: the test function, or a subtest's closure.
func testFrame(frames []stack.Frame) string {
	for i := 1; i < len(frames); i++ {
		if frames[i].Function == "testing.tRunner" && isTestFunc(frames[i-1].Function) {
			return frames[i-1].Function
		}
	}
	return ""
}

// isTestFunc reports whether fn is a test function or one of its
// closures: "example.com/pkg.TestX" or "example.com/pkg.TestX.func1".
func isTestFunc(fn string) bool {
	top := topTestName(fn)
	for _, p := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
		if strings.HasPrefix(top, p) {
			return true
		}
	}
	return false
}

// topTestName strips the package path and any closure suffix from a test
// function's name: "example.com/pkg.TestX.func1.2" is "TestX".
func topTestName(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	_, fn, _ = strings.Cut(fn, ".") // the package name
	fn, _, _ = strings.Cut(fn, ".")
	return fn
}

// testName names the test of a test function: the running (or failed)
// test of that name, or its only running subtest; for a closure, such
// as a subtest's function, the top-level test.
func (t *testRun) testName(fn string) string {
	top := topTestName(fn)
	var match []string
	for _, list := range [][]string{t.running, t.failed} {
		for _, name := range list {
			if name == top || strings.HasPrefix(name, top+"/") {
				match = append(match, name)
			}
		}
		if len(match) > 0 {
			break
		}
	}
	if strings.Contains(fn, top+".func") {
		// A subtest's closure: which subtest, the dump does not say.
		return top
	}
	for _, m := range match {
		if m == top {
			return m
		}
	}
	if len(match) == 1 {
		return match[0]
	}
	return top
}

// summary describes the run in one line, for the report's header.
func (t *testRun) summary() string {
	var b strings.Builder
	b.WriteString("go test")
	if len(t.packages) > 0 {
		b.WriteString(" of " + strings.Join(t.packages, ", "))
	}
	switch {
	case t.timeout != "":
		b.WriteString(": the test binary timed out after " + t.timeout)
		if len(t.running) > 0 {
			b.WriteString("; tests running: " + strings.Join(t.running, ", "))
		} else if u := t.unfinished(); len(u) > 0 {
			b.WriteString("; tests started and not finished (the output lists no running tests): " + strings.Join(u, ", "))
		} else if len(t.present) > 0 {
			present := make([]string, 0, len(t.present))
			for name := range t.present {
				present = append(present, name)
			}
			slices.Sort(present)
			b.WriteString("; tests with a goroutine in the dump (the output lists no running tests): " + strings.Join(present, ", "))
		}
	case t.panicMsg != "":
		b.WriteString(": " + t.panicMsg)
		if len(t.failed) > 0 {
			b.WriteString(" in " + strings.Join(t.failed, ", "))
		}
	case len(t.failed) > 0:
		b.WriteString(": failed: " + strings.Join(t.failed, ", "))
	}
	if t.races > 0 {
		fmt.Fprintf(&b, "; the race detector reported %s (not goroutines: read them in the output)", report.Plural(t.races, "data race"))
	}
	return b.String()
}

// isRunning reports whether test, or one of its subtests, was running:
// as the list of running tests says, or, in output without the list
// (Go before 1.20), as the dump shows a goroutine of the test.
func (t *testRun) isRunning(test string) bool {
	if len(t.running) == 0 {
		for _, u := range t.unfinished() {
			if u == test || strings.HasPrefix(u, test+"/") {
				return true
			}
		}
		return t.present[test]
	}
	for _, r := range t.running {
		if r == test || strings.HasPrefix(r, test+"/") {
			return true
		}
	}
	return false
}

// blockedInTesting reports whether g waits inside package testing
// itself: a parallel test waiting for its turn, a test waiting for its
// subtests. Its test is not what is stuck; the subtests it waits for
// are.
func blockedInTesting(g *stack.Goroutine) bool {
	for _, f := range g.Frames {
		fn := f.Function
		if strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/") || strings.HasPrefix(fn, "sync.") {
			continue
		}
		return strings.HasPrefix(fn, "testing.")
	}
	return false
}
