package main

import (
	"math/rand"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTheilSen(t *testing.T) {
	slope, ok := theilSen([]float64{0, 1, 2, 3, 4}, []float64{10, 12, 14, 100, 18})
	assert.True(t, ok)
	assert.Equal(t, 2.0, slope, "one outlier does not move it")
	slope, ok = theilSen([]float64{0, 0, 2}, []float64{1, 5, 9})
	assert.True(t, ok)
	assert.Equal(t, 3.0, slope, "pairs at one x are left out: slopes 4 and 2")
	_, ok = theilSen([]float64{3, 3}, []float64{1, 2})
	assert.False(t, ok, "no two xs differ")
	_, ok = theilSen(nil, nil)
	assert.False(t, ok)
	assert.Equal(t, 0.0, countSlope([]int{7}))
	assert.InDelta(t, 17.0/12, countSlope([]int{0, 2, 3, 4, 6}), 1e-12, "the median of ten slopes")
}

// A day's watch at 10 s: the fit and the trend test take evenly spread
// points, not every pair of 8,640 samples (300 MB of slopes per kind).
func TestGrowthOfALongWatchIsBounded(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	rising := make([]int, 8640)
	steady := make([]int, 8640)
	for i := range rising {
		rising[i] = 200 + i/20 + rng.Intn(30)
		steady[i] = 200 + rng.Intn(30)
	}
	o := &options{grow: 50, growSamples: 5}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	suspect, why := growth(o, rising)
	notSuspect, _ := growth(o, steady)
	runtime.ReadMemStats(&after)
	assert.True(t, suspect, "a slow, noisy rise over a day is a leak")
	assert.Contains(t, why, "over 8640 samples")
	assert.False(t, notSuspect, "a steady kind is not")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated by two judgements")
	slope := countSlope(rising)
	assert.InDelta(t, 0.05, slope, 0.005, "goroutines per sample")
}
