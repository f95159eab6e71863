package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// Verdicts on a group.
const (
	verdictLeak    = "leak"    // the runtime proved it leaked
	verdictSuspect = "suspect" // growing, or a crowd blocked at one operation
	verdictCrash   = "crash"   // the goroutine that crashed the program
	verdictOK      = "ok"
)

// A judged group is a group with its verdict and what the report says
// about it.
type judged struct {
	group   *report.Group
	verdict string
	reason  string
	test    string // the test it belongs to, in "go test" output
	// diff and watch
	before, after int
	isNew, gone   bool
	samples       []int
	cause         int // diff: the number of the kinds that grew in step with it, 0 if none
}

// rank orders verdicts: leaks, then suspects, then the rest.
func rank(v string) int {
	switch v {
	case verdictCrash:
		return 0
	case verdictLeak:
		return 1
	case verdictSuspect:
		return 2
	}
	return 3
}

// sortJudged orders groups leaks first, then suspects, then ok, each by
// size, largest first (a stable sort keeps the groups' order on ties).
func sortJudged(js []*judged) {
	slices.SortStableFunc(js, func(a, b *judged) int {
		if d := rank(a.verdict) - rank(b.verdict); d != 0 {
			return d
		}
		return b.group.Size() - a.group.Size()
	})
}

// status reports whether anything is a leak or a suspect.
func status(js []*judged) int {
	for _, j := range js {
		if j.verdict != verdictOK {
			return exitFound
		}
	}
	return exitOK
}

// judgeSnapshot gives each group of one snapshot its verdict: leak when
// the runtime proved goroutines of it leaked; suspect when it is a crowd
// blocked at one channel or lock operation (with wait times: at least
// -blocked goroutines blocked for -wait; without: -blocked-profile), or,
// in "go test" output that timed out, when it is blocked in a test that
// was still running; ok otherwise.
func judgeSnapshot(o *options, snap *snapshot) []*judged {
	js := make([]*judged, 0, len(snap.groups))
	for _, gr := range snap.groups {
		j := &judged{group: gr}
		if snap.tests != nil {
			j.test = snap.tests.testOf(gr.First())
			if j.test == "" && snap.goleak[gr.Fingerprint] > 0 {
				j.test = snap.tests.goleakTest
			}
		}
		j.verdict, j.reason = judgeGroup(o, snap, gr, j.test)
		js = append(js, j)
	}
	sortJudged(js)
	return js
}

func judgeGroup(o *options, snap *snapshot, gr *report.Group, test string) (verdict, reason string) {
	verdict, reason = judgeKind(o, snap, gr, test)
	if verdict == verdictOK && isCrowd(o, snap, gr) {
		return verdictSuspect, fmt.Sprintf("holds %d of the process's %d goroutines (%d%%): one kind holding most of a big process is worth a look whatever its state, be it a leak or a pool far larger than its load (threshold: half of at least -blocked-profile=%d goroutines)",
			gr.Size(), snap.total, gr.Size()*100/snap.total, o.blockedProfile)
	}
	return verdict, reason
}

// isCrowd reports whether gr holds most of a big snapshot's goroutines:
// more than half of at least -blocked-profile. A server whose goroutines
// are nearly all one kind, even idle connections waiting to be read, is
// either leaking them or holding far more than it serves. A kind without
// a stack says nothing.
func isCrowd(o *options, snap *snapshot, gr *report.Group) bool {
	return snap.total >= o.blockedProfile && gr.Size()*2 > snap.total && provable(gr) && !snap.leakProfile
}

// judgeKind judges a kind by what it is and does, alone.
func judgeKind(o *options, snap *snapshot, gr *report.Group, test string) (verdict, reason string) {
	g := gr.First()
	if proven(gr) {
		return verdictLeak, proofReason(gr)
	}
	if snap.died != nil {
		if v, why, ok := snap.died.judge(gr); ok {
			return v, why
		}
	}
	if n := snap.goleak[gr.Fingerprint]; n > 0 {
		when := "when the test ended"
		if test != "" {
			when = "when test " + test + " ended"
		}
		return verdictSuspect, fmt.Sprintf("goleak reported %s still running %s, after its retries (goleak's verdict, not the runtime's proof)", report.Plural(n, "goroutine"), when)
	}
	if g.State == "unknown" && !snap.perGoroutine && len(g.Frames) > 0 && gr.Size() >= o.blockedProfile {
		// A debug=1 profile leaves out the runtime's frames that tell a
		// channel wait from a running goroutine; a crowd this size at
		// one line is not running.
		return verdictSuspect, fmt.Sprintf("%s at one place, in a state the profile does not tell (threshold -blocked-profile=%d)",
			report.Plural(gr.Size(), "goroutine"), o.blockedProfile)
	}
	if !blockedAtOperation(g) {
		return verdictOK, ""
	}
	if snap.tests != nil && snap.tests.timeout != "" && test != "" && snap.tests.isRunning(test) && !blockedInTesting(g) {
		return verdictSuspect, fmt.Sprintf("blocked in test %s, still running when the test binary timed out after %s", test, snap.tests.timeout)
	}
	if snap.perGoroutine {
		n := gr.LongWaiting
		if o.wait == 0 {
			n = gr.Size()
		}
		if n >= o.blocked {
			return verdictSuspect, fmt.Sprintf("%s blocked at one %s for at least %v (thresholds -blocked=%d -wait=%v)",
				report.Plural(n, "goroutine"), operation(g.State), o.wait, o.blocked, o.wait)
		}
		return verdictOK, ""
	}
	if gr.Size() >= o.blockedProfile {
		return verdictSuspect, fmt.Sprintf("%s blocked at one %s (threshold -blocked-profile=%d; a profile has no wait times)",
			report.Plural(gr.Size(), "goroutine"), operation(g.State), o.blockedProfile)
	}
	return verdictOK, ""
}

// blockedAtOperation reports whether g is blocked at a channel or lock
// operation: in one of the states the runtime's leak detector judges, or,
// in dumps of Go before 1.18 or so, which print a lock or WaitGroup wait
// as "semacquire", in that state inside package sync's Lock or Wait.
func blockedAtOperation(g *stack.Goroutine) bool {
	if stack.Provable(g.State) {
		return true
	}
	if g.State != "semacquire" {
		return false
	}
	for _, f := range g.Frames {
		switch f.Function {
		case "sync.(*Mutex).Lock", "sync.(*Mutex).lockSlow", "sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock", "sync.(*WaitGroup).Wait":
			return true
		}
	}
	return false
}

// proofReason says how many of a group the runtime proved leaked.
func proofReason(gr *report.Group) string {
	switch {
	case gr.AllProven() && gr.Size() == 1:
		return "proven leaked by the runtime (nothing can ever wake it)"
	case gr.AllProven():
		return "proven leaked by the runtime (nothing can ever wake them)"
	}
	return fmt.Sprintf("%d of them proven leaked by the runtime", gr.Proven)
}

// operation names the operation a state waits in: "channel receive",
// "sync.Mutex.Lock".
func operation(state string) string {
	switch {
	case strings.HasPrefix(state, "chan "):
		return "channel " + strings.TrimPrefix(state, "chan ")
	case strings.HasPrefix(state, "select"):
		return state + " statement"
	}
	return state + " call"
}

// growth judges a series of counts, one per sample: it grows steadily
// when its rise is a trend that noise cannot make (Mann-Kendall's test,
// one-sided, p <= trendAlpha), the trend adds at least -grow goroutines
// over the samples (the Theil-Sen slope), it rose in at least
// -grow-samples intervals, and it still rises in the second half of the
// samples (a pool that filled up early and then held is not a leak,
// however large).
func growth(o *options, counts []int) (suspect bool, reason string) {
	n := len(counts)
	if n < 2 {
		return false, ""
	}
	rises := 0
	for i := 1; i < n; i++ {
		if counts[i] > counts[i-1] {
			rises++
		}
	}
	p := risingP(counts)
	trend := countSlope(counts) * float64(n-1)
	if rises >= o.growSamples && p <= trendAlpha && trend >= float64(o.grow) && countSlope(counts[n/2:]) > 0 {
		return true, fmt.Sprintf("grew from %d to %d, a trend of %+.0f over %d samples that noise does not make (rising in %d intervals; trend test p=%.2g; thresholds -grow=%d -grow-samples=%d)",
			counts[0], counts[n-1], trend, n, rises, p, o.grow, o.growSamples)
	}
	return false, ""
}

// where names the place that best identifies a group for one line of a
// table: the innermost frame outside the standard library; for a stack of
// the standard library's frames only, its innermost frame outside the
// runtime and, when another, the function the goroutine runs (its
// outermost frame), which tells a server's connection from a client's
// that wait at the same line.
func where(g *stack.Goroutine) string {
	for _, f := range g.Frames {
		if !report.IsStandardLibrary(f) {
			return f.String()
		}
	}
	for _, f := range g.Frames {
		if !strings.HasPrefix(f.Function, "runtime.") {
			if entry := g.EntryFunction(); entry != f.Function {
				return stdFrame(f) + " in " + entry
			}
			return stdFrame(f)
		}
	}
	if len(g.Frames) > 0 {
		return stdFrame(g.Frames[0])
	}
	return "(no stack)"
}

// stdFrame names a frame of the standard library, shortening the path
// of a toolchain that the go command downloaded into the module cache
// ("/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.4.linux-amd64/src/
// net/http/server.go") to its version ("go1.27.4/src/net/http/server.go"):
// a hundred characters that say nothing more.
func stdFrame(f stack.Frame) string {
	const toolchain = "/golang.org/toolchain@"
	i := strings.Index(f.File, toolchain)
	if i < 0 {
		return f.String()
	}
	rest := f.File[i+len(toolchain):]
	version, path, ok := strings.Cut(rest, "/")
	_, version, _ = strings.Cut(version, "-") // v0.0.1-go1.27.4.linux-amd64
	if dot := strings.LastIndexByte(version, '.'); ok && dot > 0 && strings.HasPrefix(version, "go") {
		f.File = version[:dot] + "/" + path
	}
	return f.String()
}
