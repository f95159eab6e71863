package main

import (
	"errors"
	"io"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

func TestGrowth(t *testing.T) {
	o := testOptions() // -grow 10 -grow-samples 3
	for _, tc := range []struct {
		name    string
		counts  []int
		suspect bool
	}{
		{"a leak", []int{0, 5, 10, 15, 20, 25, 30}, true},
		{"five samples cannot tell a trend from chance", []int{0, 5, 10, 15, 20}, false},
		{"a leak with quiet intervals", []int{100, 100, 104, 104, 108, 112, 112, 116}, true},
		{"a fixed pool", []int{500, 500, 500, 500, 500}, false},
		{"a pool that filled up early", []int{0, 40, 50, 50, 50, 50, 50, 50}, false},
		{"churn", []int{10, 30, 12, 31, 9, 33, 11}, false},
		{"too little", []int{0, 1, 2, 3, 4}, false},
		{"rising twice only", []int{0, 20, 20, 40}, false},
		{"one sample", []int{1000}, false},
		// Seen on a steady Caddy under load (watch -every 3s -for 30s).
		{"idle connections", []int{50, 43, 52, 52, 60, 57, 39, 42, 62, 61}, false},
		{"a RoundTrip select", []int{16, 21, 18, 24, 19, 22, 17, 25, 23, 27}, false},
		{"a leak in that noise", []int{50, 45, 56, 55, 63, 62, 53, 58, 71, 73, 66, 75, 80, 72, 84, 86, 79, 90, 93, 88}, true},
		{"a slow leak, long watched", []int{20, 21, 21, 22, 23, 23, 24, 25, 25, 26, 27, 27, 28, 29, 29, 30}, true},
	} {
		got, why := growth(o, tc.counts)
		assert.Equal(t, tc.suspect, got, "%s: %v %s", tc.name, tc.counts, why)
	}
}

// The trend test's false rate on steady kinds and its power on leaks, on
// series drawn from a seeded generator (the same every run): counts of
// kinds whose goroutines come and go (Poisson, as idle connections) or
// swing more (normal, twice that spread), watched for 10 and 30 samples.
func TestGrowthRates(t *testing.T) {
	o := testOptions()
	rng := rand.New(rand.NewSource(1))
	poisson := func(mean float64) int { // Knuth's, fine for small means
		l, k, p := math.Exp(-mean), 0, 1.0
		for {
			p *= rng.Float64()
			if p <= l {
				return k
			}
			k++
		}
	}
	normal := func(mean, sd float64) int { return max(0, int(math.Round(mean+sd*rng.NormFloat64()))) }
	const runs = 5000
	rate := func(n int, count func(i int) int) float64 {
		flagged := 0
		for range runs {
			counts := make([]int, n)
			for i := range counts {
				counts[i] = count(i)
			}
			if ok, _ := growth(o, counts); ok {
				flagged++
			}
		}
		return float64(flagged) / runs
	}
	for _, n := range []int{10, 30} {
		steady := []float64{
			rate(n, func(int) int { return poisson(52) }),
			rate(n, func(int) int { return normal(52, 15) }),
			rate(n, func(int) int { return poisson(300) }),
		}
		for _, r := range steady {
			assert.LessOrEqual(t, r, 0.002, "false rate on a steady kind, %d samples", n)
		}
		// A leak of 2 goroutines a sample in noise of sd 7 to 15.
		leak := []float64{
			rate(n, func(i int) int { return poisson(52) + 2*i }),
			rate(n, func(i int) int { return normal(52, 15) + 2*i }),
		}
		if n == 30 {
			assert.GreaterOrEqual(t, leak[0], 0.9, "leaks found in Poisson noise, %d samples", n)
			assert.GreaterOrEqual(t, leak[1], 0.9, "leaks found in normal noise, %d samples", n)
		}
		t.Logf("%d samples: false rate %.4f %.4f %.4f; leaks found %.3f %.3f", n, steady[0], steady[1], steady[2], leak[0], leak[1])
	}
}

func TestDiffNoise(t *testing.T) {
	assert.False(t, beyondNoise(16, 27, 1), "a RoundTrip select, two dumps 10 s apart")
	assert.False(t, beyondNoise(52, 60, 1))
	assert.True(t, beyondNoise(3, 18, 1))
	assert.True(t, beyondNoise(0, 10, 1))
	assert.True(t, beyondNoise(100, 160, 1))
	assert.False(t, beyondNoise(0, 11, 7), "requests in flight, in a service whose kinds all jump so")

	// A steady pool, idle connections moving a little, and a leak: the
	// leak's own jump does not raise its bar.
	d := dispersions([][2]int{{20, 20}, {40, 44}, {12, 10}, {30, 27}, {3, 18}})
	assert.Equal(t, []float64{1, 1, 1, 1, 1}, d)
	// A bursty service: every kind jumps by about 10 between the two.
	d = dispersions([][2]int{{0, 11}, {0, 10}, {1, 6}, {0, 5}, {45, 36}, {3, 60}})
	assert.InDelta(t, 5, d[0], 0.01)
	assert.False(t, beyondNoise(0, 11, d[0]), "in flight, bursty")
	assert.True(t, beyondNoise(3, 60, d[5]), "a leak well past the bursts: %v", d)
	// Too few other kinds moved to tell: Poisson.
	assert.Equal(t, []float64{1, 1, 1}, dispersions([][2]int{{0, 11}, {0, 10}, {5, 5}}))
}

func TestJudgeSnapshot(t *testing.T) {
	o := testOptions()
	g := func(state string, wait time.Duration) *stack.Goroutine {
		return &stack.Goroutine{ID: 1, State: state, Wait: wait, Frames: []stack.Frame{{Function: "main.f" + state}}}
	}
	dump := func(gs ...*stack.Goroutine) *snapshot {
		agg := report.Aggregator{LongWait: o.wait}
		for _, g := range gs {
			agg.Add(g, 1)
		}
		return &snapshot{perGoroutine: true, groups: agg.Groups(), total: agg.Total()}
	}
	many := func(n int, state string, wait time.Duration) []*stack.Goroutine {
		var gs []*stack.Goroutine
		for range n {
			gs = append(gs, g(state, wait))
		}
		return gs
	}
	// 100 blocked on a channel for 10 minutes: suspect; 99, or waiting
	// 9 minutes, or sleeping: ok.
	for _, tc := range []struct {
		gs   []*stack.Goroutine
		want string
	}{
		{many(100, "chan send", 10*time.Minute), verdictSuspect},
		{many(99, "chan send", 10*time.Minute), verdictOK},
		{many(500, "chan send", 9*time.Minute), verdictOK},
		{many(500, "sleep", time.Hour), verdictOK},
		{many(100, "sync.Mutex.Lock", time.Hour), verdictSuspect},
	} {
		js := judgeSnapshot(o, dump(tc.gs...))
		assert.Equal(t, tc.want, js[0].verdict, "%d × %s %v: %s", len(tc.gs), tc.gs[0].State, tc.gs[0].Wait, js[0].reason)
	}
	proven := g("chan send", 0)
	proven.Proven = true
	js := judgeSnapshot(o, dump(append(many(3, "select", 0), proven)...))
	assert.Equal(t, verdictLeak, js[0].verdict, "leaks first")
	assert.Equal(t, verdictOK, js[1].verdict)

	// A profile: 1,000 at one operation, no wait times.
	var agg report.Aggregator
	agg.Add(g("chan receive", 0), 1000)
	agg.Add(g("select", 0), 999)
	js = judgeSnapshot(o, &snapshot{groups: agg.Groups(), total: agg.Total()})
	assert.Equal(t, verdictSuspect, js[0].verdict)
	assert.Contains(t, js[0].reason, "1000 goroutines blocked at one channel receive (threshold -blocked-profile=1000")
	assert.Equal(t, verdictOK, js[1].verdict)
}

func TestShowSampleTerminal(t *testing.T) {
	var out strings.Builder
	o := testOptions()
	o.stdout, o.terminal = &out, true
	svc, err := newService(o, "http://127.0.0.1:1/")
	require.NoError(t, err)
	grow := &report.Group{Fingerprint: "a", Count: 30, Goroutines: []*stack.Goroutine{{State: "chan send", Frames: []stack.Frame{{Function: "main.compute", File: "/x.go", Line: 3}}}}}
	pool := &report.Group{Fingerprint: "b", Count: 5, Goroutines: []*stack.Goroutine{{State: "chan receive", Frames: []stack.Frame{{Function: "main.worker", File: "/x.go", Line: 9}}}}}
	order := []*series{{group: grow, counts: []int{10, 20, 30}}, {group: pool, counts: []int{5, 5, 5}}}
	showSample(o, svc, sourceProfile, &snapshot{groups: []*report.Group{grow, pool}, total: 35}, order, 3, time.Now())
	s := out.String()
	assert.True(t, strings.HasPrefix(s, "\x1b[H\x1b[2J"), "redraws the screen")
	assert.Contains(t, s, "sample 3 at ")
	assert.Regexp(t, `\s30\s+\+20\s+10 20 30\s+chan send\s+main.compute at /x.go:3`, s)
	assert.NotContains(t, s, "main.worker", "only what grows")

	out.Reset()
	o.terminal = false
	showSample(o, svc, sourceProfile, &snapshot{groups: []*report.Group{grow, pool}, total: 35}, order, 3, time.Now())
	assert.Regexp(t, `^\d\d:\d\d:\d\d sample 3: 35 goroutines in 2 kinds\n\d\d:\d\d:\d\d   \+10 -> 30  chan send  main.compute at /x.go:3  \[a\]\n$`, out.String())
}

// While a watch runs, a kind whose growth makes it a suspect is said at
// the sample where it becomes one, once; on a terminal its row is marked.
func TestShowSampleSuspects(t *testing.T) {
	var out strings.Builder
	o := testOptions()
	o.stdout = &out
	svc, err := newService(o, "http://127.0.0.1:1/")
	require.NoError(t, err)
	grow := &report.Group{Fingerprint: "a", Count: 30, Goroutines: []*stack.Goroutine{{State: "chan send", Frames: []stack.Frame{{Function: "main.compute", File: "/x.go", Line: 3}}}}}
	pool := &report.Group{Fingerprint: "b", Count: 5, Goroutines: []*stack.Goroutine{{State: "chan receive", Frames: []stack.Frame{{Function: "main.worker", File: "/x.go", Line: 9}}}}}
	leak, steady := &series{group: grow}, &series{group: pool}
	order := []*series{leak, steady}
	snap := &snapshot{groups: []*report.Group{grow, pool}, total: 35}
	for n := 1; n <= 9; n++ {
		leak.counts = append(leak.counts, 5*n)
		steady.counts = append(steady.counts, 5)
		showSample(o, svc, sourceProfile, snap, order, n, time.Now())
	}
	s := out.String()
	assert.Equal(t, 1, strings.Count(s, "SUSPECT"), s)
	assert.Regexp(t, `sample 7: .*\n(.*\n)?.*SUSPECT chan send  main.compute at /x.go:3  \[a\]: grew from 5 to 35`, s, "at the 7th sample, the first that can tell")
	assert.NotContains(t, s, "main.worker")

	out.Reset()
	o.terminal = true
	showSample(o, svc, sourceProfile, snap, order, 9, time.Now())
	assert.Regexp(t, `main.compute at /x.go:3  SUSPECT\n`, out.String())
}

// Kinds that grow in step are judged together, against the noise of the
// kinds that did not grow with them.
func TestCauses(t *testing.T) {
	o := testOptions()
	kind := func(fn string, before, after int) *judged {
		g := &stack.Goroutine{State: "select", Frames: []stack.Frame{{Function: fn, File: "/x.go", Line: 1}}}
		return &judged{group: &report.Group{Fingerprint: fn, Goroutines: []*stack.Goroutine{g}}, before: before, after: after, verdict: verdictOK}
	}
	hung := []*judged{kind("a", 5, 27), kind("b", 6, 27), kind("c", 12, 28), kind("d", 12, 28)}
	steady := []*judged{kind("e", 40, 44), kind("f", 12, 10), kind("g", 30, 27), kind("h", 100, 96)}
	found := causes(o, append(append([]*judged{}, hung...), steady...))
	require.Len(t, found, 1)
	assert.Len(t, found[0].members, 4)
	for _, j := range hung {
		assert.Equal(t, verdictSuspect, j.verdict, j.group.Fingerprint)
		assert.Equal(t, 1, j.cause)
	}
	for _, j := range steady {
		assert.Equal(t, verdictOK, j.verdict)
	}

	// A bursty service: in-flight kinds jump together, and so do the
	// others: noise.
	bursty := []*judged{kind("a", 0, 11), kind("b", 0, 10), kind("c", 1, 6), kind("d", 0, 5), kind("e", 45, 36), kind("f", 3, 60)}
	for _, c := range causes(o, bursty) {
		t.Errorf("a cause in noise: %+v", c)
	}
	// Growths far apart are no step: a leak of 57 and a pool of 11.
	apart := []*judged{kind("a", 3, 60), kind("b", 0, 11)}
	assert.Empty(t, causes(o, apart))
}

func TestLimitedReader(t *testing.T) {
	for _, tc := range []struct {
		size, max int64
		tooLarge  bool
	}{{10, 10, false}, {11, 10, true}, {0, 10, false}, {1 << 20, 1<<63 - 1, false}} {
		lr := &limitedReader{r: strings.NewReader(strings.Repeat("x", int(tc.size))), max: tc.max}
		n, err := io.Copy(io.Discard, lr)
		assert.Equal(t, tc.tooLarge, errors.Is(err, errTooLarge), "%+v", tc)
		if !tc.tooLarge {
			assert.Equal(t, tc.size, n)
		}
	}
}
