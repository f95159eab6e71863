package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrendInTime(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	// 2 goroutines a minute, sampled unevenly (samples at 3 and 4 min
	// failed), one outlier.
	times := []time.Time{at(0), at(1), at(2), at(5), at(6), at(7), at(8)}
	counts := []int{10, 12, 14, 20, 90, 24, 26}
	perHour, first, ok := trendInTime(times, counts)
	require.True(t, ok)
	assert.InDelta(t, 120, perHour, 1e-9, "the slope in time, not per sample; the outlier does not move it")
	assert.InDelta(t, 10, first, 1e-9)

	// More samples than a fit takes: the subsample keeps both ends.
	times, counts = nil, nil
	for i := range 10 * maxFitPoints {
		times = append(times, t0.Add(time.Duration(i)*10*time.Second))
		counts = append(counts, 100+i)
	}
	perHour, first, ok = trendInTime(times, counts)
	require.True(t, ok)
	assert.InDelta(t, 360, perHour, 1e-6)
	assert.InDelta(t, 100, first, 1e-6)

	_, _, ok = trendInTime(times[:1], counts[:1])
	assert.False(t, ok, "one sample has no trend")
	_, _, ok = trendInTime([]time.Time{t0, t0}, []int{1, 5})
	assert.False(t, ok, "two samples at one instant have no trend")
}

func TestThin(t *testing.T) {
	counts := make([]int, 1000)
	for i := range counts {
		counts[i] = i
	}
	thinned := thin(counts, 400)
	require.Len(t, thinned, 400)
	assert.Equal(t, 0, thinned[0])
	assert.Equal(t, 999, thinned[399])
	for i := 1; i < len(thinned); i++ {
		assert.Greater(t, thinned[i], thinned[i-1], "in order, no sample twice")
	}
	assert.Equal(t, counts[:10], thin(counts[:10], 400), "short series as they are")
	assert.Equal(t, []int{5}, thin([]int{5}, 400))
}
