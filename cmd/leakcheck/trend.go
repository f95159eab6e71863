package main

import (
	"math"
	"slices"
	"sync"
)

// How watch and diff tell growth from noise. A steady service's counts
// move: idle connections go 50, 43, 52, 60, 39, 62 under the same load.
// A leak's counts only rise, give or take the same noise.

// trendAlpha is the most a watch's trend test may give for a series to
// count as rising: the chance that a steady kind's counts, in random
// order, rise as much (one in a thousand: a watch of twenty kinds then
// flags a steady one about once in fifty watches, or less).
const trendAlpha = 0.001

// noiseSigmas is how far, in standard deviations of the difference of
// two counts of a steady kind, diff's growth must go: the counts of a
// kind whose goroutines come and go independently vary as a Poisson
// count does, so the difference of two has a variance of their sum, and
// those of a bursty service more ([dispersions]).
const noiseSigmas = 3

// kendallS is Mann-Kendall's statistic of a series: the number of pairs
// (i < j) with counts[i] < counts[j] minus those with counts[i] >
// counts[j]. It is large when the series rises throughout, whatever the
// size of its steps, and near zero for noise.
func kendallS(counts []int) int {
	s := 0
	for i := range counts {
		for j := i + 1; j < len(counts); j++ {
			switch {
			case counts[j] > counts[i]:
				s++
			case counts[j] < counts[i]:
				s--
			}
		}
	}
	return s
}

// risingP returns the one-sided p-value of Mann-Kendall's test for a
// rising series: the probability that the counts of a steady kind, all
// orders equally likely, give a statistic at least kendallS(counts).
// Up to 40 samples it is exact, from the distribution of inversions in
// random permutations (ties only lower S, so they make it conservative);
// beyond, the normal approximation. It tests at most maxFitPoints of the
// counts, evenly spread: a subset of a steady kind's counts is in random
// order too, so the test stays valid, and a long series gains nothing
// but cost from the rest.
func risingP(counts []int) float64 {
	counts = thin(counts, maxFitPoints)
	n, s := len(counts), kendallS(counts)
	if n < 2 || s <= 0 {
		return 1
	}
	pairs := n * (n - 1) / 2
	if n <= 40 {
		// S = pairs - 2*inversions: P(S >= s) = P(inversions <= (pairs-s)/2).
		dist := inversions(n)
		total, below := 0.0, 0.0
		for k, c := range dist {
			total += c
			if k <= (pairs-s)/2 {
				below += c
			}
		}
		return below / total
	}
	variance := float64(n*(n-1)*(2*n+5)) / 18
	z := float64(s-1) / math.Sqrt(variance)
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// mahonian caches inversions by n: a watch judges every kind with the
// same number of samples.
var mahonian struct {
	sync.Mutex
	byN map[int][]float64
}

// inversions returns, for each k, the number of permutations of n items
// with k inversions (the Mahonian numbers), as float64s: 40! overflows
// integers. The slice is shared: do not modify it.
func inversions(n int) []float64 {
	mahonian.Lock()
	defer mahonian.Unlock()
	if dist, ok := mahonian.byN[n]; ok {
		return dist
	}
	if mahonian.byN == nil {
		mahonian.byN = make(map[int][]float64)
	}
	dist := []float64{1}
	for m := 2; m <= n; m++ {
		// Inserting the m-th item adds 0 to m-1 inversions.
		next := make([]float64, len(dist)+m-1)
		for k, c := range dist {
			for add := 0; add < m; add++ {
				next[k+add] += c
			}
		}
		dist = next
	}
	mahonian.byN[n] = dist
	return dist
}

// beyondNoise reports whether a kind's growth from before to after is
// more than noiseSigmas standard deviations of the difference of two
// counts of a steady kind of that size: sqrt(before+after) for counts
// that vary as a Poisson count does, times the square root of
// dispersion for counts that vary more (requests in flight come in
// bursts).
func beyondNoise(before, after int, dispersion float64) bool {
	return float64(after-before) > noiseSigmas*math.Sqrt(dispersion*float64(before+after))
}

// minDispersionKinds is how many other kinds must have moved between two
// snapshots for their moves to say how bursty the service is.
const minDispersionKinds = 3

// dispersions estimates, for each kind of a diff (its count before and
// after), how much more than a Poisson count a steady kind's count
// varies in this service between these two snapshots: the median, over
// the other kinds whose count changed, of (after-before)²/(before+after),
// which is about 1 for Poisson counts. The kind itself is left out, so
// that a leak does not raise its own bar; the estimate is at least 1, and
// 1 when fewer than minDispersionKinds other kinds changed.
func dispersions(pairs [][2]int) []float64 {
	var ratios []float64
	ratio := make([]float64, len(pairs))
	for i, p := range pairs {
		ratio[i] = -1 // unchanged
		if d := p[1] - p[0]; d != 0 {
			ratio[i] = float64(d*d) / float64(p[0]+p[1])
			ratios = append(ratios, ratio[i])
		}
	}
	slices.Sort(ratios)
	out := make([]float64, len(pairs))
	for i := range pairs {
		others := ratios
		if ratio[i] >= 0 {
			// Leave this kind's ratio out (one copy of its value).
			k, _ := slices.BinarySearch(ratios, ratio[i])
			others = append(slices.Clip(ratios[:k]), ratios[k+1:]...)
		}
		out[i] = 1
		if len(others) >= minDispersionKinds {
			out[i] = max(1, others[(len(others)-1)/2])
		}
	}
	return out
}

// median returns the median of xs, 0 for none, leaving xs as it was.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

// medianInPlace returns the median of xs, reordering them: a selection
// in linear time, where sorting the tens of thousands of slopes of each
// life of a fleet would dominate its judgement.
func medianInPlace(xs []float64) float64 {
	n := len(xs)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return nth(xs, n/2)
	}
	hi := nth(xs, n/2)
	lo := slices.Max(xs[:n/2]) // nth leaves the smaller half before n/2
	return (lo + hi) / 2
}

// nth returns the k-th smallest of xs (from 0), reordering them so that
// those before k are at most it and those after at least it.
func nth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		pivot := xs[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
