package measure

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
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

	"github.com/leakcheck/leakcheck/internal/baseline"
	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/publish"
)

// Measuring in a rerun. Once the runtime has proven a goroutine of the
// process leaked, no heap dump of the process is safe (see proofs), and on
// go1.27 that is nearly every failing check. The failing check then fails
// at once, its report saying that the memory is being measured, and
// starts the failing test again, alone, in a new process (the child) that
// never asks for proofs: when goroutines of the kinds the failing check
// found show up after the test, the child measures them in its own heap
// dump and publishes the figures itself, attributed to the test: a block
// of text on the parent's standard output, which it inherits (go test
// reads a test binary's output until every process holding it has
// closed it, so the figures arrive even after the parent has exited),
// the check's JSON lines, and the "held" values of its profile. The
// child's outcome never changes the verdict, only what follows it.
//
// The children of one test binary take turns, in the order their checks
// failed: each measures once the one before it has measured, and prints
// once the one before it has printed (each turn is a pipe from the one
// before, which it closes or which closes when it exits). Where the
// parent's output is framed for test names (go test -v, -json), a child
// prints only once the parent has exited: framing lines of its own in
// the middle of the parent's output would give the parent's next lines
// to the wrong test. A child that cannot measure publishes why instead;
// one that ends without measuring (its TestMain exits, say) is published
// for by the parent, if the parent still runs.

// The time a rerun may take. Once its turn comes, a rerun gets the time
// the test took before its check, the time the child waits for the leaks
// (what the parent's check waited, plus rerunExtraWait, and at least
// MinRerunWait: what a check allows slow goroutines by default, as a
// loaded machine may start the leaking goroutines late, though a proof
// took milliseconds), twice the predicted cost of its heap dump, and
// rerunStartup for the process to start and TestMain to set up again. All
// the reruns of a test binary end at most maxRerunTime after the first
// began: a rerun doubles the cost of the test it repeats, and a suite with
// many failing tests should not take minutes more to report them; the
// tests measured first get figures, later ones say the time is used up.
// Once the parent has exited, go test reads its output only for a while
// (its WaitDelay: a tenth of -timeout, at least minReadAfterExit): the
// children then end readMargin before that, publishing why.
const (
	rerunExtraWait = time.Second
	rerunStartup   = 10 * time.Second
	maxRerunTime   = time.Minute
	// minReadAfterExit is how long go test reads a test binary's output
	// after the binary exited, at least (cmd/go: testWaitDelay).
	minReadAfterExit = 5 * time.Second
	readMargin       = time.Second
	// maxChildOutput bounds the child's output the parent reads back to
	// say why a rerun failed.
	maxChildOutput = 4 << 10
)

// reruns holds the parent's side of the reruns of this process: when
// they must all end, the pipes on which the next child waits for its
// turns, and the pipe whose closing, when this process exits, tells the
// children that go test reads their output only for a while longer.
// Rerun.start fills it, the first time, and follows it.
type rerunTurns struct {
	sync.Mutex
	end        time.Time // zero until the first rerun
	measured   *os.File  // closes when the latest child has measured; nil before the first
	printed    *os.File  // closes when the latest child has printed; nil before the first
	alive      *os.File  // read end of the pipe this process holds open
	aliveWrite *os.File  // never written, never closed: closes when this process exits
}

// A Rerun is what a failing check can run again to measure its leaks:
// one test for Verify, the tests its report names for VerifyTestMain.
type Rerun struct {
	st     *State        // the process's, which holds the turns
	test   string        // the test, as t.Name() spells it; "" for the package check
	took   time.Duration // how long the test (or the tests) ran before the check
	waited time.Duration // how long the check waited for the leaks
	// deadline is when the test binary's -timeout runs out; zero if none.
	deadline time.Time
	// deadlock reports that the test deadlocked: see rerunRequest.Deadlock.
	deadlock bool
}

// RerunOfTest returns the rerun of the test t, which began at start and
// whose check waited for its leaks, or nil when t cannot be rerun alone:
// benchmarks, fuzz targets, fuzzing, and a process that is itself a
// rerun.
func (s *State) RerunOfTest(t testing.TB, start time.Time, waited time.Duration) *Rerun {
	if _, ok := t.(*testing.T); !ok || s.IsRerun() || fuzzing() {
		return nil
	}
	r := &Rerun{st: s, test: t.Name(), took: time.Since(start) - waited, waited: waited}
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		r.deadline, _ = d.Deadline()
	}
	return r
}

// RerunOfPackage returns the rerun of the package check, whose tests ran
// from start until the check began to wait, and waited.
func (s *State) RerunOfPackage(start time.Time, waited time.Duration) *Rerun {
	if s.IsRerun() || fuzzing() {
		return nil
	}
	return &Rerun{st: s, took: time.Since(start) - waited, waited: waited}
}

// RerunOfDeadlock returns the rerun of test, whose goroutine t
// deadlocked after it ran for took, or nil when it cannot be rerun: t is
// not a test's, or the process is itself a rerun, or fuzzes.
func (s *State) RerunOfDeadlock(t testing.TB, test string, took time.Duration) *Rerun {
	if _, ok := t.(*testing.T); !ok || test == "" || s.IsRerun() || fuzzing() {
		return nil
	}
	return &Rerun{st: s, test: test, took: took, deadlock: true}
}

// IsRerun reports whether this process was started as a rerun, even one
// whose request it could not read: a rerun never starts another.
func (s *State) IsRerun() bool { return s.request != nil || s.requestErr != nil }

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

// start starts the rerun that measures what the groups hold, and
// publishes the figures as it gets them: to this process's standard
// output, framed for the test, and to the JSON lines and the profile that
// pub names. It returns why it could not start, "" when it did.
func (r *Rerun) start(groups []*publish.Group, pub publish.Publication) (reason string) {
	r.st.reruns.Lock()
	defer r.st.reruns.Unlock()
	now := time.Now()
	if r.st.reruns.end.IsZero() {
		r.st.reruns.end = now.Add(maxRerunTime)
		rd, w, err := os.Pipe()
		if err != nil {
			return "the rerun could not start: " + err.Error()
		}
		r.st.reruns.alive, r.st.reruns.aliveWrite = rd, w
	}
	if !now.Before(r.st.reruns.end.Add(-rerunStartup)) {
		return fmt.Sprintf("the reruns of this test binary have used the %v they may take in all", maxRerunTime)
	}
	if !r.deadline.IsZero() && time.Until(r.deadline) < rerunStartup {
		return "the test binary's -timeout leaves no time for a rerun"
	}
	dir, err := os.MkdirTemp("", rerunDirPrefix+"*")
	if err != nil {
		return "the rerun could not start: " + err.Error()
	}
	req := r.request(groups, pub, filepath.Join(dir, "published"))
	reqPath := filepath.Join(dir, "request.json")
	data, err := json.Marshal(req)
	if err == nil {
		err = os.WriteFile(reqPath, data, 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "the rerun could not start: " + err.Error()
	}
	c, err := r.startChild(groups, reqPath, filepath.Join(dir, "output"))
	if err != nil {
		os.RemoveAll(dir)
		return "the rerun could not start: " + err.Error()
	}
	go followRerun(c, req, dir)
	return ""
}

// request returns what the child is asked to measure and publish.
func (r *Rerun) request(groups []*publish.Group, pub publish.Publication, published string) *rerunRequest {
	_, _, cost := heapdump.Estimate()
	limit := r.took + r.childWait() + 2*cost + rerunStartup
	req := &rerunRequest{
		st:            r.st,
		Test:          r.test,
		Deadlock:      r.deadlock,
		Subject:       pub.Subject,
		WaitMillis:    r.childWait().Milliseconds(),
		LimitMillis:   limit.Milliseconds(),
		EndUnixMillis: r.st.reruns.end.UnixMilli(),
		ReadForMillis: readAfterExit().Milliseconds(),
		Frame:         outputFrame(),
		Result:        published,
		JSON:          pub.JSONPath,
		Records:       pub.Records,
		Profile:       pub.ProfilePath,
	}
	for _, gr := range groups {
		req.Kinds = append(req.Kinds, kindOf(gr))
	}
	return req
}

// A startedRerun is a child running, and the file its output goes to.
type startedRerun struct {
	cmd    *exec.Cmd
	output string
}

// startChild starts the child with the request at reqPath. Its own output
// goes to the file output, not to a pipe, so that no goroutine of this
// process copies it while a check elsewhere looks; it publishes on this
// process's standard output, which it gets as its fourth file. The caller
// holds reruns.
func (r *Rerun) startChild(groups []*publish.Group, reqPath, output string) (*startedRerun, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f, err := os.Create(output)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The child's turns, and its own pipes, which the next child's turns
	// are; this process keeps only the read ends, for the next child.
	turns, err := r.st.newChildTurns()
	if err != nil {
		return nil, err
	}
	defer turns.closeChilds()
	cmd := exec.Command(exe, childArgs(r.selection(groups))...)
	cmd.Env = childEnv(reqPath)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.ExtraFiles = rerunFiles(r.st.Output, turns.measureAfter, turns.measured, r.st.reruns.alive, turns.printAfter, turns.printed)
	if err := cmd.Start(); err != nil {
		turns.nextMeasure.Close()
		turns.nextPrint.Close()
		r.st.reruns.measured, r.st.reruns.printed = nil, nil // closed: the next child need not wait
		return nil, err
	}
	r.st.reruns.measured, r.st.reruns.printed = turns.nextMeasure, turns.nextPrint
	return &startedRerun{cmd: cmd, output: output}, nil
}

// childTurns are the pipes of a child's turns: measureAfter and
// printAfter close when the child before has measured and printed (they
// are closed at once for the first), measured and printed are the
// child's own, whose read ends nextMeasure and nextPrint this process
// keeps for the next child.
type childTurns struct {
	measureAfter, printAfter *os.File
	measured, printed        *os.File
	nextMeasure, nextPrint   *os.File
}

// newChildTurns returns the turns of the next child. The caller holds
// reruns.
func (s *State) newChildTurns() (*childTurns, error) {
	t := &childTurns{measureAfter: s.reruns.measured, printAfter: s.reruns.printed}
	var err error
	for _, end := range []**os.File{&t.measureAfter, &t.printAfter} {
		if *end == nil && err == nil {
			var w *os.File
			*end, w, err = os.Pipe() // closed at once: the first child's turn has come
			if err == nil {
				w.Close()
			}
		}
	}
	if err == nil {
		t.nextMeasure, t.measured, err = os.Pipe()
	}
	if err == nil {
		t.nextPrint, t.printed, err = os.Pipe()
	}
	if err != nil {
		t.closeChilds()
		return nil, err
	}
	return t, nil
}

// closeChilds closes this process's copies of the files only the child
// needs.
func (t *childTurns) closeChilds() {
	for _, f := range []*os.File{t.measureAfter, t.printAfter, t.measured, t.printed} {
		if f != nil {
			f.Close()
		}
	}
}

// followRerun waits for a child, stops it if it outlives every rerun's
// end, and publishes for it when it ended without publishing, saying
// why. It is leakcheck's own goroutine, which no check reports.
func followRerun(c *startedRerun, req *rerunRequest, dir string) {
	defer os.RemoveAll(dir)
	// The child measures by then, or publishes why not; on a loaded
	// machine it may start late, so allow it time to get there. Once it
	// has measured, it may wait for this process to exit to print.
	end := time.UnixMilli(req.EndUnixMillis).Add(rerunStartup)
	timer := time.AfterFunc(time.Until(end), func() {
		if !published(req, dir) {
			c.cmd.Process.Kill()
		}
	})
	c.cmd.Wait() // the exit status is in ProcessState
	timer.Stop()
	if published(req, dir) {
		return
	}
	reason := fmt.Sprintf("the rerun ended (%v) before the test's check measured anything", c.cmd.ProcessState)
	if line := lastLine(c.output); line != "" {
		reason += fmt.Sprintf("; its last line of output: %q", line)
	}
	req.Frame = "" // this process's output goes on: see rerun.go
	req.publish(req.st.Output, &rerunResult{Skipped: reason})
}

// rerunDirPrefix begins the name of the temporary directory of each
// rerun.
const rerunDirPrefix = "leakcheck-rerun-"

// published reports whether the child has measured: it made the Result
// file, or it has already removed its directory, which it does only once
// it has measured (see removeRequestDir).
func published(req *rerunRequest, dir string) bool {
	if _, err := os.Stat(req.Result); err == nil {
		return true
	}
	_, err := os.Stat(dir)
	return errors.Is(err, fs.ErrNotExist)
}

// readAfterExit returns how long go test reads this test binary's output
// after the binary exits, as cmd/go sets it from -timeout: a tenth of it,
// at least minReadAfterExit; zero when no -timeout bounds it.
func readAfterExit() time.Duration {
	f := flag.Lookup("test.timeout")
	if f == nil {
		return 0
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return 0
	}
	timeout, _ := g.Get().(time.Duration)
	if timeout <= 0 {
		return 0
	}
	return max(timeout/10, minReadAfterExit)
}

// outputFrame returns how the figures of a rerun are framed for the
// testing package's output: "test2json" under go test -json, "v" under
// -v, "" otherwise.
func outputFrame() string {
	f := flag.Lookup("test.v")
	if f == nil {
		return ""
	}
	switch f.Value.String() {
	case "test2json":
		return "test2json"
	case "true":
		return "v"
	}
	return ""
}

// MinRerunWait is the least time a rerun waits for the leaks to show
// after the test: what a check allows slow goroutines by default
// (check.DefaultMaxWait, whose tests hold the two equal).
const MinRerunWait = 5 * time.Second

// childWait is how long the child waits for the leaks to show after the
// test.
func (r *Rerun) childWait() time.Duration {
	return min(max(r.waited+rerunExtraWait, MinRerunWait), maxRerunWait)
}

// name says what the rerun runs, for the report.
func (r *Rerun) name(groups []*publish.Group) string {
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
func kindOf(gr *publish.Group) rerunKind {
	return rerunKind{Test: gr.Test, Fingerprint: gr.Fingerprint, Count: len(gr.Goroutines), Name: gr.Name()}
}

// childArgs returns the command line of a rerun: the tests the selection
// flags choose, once each, and the flags of this run that may change what a test does
// (-test.short, -test.parallel, the memory profile rate, the test
// package's own flags). Flags that would run the test several times, in
// another order, under the fuzzer, or that write this run's files
// (profiles, coverage, the go command's test log) are left out.
func childArgs(selection []string) []string {
	args := append(selection,
		"-test.count=1",
		"-test.cpu="+strconv.Itoa(runtime.GOMAXPROCS(0)),
		"-test.timeout=0", // its watchdog ends it, and it may wait for this process to exit
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
	env := os.Environ()
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case publish.JSONEnv, publish.ProfileDirEnv, baseline.BaselineUpdateEnv, "GOCOVERDIR", rerunEnv:
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
func (r *Rerun) selection(groups []*publish.Group) []string {
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
func namedTests(groups []*publish.Group) []string {
	seen := make(map[string]bool)
	var tests []string
	for _, gr := range groups {
		if gr.Test == "" {
			return nil
		}
		top, _, _ := strings.Cut(gr.Test, "/")
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
