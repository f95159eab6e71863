package main

// maxFitPoints bounds the points a trend is fitted or tested on:
// Theil-Sen's slope and Mann-Kendall's test take every pair, and a day's
// watch at 10 s has 8,640 samples, 37 million pairs (300 MB of slopes
// for each kind); 400 points, evenly spread, say the same in 80,000.
const maxFitPoints = 400

// theilSen returns the Theil-Sen slope of the points (xs[i], ys[i]): the
// median of the slopes between every two points whose xs differ, which
// noise, gaps and a few outliers barely move. It fits at most
// maxFitPoints of them, evenly spread. ok is false when no two xs
// differ.
func theilSen(xs, ys []float64) (slope float64, ok bool) {
	idx := spread(len(xs), maxFitPoints)
	slopes := make([]float64, 0, len(idx)*(len(idx)-1)/2)
	for a, i := range idx {
		for _, j := range idx[a+1:] {
			if dx := xs[j] - xs[i]; dx != 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
		}
	}
	if len(slopes) == 0 {
		return 0, false
	}
	return medianInPlace(slopes), true
}

// countSlope returns the Theil-Sen slope of a series of counts, one per
// sample, in goroutines per sample (0 for fewer than two).
func countSlope(counts []int) float64 {
	xs := make([]float64, len(counts))
	for i := range xs {
		xs[i] = float64(i)
	}
	slope, _ := theilSen(xs, floats(counts))
	return slope
}

// floats returns xs as float64s.
func floats[T int | float64](xs []T) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

// spread returns the indices of at most m of n samples, evenly spread,
// the first and the last included.
func spread(n, m int) []int {
	k := min(n, m)
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i * (n - 1) / max(1, k-1)
	}
	return idx
}

// thin returns at most m of counts, evenly spread (counts itself when it
// has no more).
func thin(counts []int, m int) []int {
	if len(counts) <= m {
		return counts
	}
	out := make([]int, 0, m)
	for _, i := range spread(len(counts), m) {
		out = append(out, counts[i])
	}
	return out
}
