package leakcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/heapdump"
)

// Measuring in a rerun. Once the runtime has proven a goroutine of the
// process leaked, no heap dump of the process is safe (see proofs), and on
// go1.27 that is nearly every failing check. The test binary then runs the
// failing test again, alone, in a new process (the child) that never asks
// for proofs: when goroutines of the kinds the failing check found show
// up after the test, the child measures them in its own heap dump and
// writes the figures to a file (rerunfile.go) that the parent reads. Only
// a failing check reruns; the child's outcome never changes the parent's
// verdict, only what its report says of the memory.

// The time a rerun may take. A rerun gets the time the test took before
// its check, the time the child waits for the leaks (what the parent's
// check waited, plus rerunExtraWait, and at least minRerunWait: what a
// check allows slow goroutines by default, as a loaded machine may start
// the leaking goroutines late, though a proof took milliseconds), twice the
// predicted cost of its heap dump, and rerunStartup for the process to
// start and TestMain to set up again. All the reruns of a test binary
// together take at most maxRerunTime: a rerun doubles the cost of the
// test it repeats, and a suite with many failing tests should not take
// minutes more to report them; the tests measured first get figures,
// later reports say the time is used up.
const (
	rerunExtraWait = time.Second
	minRerunWait   = DefaultMaxWait
	rerunStartup   = 10 * time.Second
	maxRerunTime   = time.Minute
	// deadlineMargin is the time a rerun leaves before the test binary's
	// -timeout, so that the parent's report still comes out.
	deadlineMargin = 5 * time.Second
	// maxChildOutput bounds the child's output the parent reads back to
	// say why a rerun failed.
	maxChildOutput = 4 << 10
)

// reruns serializes the reruns of a process, so that failing parallel
// tests do not start a child each at once, and counts the time they took
// against maxRerunTime.
var reruns struct {
	sync.Mutex
	used time.Duration
}

// A rerun is what a failing check can run again to measure its leaks:
// one test for Verify, the tests its report names for VerifyTestMain.
type rerun struct {
	test   string        // the test, as t.Name() spells it; "" for the package check
	took   time.Duration // how long the test (or the tests) ran before the check
	waited time.Duration // how long the check waited for the leaks
	// deadline is when the test binary's -timeout runs out; zero if none.
	deadline time.Time
}

// rerunOfTest returns the rerun of the test t, which began at start, or
// nil when t cannot be rerun alone: benchmarks, fuzz targets, fuzzing,
// and a process that is itself a rerun.
func rerunOfTest(t testing.TB, start time.Time, v verdict) *rerun {
	if _, ok := t.(*testing.T); !ok || isRerun() || fuzzing() {
		return nil
	}
	r := &rerun{test: t.Name(), took: time.Since(start) - v.waited, waited: v.waited}
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		r.deadline, _ = d.Deadline()
	}
	return r
}

// rerunOfPackage returns the rerun of the package check, whose tests ran
// from start until the check began to wait.
func rerunOfPackage(start time.Time, v verdict) *rerun {
	if isRerun() || fuzzing() {
		return nil
	}
	return &rerun{took: time.Since(start) - v.waited, waited: v.waited}
}

// isRerun reports whether this process was started as a rerun, even one
// whose request it could not read: a rerun never starts another.
func isRerun() bool { return childRerun != nil || childRerunErr != nil }

// fuzzing reports whether the test binary fuzzes (-test.fuzz), where the
// tests are not what runs.
func fuzzing() bool {
	for _, name := range []string{"test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return true
		}
	}
	return false
}

// measure runs the test again and returns what the groups hold in the
// rerun, or why it could not tell.
func (r *rerun) measure(groups []*pubGroup) *memoryReport {
	reruns.Lock()
	defer reruns.Unlock()
	name := r.name(groups)
	limit, reason := r.timeLimit()
	if reason != "" {
		return &memoryReport{skipped: reason, rerun: name}
	}
	start := time.Now()
	res, reason := r.run(groups, limit)
	reruns.used += time.Since(start)
	if reason == "" {
		reason = res.Skipped
	}
	if reason != "" {
		return &memoryReport{skipped: reason, rerun: name}
	}
	byKey := make(map[string]rerunHeld, len(res.Kinds))
	for _, h := range res.Kinds {
		byKey[h.key()] = h
	}
	held := make([]heldMemory, len(groups))
	for i, gr := range groups {
		held[i] = byKey[kindOf(gr).key()].held()
	}
	m := newMemoryReport(groups, held, res.HeapBytes)
	m.rerun = name
	return m
}

// timeLimit returns the time the rerun may take, or why there is none
// left. The caller holds reruns.
func (r *rerun) timeLimit() (time.Duration, string) {
	_, _, cost := heapdump.Estimate()
	limit := r.took + r.childWait() + 2*cost + rerunStartup
	if left := maxRerunTime - reruns.used; left < limit {
		if left < rerunStartup {
			return 0, fmt.Sprintf("the reruns of this test binary have used the %v they may take in all", maxRerunTime)
		}
		limit = left
	}
	if !r.deadline.IsZero() {
		if left := time.Until(r.deadline) - deadlineMargin; left < limit {
			if left < rerunStartup {
				return 0, "the test binary's -timeout leaves no time for a rerun"
			}
			limit = left
		}
	}
	return limit, ""
}

// childWait is how long the child waits for the leaks to show after the
// test.
func (r *rerun) childWait() time.Duration {
	return min(max(r.waited+rerunExtraWait, minRerunWait), maxRerunWait)
}

// name says what the rerun runs, for the report.
func (r *rerun) name(groups []*pubGroup) string {
	if r.test != "" {
		return r.test
	}
	tests := namedTests(groups)
	if tests == nil {
		return "the tests"
	}
	return strings.Join(tests, ", ")
}

// kindOf returns the kind of leak a published group is, for a request.
func kindOf(gr *pubGroup) rerunKind {
	return rerunKind{Test: gr.test, Fingerprint: gr.fingerprint, Count: len(gr.goroutines)}
}

// run starts the child, waits for it at most limit, and returns its
// result, or why there is none.
func (r *rerun) run(groups []*pubGroup, limit time.Duration) (*rerunResult, string) {
	dir, err := os.MkdirTemp("", "leakcheck-rerun-")
	if err != nil {
		return nil, "the rerun could not start: " + err.Error()
	}
	defer os.RemoveAll(dir)
	req := &rerunRequest{
		Test:       r.test,
		WaitMillis: r.childWait().Milliseconds(),
		Result:     filepath.Join(dir, "result.json"),
	}
	for _, gr := range groups {
		req.Kinds = append(req.Kinds, kindOf(gr))
	}
	reqPath := filepath.Join(dir, "request.json")
	data, err := json.Marshal(req)
	if err == nil {
		err = os.WriteFile(reqPath, data, 0o600)
	}
	if err != nil {
		return nil, "the rerun could not start: " + err.Error()
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, "the rerun could not start: " + err.Error()
	}
	output := filepath.Join(dir, "output")
	args := childArgs(r.selection(groups), limit)
	exit, reason := runChild(exe, args, childEnv(reqPath), output, limit)
	if reason != "" {
		return nil, reason
	}
	f, err := os.Open(req.Result)
	if errors.Is(err, os.ErrNotExist) {
		reason := fmt.Sprintf("the rerun ended (%v) before the test's check measured anything", exit)
		if line := lastLine(output); line != "" {
			reason += fmt.Sprintf("; its last line of output: %q", line)
		}
		return nil, reason
	}
	if err != nil {
		return nil, "the rerun's result could not be read: " + err.Error()
	}
	defer f.Close()
	got, err := parseRerunResult(f, req)
	if err != nil {
		return nil, "the rerun's result could not be read: " + err.Error()
	}
	return got, ""
}

// runChild runs exe with args and env, its output to the file out, and
// stops it after limit. It returns how the child ended, or why it did not
// run to its end. Output goes to a file, not to a pipe, so that no
// goroutine of this process copies it while a check elsewhere looks.
func runChild(exe string, args, env []string, out string, limit time.Duration) (exit *os.ProcessState, reason string) {
	f, err := os.Create(out)
	if err != nil {
		return nil, "the rerun could not start: " + err.Error()
	}
	defer f.Close()
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		return nil, "the rerun could not start: " + err.Error()
	}
	timer := time.AfterFunc(limit, func() { cmd.Process.Kill() })
	cmd.Wait() // the exit status is in ProcessState
	if !timer.Stop() {
		return nil, fmt.Sprintf("the rerun did not finish within %v (the test's own time, the wait for its leaks,"+
			" and %v to start and set up); it was stopped", limit.Round(100*time.Millisecond), rerunStartup)
	}
	return cmd.ProcessState, ""
}

// childArgs returns the command line of a rerun: the tests the selection
// flags choose, once each, and the flags of this run that may change what a test does
// (-test.short, -test.parallel, the memory profile rate, the test
// package's own flags). Flags that would run the test several times, in
// another order, under the fuzzer, or that write this run's files
// (profiles, coverage, the go command's test log) are left out.
func childArgs(selection []string, limit time.Duration) []string {
	args := append(selection,
		"-test.count=1",
		"-test.cpu="+strconv.Itoa(runtime.GOMAXPROCS(0)),
		"-test.timeout="+(limit+rerunStartup).String(),
	)
	flag.Visit(func(f *flag.Flag) {
		if carriedFlag(f.Name) {
			args = append(args, "-"+f.Name+"="+f.Value.String())
		}
	})
	return args
}

// carriedFlag reports whether a rerun gets the flag name as this run has
// it: the test package's own flags, and the testing package's that may
// change what a test does.
func carriedFlag(name string) bool {
	switch name {
	case "test.short", "test.parallel", "test.memprofilerate":
		return true
	}
	return !strings.HasPrefix(name, "test.")
}

// childEnv returns the environment of a rerun: this process's, without
// the variables that name files the parent writes (leakcheck's outputs,
// the baseline update, coverage), and with rerunEnv naming the request.
func childEnv(request string) []string {
	reading.Lock() // showLabels changes GODEBUG while it holds it
	env := os.Environ()
	reading.Unlock()
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case JSONEnv, ProfileDirEnv, BaselineUpdateEnv, "GOCOVERDIR", rerunEnv:
			continue
		}
		out = append(out, kv)
	}
	return append(out, rerunEnv+"="+request)
}

// selection returns the flags that choose the tests of the rerun: the
// test alone, each level of its name anchored and escaped; for the
// package check, the top-level tests its report names, or the tests this
// run chose (its -test.run and -test.skip) when some leak has no test's
// name.
func (r *rerun) selection(groups []*pubGroup) []string {
	if r.test != "" {
		return []string{"-test.run=" + exactTestPattern(r.test)}
	}
	tests := namedTests(groups)
	if tests == nil {
		var flags []string
		for _, name := range []string{"test.run", "test.skip"} {
			if f := flag.Lookup(name); f != nil {
				flags = append(flags, "-"+name+"="+f.Value.String())
			}
		}
		return flags
	}
	for i, t := range tests {
		tests[i] = regexp.QuoteMeta(t)
	}
	return []string{"-test.run=^(?:" + strings.Join(tests, "|") + ")$"}
}

// exactTestPattern returns the -test.run pattern that matches the test
// named name and nothing else. The testing package matches each
// slash-separated level of the pattern against the same level of the
// name, as t.Name() spells it (spaces made "_", "#01" added to a name
// repeated in one run of the test function), so each level is anchored
// and escaped. A new run of the test function (-count, -cpu) names its
// subtests afresh, so the rerun's single run gives the subtest its name.
func exactTestPattern(name string) string {
	levels := strings.Split(name, "/")
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	return strings.Join(levels, "/")
}

// namedTests returns the top-level tests the groups name, sorted, or nil
// when a group names no test.
func namedTests(groups []*pubGroup) []string {
	seen := make(map[string]bool)
	var tests []string
	for _, gr := range groups {
		if gr.test == "" {
			return nil
		}
		top, _, _ := strings.Cut(gr.test, "/")
		if !seen[top] {
			seen[top] = true
			tests = append(tests, top)
		}
	}
	sort.Strings(tests)
	return tests
}

// lastLine returns the last non-blank line of the file at path, from its
// last maxChildOutput bytes, shortened for a report.
func lastLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	buf := make([]byte, min(st.Size(), maxChildOutput))
	n, _ := f.ReadAt(buf, st.Size()-int64(len(buf)))
	lines := bytes.Split(bytes.TrimSpace(buf[:n]), []byte("\n"))
	line := strings.TrimSpace(string(lines[len(lines)-1]))
	if len(line) > 200 {
		line = line[:200] + "..."
	}
	return line
}
