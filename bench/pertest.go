package main

import (
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"go.uber.org/goleak"
)

// results holds every figure of one run; the full run merges the child
// processes' figures for scenarios 3 and 4.
type results struct {
	Toolchain string
	Check     []checkResult   `json:",omitempty"` // scenarios 1 and 5
	Package   []packageResult `json:",omitempty"` // scenario 2
	Report    []reportResult  `json:",omitempty"` // scenario 3
	Exit      []exitResult    `json:",omitempty"` // scenario 4
}

// checkResult is the cost of one passing check, net of the same subtest
// without a check, and of one raw dump.
type checkResult struct {
	N                             int
	Body                          string // what each checked test does
	Leakcheck, Goleak, Test, Dump time.Duration
	LeakcheckAllocs, GoleakAllocs float64
	LeakcheckBytes, GoleakBytes   float64
	Rounds, PerRound              int
}

type reportResult struct {
	N                 int
	Leakcheck, Goleak time.Duration // from the end of the test to its failure
	LeakcheckFailed   bool
	GoleakFailed      bool
	Reps              int
}

type exitResult struct {
	N                 int
	After             time.Duration // how long after the test the goroutine exits
	Leakcheck, Goleak exitOutcome
}

type exitOutcome struct {
	Passed    int           // repetitions that passed
	Reps      int           // repetitions
	Took      time.Duration // median time from the end of the test to the verdict
	Overshoot time.Duration // median time from the exit to the verdict, over passing repetitions
}

// goleakOpts ignores the unrelated goroutines and their spawner, the
// cheapest way goleak offers (IgnoreCurrent would cost a second dump per
// test), and the goroutines scenario 3 leaks on purpose. leakcheck needs
// no options.
var goleakOpts = []goleak.Option{
	goleak.IgnoreTopFunction(idleName),
	goleak.IgnoreTopFunction(spawnerName),
	goleak.IgnoreTopFunction(leakName),
}

const leakName = "main.blockForever"

// blockForever sends on a channel that nobody else holds: the typical
// leak, which the runtime can prove.
//
//go:noinline
func blockForever(ch chan int) { ch <- 1 }

// runInProcess runs the in-process scenarios for every goroutine count,
// as subtests of t, a real test.
func runInProcess(t *testing.T, ns []int, want map[string]bool) *results {
	res := &results{}
	for _, n := range ns {
		park(n)
		if want["1"] || want["5"] {
			for _, b := range bodies {
				res.Check = append(res.Check, measureChecks(t, n, b.name, b.f))
			}
		}
		if want["4"] {
			res.Exit = append(res.Exit, measureExits(t, n)...)
		}
		if want["3"] {
			res.Report = append(res.Report, measureReports(t, n))
		}
	}
	return res
}

// bodies are what the measured tests of scenario 1 do: start a goroutine
// and wait for it, so that the check has a goroutine of the test's own to
// look for, or compute something without any goroutine, as many unit
// tests do.
var bodies = []struct {
	name string
	f    func()
}{
	{"starts a goroutine", startOne},
	{"starts none", startNone},
}

func startOne() {
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}

var sink int

func startNone() {
	sum := 0
	for i := range 1000 {
		sum += i * i
	}
	sink = sum
}

// measureChecks measures scenario 1, a passing check per subtest that
// runs body, and scenario 5, one raw dump. The tools take turns in every
// round, so that noise from the shared machine falls on both; each figure
// is the median of the rounds' means.
func measureChecks(t *testing.T, n int, name string, body func()) checkResult {
	rounds, perRound := 5, max(1, min(200, 2000/n))
	if n >= 100000 {
		rounds = 3
	}
	if *quick {
		rounds, perRound = 1, max(1, min(20, 200/n))
	}
	type sample struct {
		d             time.Duration
		allocs, bytes float64
	}
	run := func(f func(t *testing.T)) sample {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		for range perRound {
			t.Run("check", f)
		}
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		return sample{
			d:      d / time.Duration(perRound),
			allocs: float64(after.Mallocs-before.Mallocs) / float64(perRound),
			bytes:  float64(after.TotalAlloc-before.TotalAlloc) / float64(perRound),
		}
	}
	withLeakcheck := func(t *testing.T) {
		leakcheck.Verify(t)
		body()
	}
	withGoleak := func(t *testing.T) {
		defer goleak.VerifyNone(t, goleakOpts...)
		body()
	}
	plain := func(t *testing.T) { body() }

	var lc, gl, pl []sample
	var dumps []time.Duration
	buf := make([]byte, (runtime.NumGoroutine()+64)*512)
	for range rounds {
		t.Run("warm-up", withLeakcheck) // as in a package where every test checks
		lc = append(lc, run(withLeakcheck))
		gl = append(gl, run(withGoleak))
		pl = append(pl, run(plain))
		start := time.Now()
		for range perRound {
			if runtime.Stack(buf, true) == len(buf) {
				t.Fatal("dump buffer too small")
			}
		}
		dumps = append(dumps, time.Since(start)/time.Duration(perRound))
	}
	d := func(s []sample) time.Duration { return median(s, func(s sample) float64 { return float64(s.d) }) }
	a := func(s []sample) float64 { return medianOf(s, func(s sample) float64 { return s.allocs }) }
	b := func(s []sample) float64 { return medianOf(s, func(s sample) float64 { return s.bytes }) }
	return checkResult{
		N:               n,
		Body:            name,
		Leakcheck:       max(0, d(lc)-d(pl)),
		Goleak:          max(0, d(gl)-d(pl)),
		Test:            d(pl),
		Dump:            median(dumps, func(d time.Duration) float64 { return float64(d) }),
		LeakcheckAllocs: max(0, a(lc)-a(pl)),
		GoleakAllocs:    max(0, a(gl)-a(pl)),
		LeakcheckBytes:  max(0, b(lc)-b(pl)),
		GoleakBytes:     max(0, b(gl)-b(pl)),
		Rounds:          rounds,
		PerRound:        perRound,
	}
}

// measureReports measures scenario 3: how long after the end of a test
// that leaks one goroutine blocked forever on a channel each tool fails
// it.
func measureReports(t *testing.T, n int) reportResult {
	reps := 3
	if n >= 100000 || *quick {
		reps = 1
	}
	res := reportResult{N: n, Reps: reps, LeakcheckFailed: true, GoleakFailed: true}
	var lc, gl []time.Duration
	for range reps {
		var end time.Time
		ok := t.Run("leak", func(t *testing.T) {
			leakcheck.Verify(t)
			defer func() { end = time.Now() }()
			go blockForever(make(chan int))
		})
		lc = append(lc, time.Since(end))
		res.LeakcheckFailed = res.LeakcheckFailed && !ok

		if *child && n >= 100000 {
			// goleak does not use the leak profile, and its 21 dumps
			// take minutes here: the main run measures it once.
			res.GoleakFailed = false
			continue
		}
		ok = t.Run("leak", func(t *testing.T) {
			defer goleak.VerifyNone(t, goleakOpts[:2]...)
			defer func() { end = time.Now() }()
			go blockForever(make(chan int))
		})
		gl = append(gl, time.Since(end))
		res.GoleakFailed = res.GoleakFailed && !ok
	}
	res.Leakcheck = median(lc, func(d time.Duration) float64 { return float64(d) })
	res.Goleak = median(gl, func(d time.Duration) float64 { return float64(d) })
	return res
}

// exitDelays are the delays of scenario 4.
var exitDelays = []time.Duration{10 * time.Millisecond, 200 * time.Millisecond, 600 * time.Millisecond, 1500 * time.Millisecond}

// measureExits measures scenario 4: a goroutine that the test leaves
// blocked on a channel, closed d after the test ends, as in an
// asynchronous shutdown.
func measureExits(t *testing.T, n int) []exitResult {
	reps := 3
	if n >= 100000 || *quick {
		reps = 1
	}
	delays := exitDelays
	if *quick {
		delays = delays[:2]
	}
	var res []exitResult
	for _, d := range delays {
		r := exitResult{N: n, After: d}
		var lc, gl []exitSample
		for range reps {
			lc = append(lc, exitOnce(t, d, false))
			gl = append(gl, exitOnce(t, d, true))
		}
		r.Leakcheck, r.Goleak = summarize(lc), summarize(gl)
		res = append(res, r)
	}
	return res
}

type exitSample struct {
	passed          bool
	took, overshoot time.Duration
}

// exitOnce runs one subtest whose goroutine exits d after the test
// function returns, checked by leakcheck or by goleak. Both checks run
// after the deferred call that starts the delay.
func exitOnce(t *testing.T, d time.Duration, useGoleak bool) exitSample {
	var end time.Time
	var exited atomic.Int64
	ok := t.Run("exit", func(t *testing.T) {
		if useGoleak {
			defer goleak.VerifyNone(t, goleakOpts...)
		} else {
			leakcheck.Verify(t)
		}
		release := make(chan struct{})
		go func() {
			<-release
			exited.Store(time.Now().UnixNano())
		}()
		defer func() {
			end = time.Now()
			time.AfterFunc(d, func() { close(release) })
		}()
	})
	now := time.Now()
	for exited.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	s := exitSample{passed: ok, took: now.Sub(end)}
	if ok {
		s.overshoot = now.Sub(time.Unix(0, exited.Load()))
	}
	return s
}

func summarize(ss []exitSample) exitOutcome {
	o := exitOutcome{Reps: len(ss)}
	var passed []exitSample
	for _, s := range ss {
		if s.passed {
			passed = append(passed, s)
		}
	}
	o.Passed = len(passed)
	o.Took = median(ss, func(s exitSample) float64 { return float64(s.took) })
	if len(passed) > 0 {
		o.Overshoot = median(passed, func(s exitSample) float64 { return float64(s.overshoot) })
	}
	return o
}

// median returns the median of key over s (the mean of the middle two
// for an even count) as a duration.
func median[T any](s []T, key func(T) float64) time.Duration {
	return time.Duration(medianOf(s, key))
}

func medianOf[T any](s []T, key func(T) float64) float64 {
	if len(s) == 0 {
		return 0
	}
	v := make([]float64, len(s))
	for i, x := range s {
		v[i] = key(x)
	}
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + m) / 2
	}
	return m
}
