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
