package measure

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

// The child's side of a rerun (see rerun.go). A test binary started with
// rerunEnv is a rerun: it never asks the runtime for proofs, so that its
// heap dump stays possible, runs no deadlock watcher, and writes none of
// the user's files (profiles, JSON lines, baseline) but the figures it
// was asked for. It waits for its turn before anything else, even the
// test package's initializers, runs. Its checks do nothing but the one the
// request names, which, instead of waiting for a verdict, measures as soon
// as goroutines of every kind the parent found are there (or, when its
// wait runs out, those of them that came back) and publishes what they
// hold. A watchdog publishes why not, and ends the process, when the
// rerun's time runs out first.

// ReadRequest reads, as the process starts, the request this process
// serves when it is a rerun, and waits for its turn; a rerun asks the
// runtime for no proof (see runtimeread.Reader). It removes rerunEnv from
// the environment so that processes the tests start are not reruns.
func (s *State) ReadRequest() {
	s.request, s.requestErr = s.readRerunRequest()
	s.Reader.InRerun = s.request != nil
}

// rerunPoll bounds the pause between two looks of the child for the
// leaks: a look is one goroutine dump of a small process.
const rerunPoll = 20 * time.Millisecond

func (s *State) readRerunRequest() (*rerunRequest, error) {
	path, ok := os.LookupEnv(rerunEnv)
	if !ok {
		return nil, nil
	}
	os.Unsetenv(rerunEnv)
	f, err := os.Open(path)
	if err != nil {
		return nil, rerunEnvError(path, err)
	}
	defer f.Close()
	req, err := parseRerunRequest(f)
	if err == nil {
		req.st = s
		err = req.takeTurn()
	}
	if err != nil {
		return nil, rerunEnvError(path, err)
	}
	return req, nil
}

func rerunEnvError(path string, err error) error {
	return fmt.Errorf("leakcheck: %s=%q: %v (leakcheck sets this variable in the test binaries it reruns to measure leaks; unset it)", rerunEnv, path, err)
}

// rerunChild is what the child keeps of its parent and of its turns:
// where it publishes; its own turn pipes, which it closes once it has
// measured and once it has printed; when the parent exited and the
// child before printed (closed channels).
type rerunChildFiles struct {
	once       sync.Once
	out        *os.File
	measured   *os.File
	printed    *os.File
	parentGone chan struct{}
	parentAt   time.Time // when parentGone closed; written before
	prevDone   chan struct{}
}

// takeTurn waits until the rerun before this one has measured, then
// starts the watchdog.
func (req *rerunRequest) takeTurn() error {
	files, err := inheritRerunFiles()
	if err != nil {
		return err
	}
	out, measureAfter, measured, alive, printAfter, printed := files[0], files[1], files[2], files[3], files[4], files[5]
	req.st.child.out, req.st.child.measured, req.st.child.printed = out, measured, printed
	req.st.child.parentGone, req.st.child.prevDone = make(chan struct{}), make(chan struct{})
	go func() {
		io.Copy(io.Discard, alive) // returns when the parent has exited
		req.st.child.parentAt = time.Now()
		close(req.st.child.parentGone)
	}()
	go func() {
		io.Copy(io.Discard, printAfter) // returns when the one before has printed
		close(req.st.child.prevDone)
	}()
	io.Copy(io.Discard, measureAfter) // returns when the one before has measured
	measureAfter.Close()
	end := time.UnixMilli(req.EndUnixMillis)
	limit := time.Duration(req.LimitMillis) * time.Millisecond
	deadline, why := time.Now().Add(limit), fmt.Sprintf("the rerun did not finish within %v"+
		" (the test's own time, the wait for its leaks, and %v to start and set up)", limit.Round(100*time.Millisecond), rerunStartup)
	if end.Before(deadline) {
		deadline, why = end, fmt.Sprintf("the reruns of this test binary have used the %v they may take in all", maxRerunTime)
	}
	go req.watchdog(deadline, why)
	return nil
}

// readFor is how long go test reads the parent's output after the parent
// exited, less readMargin; zero when unknown.
func (req *rerunRequest) readFor() time.Duration {
	if req.ReadForMillis == 0 {
		return 0
	}
	return time.Duration(req.ReadForMillis)*time.Millisecond - readMargin
}

// watchdog publishes why, and ends the process, at deadline, or earlier
// when the parent has exited and go test is about to stop reading, unless
// the rerun has measured by then.
func (req *rerunRequest) watchdog(deadline time.Time, why string) {
	gone := req.st.child.parentGone
	timer := time.NewTimer(time.Until(deadline))
	for {
		select {
		case <-gone:
			gone = nil
			if at := time.Now().Add(req.readFor()); req.readFor() > 0 && at.Before(deadline) {
				deadline, why = at, fmt.Sprintf("go test reads the test binary's output for %v after it exits, and the rerun had not measured by then",
					time.Duration(req.ReadForMillis)*time.Millisecond)
				timer.Reset(time.Until(deadline))
			}
		case <-timer.C:
			req.publishOnce(&rerunResult{Skipped: why})
			os.Exit(0)
		}
	}
}

// A Finder returns the leaks a check finds in snap, split as it
// publishes them (see publish.Groups): the check's ownership rules, less
// the singletons. internal/check makes one for each check of a rerun.
type Finder func(snap *runtimeread.Snapshot) []*publish.Group

// CheckTest is the check of test t in a rerun: the test the request
// names measures its leaks, which find finds; other checks do nothing.
func (s *State) CheckTest(t testing.TB, find Finder) {
	req := s.request
	if req == nil || req.Test == "" || t.Name() != req.Test || req.Deadlock {
		return
	}
	req.measureWhenSeen(find)
}

// WatchTest starts, in a rerun of a test that deadlocked, the
// measurement that its check, which never runs, would make: of the kinds
// the deadlock report listed, which find finds, the test goroutine's
// among them. The process ends once it has published.
func (s *State) WatchTest(t testing.TB, find Finder) {
	req := s.request
	if req == nil || !req.Deadlock || t.Name() != req.Test {
		return
	}
	go func() {
		req.measureWhenSeen(find)
		os.Exit(0)
	}()
}

// CheckPackage is the package check of VerifyTestMain in a rerun: it
// measures the leaks find finds when the request is the package check's.
func (s *State) CheckPackage(find Finder) {
	if req := s.request; req != nil && req.Test == "" {
		req.measureWhenSeen(find)
	}
}

// measureWhenSeen looks at the goroutines until find blames, for
// every kind of the request, at least as many goroutines as the parent
// saw, then measures what they hold and publishes it. When the request's
// wait runs out first, it measures the goroutines of the kinds that came
// back, and says how many; when none did, that the rerun did not
// reproduce the leak.
func (req *rerunRequest) measureWhenSeen(find Finder) {
	deadline := time.Now().Add(req.wait())
	pause := time.Millisecond
	for {
		snap, err := req.st.Reader.TakeSnapshot()
		if err != nil {
			req.publishOnce(&rerunResult{Skipped: "in the rerun, " + err.Error()})
			return
		}
		groups, whole := req.match(find(snap))
		late := !time.Now().Before(deadline)
		switch {
		case late && len(groups) == 0:
			req.publishOnce(&rerunResult{Skipped: fmt.Sprintf("the rerun did not reproduce the leak (no goroutine of its %s came back within %v)",
				report.Plural(len(req.Kinds), "kind"), req.wait())})
			return
		case whole || late:
			req.publishOnce(req.st.resultOf(groups))
			return
		}
		time.Sleep(pause)
		pause = min(2*pause, rerunPoll)
	}
}

// match returns the groups of the request's kinds that are there, and
// whether every kind is, with at least as many goroutines as the parent
// saw.
func (req *rerunRequest) match(groups []*publish.Group) (matched []*publish.Group, whole bool) {
	byKey := make(map[string]*publish.Group, len(groups))
	for _, gr := range groups {
		byKey[kindOf(gr).key()] = gr
	}
	whole = true
	for _, k := range req.Kinds {
		gr := byKey[k.key()]
		if gr == nil || len(gr.Goroutines) < k.Count {
			whole = false
		}
		if gr != nil {
			matched = append(matched, gr)
		}
	}
	return matched, whole
}

// resultOf measures the groups in a heap dump of this process.
func (s *State) resultOf(groups []*publish.Group) *rerunResult {
	m, proven := s.measureInProcess(groups)
	switch {
	case proven:
		return &rerunResult{Skipped: "in the rerun too, " + ProvenReason}
	case m.skipped != "":
		return &rerunResult{Skipped: "in the rerun, " + m.skipped}
	}
	res := &rerunResult{HeapBytes: m.all.Heap}
	for _, gr := range groups {
		h := m.byGroup[gr]
		res.Kinds = append(res.Kinds, rerunHeld{
			rerunKind:  kindOf(gr),
			StackBytes: h.Stack,
			HeapBytes:  h.Heap,
			Largest:    publish.JSONObjectsOf(h.Largest),
		})
	}
	return res
}

// publishOnce publishes res, once: it tells the parent (the Result file)
// and the next child that it has measured, appends the JSON records,
// completes the profile, and prints when its turn comes (see printTurn);
// then it tells the next child it has printed. The watchdog no longer
// stops a rerun that has measured.
func (req *rerunRequest) publishOnce(res *rerunResult) {
	req.st.child.once.Do(func() {
		if f, err := os.Create(req.Result); err == nil {
			f.Close()
		}
		req.st.child.measured.Close()
		text := req.publishFiles(res)
		req.removeRequestDir()
		req.printTurn()
		io.WriteString(req.st.child.out, req.frame(text))
		req.st.child.out.Close()
		req.st.child.printed.Close()
	})
}

// removeRequestDir removes the directory the parent made for this rerun
// (the request, the Result file, the child's own output), once the child
// has measured: the parent has usually exited by then, so nobody else
// would, and a directory left behind for every failing test fills the
// user's temporary directory. It removes only a directory the parent
// made, whatever the request says.
func (req *rerunRequest) removeRequestDir() {
	dir := filepath.Dir(req.Result)
	if strings.HasPrefix(filepath.Base(dir), rerunDirPrefix) {
		os.RemoveAll(dir)
	}
}

// printTurn returns when the child may print: at once when the parent's
// output is not framed for test names; otherwise once the parent has
// exited and the child before has printed, or when go test is about to
// stop reading.
func (req *rerunRequest) printTurn() {
	if req.Frame == "" {
		<-req.st.child.prevDone // keeps the blocks in order, and whole
		return
	}
	<-req.st.child.parentGone
	if req.readFor() <= 0 {
		<-req.st.child.prevDone
		return
	}
	select {
	case <-req.st.child.prevDone:
	case <-time.After(time.Until(req.st.child.parentAt.Add(req.readFor()))):
	}
}

// publish writes what the rerun found to w, framed for the parent's test
// output, having written the files (see publishFiles).
func (req *rerunRequest) publish(w io.Writer, res *rerunResult) {
	io.WriteString(w, req.frame(req.publishFiles(res)))
}

// publishFiles appends the JSON records and adds what the kinds hold to
// the profile, and returns the text to print: what the rerun found, and
// any problem with the files.
func (req *rerunRequest) publishFiles(res *rerunResult) string {
	text := req.figures(res)
	if req.JSON != "" {
		if err := req.st.JSONFiles.Append(req.JSON, req.records(res)); err != nil {
			text += fmt.Sprintf("leakcheck: could not append the leak to %s: %v\n", req.JSON, err)
		}
	}
	if req.Profile != "" && res.Skipped == "" {
		held := req.heldByKey(res)
		if err := publish.AddHeldToProfile(req.Profile, func(test, fingerprint string) uint64 {
			h := held[rerunKind{Test: test, Fingerprint: fingerprint}.key()]
			return h.StackBytes + h.HeapBytes
		}); err != nil {
			text += fmt.Sprintf("leakcheck: could not add what the leaks hold to the profile: %v\n", err)
		}
	}
	return text
}

// heldByKey returns what each kind the rerun measured holds, by key.
func (req *rerunRequest) heldByKey(res *rerunResult) map[string]rerunHeld {
	by := make(map[string]rerunHeld, len(res.Kinds))
	for _, h := range res.Kinds {
		by[h.key()] = h
	}
	return by
}

// figures renders what the rerun found, as a report's memory line does,
// kind by kind.
func (req *rerunRequest) figures(res *rerunResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "leakcheck: memory held by the leaks of %s", req.Subject)
	if res.Skipped != "" {
		fmt.Fprintf(&b, ": not measured: %s.\n", res.Skipped)
		return b.String()
	}
	held := req.heldByKey(res)
	var all publish.Held
	for _, h := range res.Kinds {
		all.Stack += h.StackBytes
	}
	all.Heap = res.HeapBytes
	what := "the tests"
	if req.Test != "" {
		what = req.Test
	}
	fmt.Fprintf(&b, ", measured in a heap dump of a rerun of %s in a new process: %s\n", what, report.FormatBytes(all.Total()))
	for _, k := range req.Kinds {
		fmt.Fprintf(&b, "    %s [%s]", k.Name, k.Fingerprint)
		if k.Test != "" && req.Test == "" {
			fmt.Fprintf(&b, " (test %s)", k.Test)
		}
		h, ok := held[k.key()]
		switch {
		case !ok:
			fmt.Fprintf(&b, ": not measured: none of its %s came back in the rerun within %v\n", report.Plural(k.Count, "goroutine"), req.wait())
			continue
		case h.Count < k.Count:
			fmt.Fprintf(&b, ", measured on %d of its %d goroutines (no more came back in the rerun within %v)", h.Count, k.Count, req.wait())
		}
		fmt.Fprintf(&b, ": %s\n", h.held().Line())
	}
	return b.String()
}

// frame frames text as the testing package frames a test's output, so
// that it reads as the test's, under go test -json too.
func (req *rerunRequest) frame(text string) string {
	var b strings.Builder
	if req.Test != "" && req.Frame != "" {
		if req.Frame == "test2json" {
			b.WriteString("\x16") // the testing package's marker for test2json
		}
		fmt.Fprintf(&b, "=== NAME  %s\n", req.Test)
	}
	indent := ""
	if req.Test != "" {
		indent = "    "
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if line != "" {
			b.WriteString(indent + line)
		}
	}
	return b.String()
}

// records returns the request's JSON records, with what the rerun found.
func (req *rerunRequest) records(res *rerunResult) []publish.JSONRecord {
	held := req.heldByKey(res)
	out := make([]publish.JSONRecord, len(req.Records))
	for i, rec := range req.Records {
		k := req.Kinds[i]
		h, ok := held[k.key()]
		switch {
		case res.Skipped != "":
			rec.MemoryNotMeasured = res.Skipped
		case !ok:
			rec.MemoryNotMeasured = fmt.Sprintf("none of its goroutines came back in the rerun within %v", req.wait())
		default:
			stack, heap := h.StackBytes, h.HeapBytes
			rec.StackBytes, rec.RetainedHeapBytes, rec.Largest = &stack, &heap, h.Largest
			if h.Count < k.Count {
				n := h.Count
				rec.MeasuredCount = &n
			}
		}
		out[i] = rec
	}
	return out
}
