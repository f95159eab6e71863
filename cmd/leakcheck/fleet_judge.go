package main

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/leakcheck/leakcheck/internal/report"
)

// How fleet judges an instance from its goroutine count over a window.
// It reads the count's low point in each step (min_over_time): a leak
// raises the floor, requests in flight only the peaks. Then:
//
//   - lives: a restart is the floor falling back near where the life
//     began (by at least -grow and half of what it had gained); each life
//     is judged on its own, so that a leak reset by daily deploys still
//     rises within each day;
//   - gaps: a step without a point (a failed scrape, a target gone for
//     longer than Prometheus' lookback) is no data, never a fall or a
//     rise;
//   - steps: a jump far larger than the life's usual change from one
//     step to the next (a deploy that starts more workers) is taken out
//     of the life before its trend is judged, when the life has at most
//     maxLevelShifts of them: a leak that grows in many jumps stays a
//     leak;
//   - the trend: it must rise in each part of the life (each quarter),
//     so that a step or a pool filling up once is not a
//     trend however significant over the whole;
//   - the trend: watch's test (Mann-Kendall's, one-sided, and the
//     Theil-Sen slope), at a significance divided among every life
//     judged in the fleet, so that a thousand steady instances do not
//     make one false flag by chance.

const (
	// minLifePoints is the fewest points a life is judged with: fewer
	// cannot make a trend significant across a fleet.
	minLifePoints = 8
	// maxJudgedPoints bounds the points a life's trend test takes (it is
	// quadratic): longer lives are judged on the low points of as many
	// equal buckets, which keep a leak's rise.
	maxJudgedPoints = 240
	// maxLevelShifts is the most jumps of a life taken for level shifts
	// (deploys, a pool resized): more are how the count grows.
	maxLevelShifts = 2
	// restartPoints is how many points a count must have held its height
	// for a fall back to the start to be a restart.
	restartPoints = 4
	// partAlpha is the significance at which each part of a growing life
	// must rise on its own.
	partAlpha = 0.01
	// warmUpPoints is how many points after a life's start a jump is
	// still the process starting up, not a deploy: it is taken out, not
	// marked.
	warmUpPoints = 2
	// shiftWindow is how many points on each side of a level shift
	// measure it.
	shiftWindow = 10
	// jumpMADs is how many robust standard deviations (1.4826 MADs) of a
	// life's step-to-step changes a jump must stand out by.
	jumpMADs = 5
)

// A fleetInstance is one series of the fleet: an instance of a job.
type fleetInstance struct {
	labels map[string]string
	key    string // its labels, as Prometheus prints them
	job    string
	name   string    // its instance label, or its labels when it has none
	floors []float32 // the low point of each step of the window; NaN for none

	// What judging found.
	lives    []life
	verdict  string // verdictSuspect, verdictLeak (proven by its profile) or verdictOK
	perHour  float64
	note     string
	unseen   string // why it could not be judged, "" when it was
	kinds    []*instanceKind
	read     []*report.Group // every kind of its second read
	pprof    string          // its /debug/pprof/ URL, "" if unknown
	pprofErr string
}

// A life is a run of an instance between restarts.
type life struct {
	from, to int   // step indexes, inclusive
	shifts   []int // step indexes of level shifts taken out
	judged   bool
	grows    bool
	p        float64
	perHour  float64
	lineFrom float64 // the fitted trend at from and to, in goroutines
	lineTo   float64
	gained   float64 // the trend over the life
}

// splitLives cuts an instance's floors into lives at restarts: a life
// that had gained at least -grow over its start (the lowest of its last
// restartPoints points against its first), beyond the noise of two
// counts, and a point that falls from there, beyond that noise, by at
// least half the gain, to at most the start plus half the gain. A floor
// that rose for a point or two (a bursty service's) never held its
// height long enough to count.
func splitLives(floors []float32, grow int) []life {
	var lives []life
	var start float64
	var recent []float64 // the life's last restartPoints values
	for i, f := range floors {
		if math.IsNaN(float64(f)) {
			continue
		}
		v := float64(f)
		fell := false
		if len(recent) == restartPoints {
			held := slices.Min(recent)
			gain := held - start
			fell = gain >= float64(grow) && beyondNoise(int(start), int(held), 1) &&
				beyondNoise(int(v), int(held), 1) && held-v >= gain/2 && v <= start+gain/2
		}
		if len(lives) == 0 || fell {
			lives = append(lives, life{from: i, to: i})
			start, recent = v, recent[:0]
		}
		lives[len(lives)-1].to = i
		if len(recent) == restartPoints {
			recent = append(recent[:0], recent[1:]...)
		}
		recent = append(recent, v)
	}
	return lives
}

// lifePoints returns the steps and values of a life's points but the
// last drop, bucketed to at most maxJudgedPoints by their low point.
func lifePoints(floors []float32, l life, drop int) (xs []int, ys []float64) {
	for i := l.from; i <= l.to; i++ {
		if f := floors[i]; !math.IsNaN(float64(f)) {
			xs = append(xs, i)
			ys = append(ys, float64(f))
		}
	}
	drop = min(drop, len(xs))
	xs, ys = xs[:len(xs)-drop], ys[:len(ys)-drop]
	if len(xs) <= maxJudgedPoints {
		return xs, ys
	}
	bx, by := make([]int, 0, maxJudgedPoints), make([]float64, 0, maxJudgedPoints)
	for b := 0; b < maxJudgedPoints; b++ {
		lo, hi := b*len(xs)/maxJudgedPoints, (b+1)*len(xs)/maxJudgedPoints
		bx = append(bx, xs[(lo+hi)/2])
		by = append(by, slices.Min(ys[lo:hi]))
	}
	return bx, by
}

// endDrop is how many points at the end of a life its judgement leaves
// out: a life cut by a restart ends, by the rule that finds restarts,
// with restartPoints points held high, which noise alone would make a
// rise.
func endDrop(lives []life, k int) int {
	if k < len(lives)-1 {
		return restartPoints
	}
	return 0
}

// levelShifts returns the indexes (into ys, at steps xs) of the jumps
// that stand out from a life's usual change from one step to the next,
// and the values with those jumps taken out; none when there are more
// than maxLevelShifts. A jump across a gap is measured against the
// change expected over that many steps; its size is the difference of
// the medians of the shiftWindow points on either side, so that the
// noise of the two points around it stays out.
func levelShifts(xs []int, ys []float64, grow int) ([]int, []float64) {
	if len(ys) < 3 {
		return nil, ys
	}
	perStep := make([]float64, len(ys)-1)
	for i := range perStep {
		perStep[i] = (ys[i+1] - ys[i]) / float64(xs[i+1]-xs[i])
	}
	med := median(perStep)
	dev := make([]float64, len(perStep)) // each change less the expected
	for i := range perStep {
		dev[i] = math.Abs(ys[i+1] - ys[i] - med*float64(xs[i+1]-xs[i]))
	}
	bar := max(float64(grow), jumpMADs*1.4826*median(dev))
	var jumps []int
	for i := range dev {
		if dev[i] > bar {
			jumps = append(jumps, i+1)
		}
	}
	if len(jumps) == 0 || len(jumps) > maxLevelShifts {
		return nil, ys
	}
	out := slices.Clone(ys)
	for n, j := range jumps {
		lo, hi := 0, len(ys)
		if n > 0 {
			lo = jumps[n-1]
		}
		if n < len(jumps)-1 {
			hi = jumps[n+1]
		}
		before := ys[max(lo, j-shiftWindow):j]
		after := ys[j:min(hi, j+shiftWindow)]
		shift := median(after) - median(before) - med*float64(xs[j]-xs[j-1])
		for k := j; k < len(out); k++ {
			out[k] -= shift
		}
	}
	return jumps, out
}

// risesThroughout reports whether a life's counts rise in each part of
// it, not in one place: split in four (two for a short life), each part
// must rise (Mann-Kendall, one-sided, p <= partAlpha). A deploy's step,
// a pool that fills up and then holds, rise in one part; a leak in all.
// (A leak that began late in a life is found once it has grown through
// most of it.)
func risesThroughout(counts []int) bool {
	parts := 1
	switch {
	case len(counts) >= 40:
		parts = 4
	case len(counts) >= 16:
		parts = 2
	}
	if parts == 1 {
		return true
	}
	rising := 0
	for k := range parts {
		part := counts[k*len(counts)/parts : (k+1)*len(counts)/parts]
		if risingP(part) <= partAlpha {
			rising++
		}
	}
	return rising == parts
}

// fleetJudge judges every instance of a fleet, read at step.
type fleetJudge struct {
	step        time.Duration
	grow        int
	growSamples int
}

// judge splits each instance into lives and judges each life's trend at
// a significance shared among all the lives judged.
func (j fleetJudge) judge(fleet []*fleetInstance) {
	judged := 0
	for _, in := range fleet {
		in.lives = splitLives(in.floors, j.grow)
		for k := range in.lives {
			if in.lives[k].points(in.floors)-endDrop(in.lives, k) >= minLifePoints {
				in.lives[k].judged = true
				judged++
			}
		}
	}
	alpha := trendAlpha / float64(max(judged, 1))
	for _, in := range fleet {
		j.judgeInstance(in, alpha)
	}
}

func (l life) points(floors []float32) int {
	n := 0
	for i := l.from; i <= l.to; i++ {
		if !math.IsNaN(float64(floors[i])) {
			n++
		}
	}
	return n
}

func (j fleetJudge) judgeInstance(in *fleetInstance, alpha float64) {
	in.verdict = verdictOK
	var judged, grew int
	var rates []float64
	for k := range in.lives {
		l := &in.lives[k]
		if !l.judged {
			continue
		}
		judged++
		xs, raw := lifePoints(in.floors, *l, endDrop(in.lives, k))
		jumps, ys := levelShifts(xs, raw, j.grow)
		for _, s := range jumps {
			if s > warmUpPoints { // a jump just after a start is the start
				l.shifts = append(l.shifts, xs[s])
			}
		}
		counts := make([]int, len(ys))
		rises := 0
		for i, y := range ys {
			counts[i] = int(math.Round(y))
			if i > 0 && ys[i] > ys[i-1] {
				rises++
			}
		}
		slope, _ := theilSen(floats(xs), ys)
		l.p = risingP(counts)
		l.gained = slope * float64(xs[len(xs)-1]-xs[0])
		l.perHour = slope * float64(time.Hour) / float64(j.step)
		// The fitted line through the raw points: the intercept is the
		// median of what is left once the slope is taken out.
		left := make([]float64, len(raw))
		for i := range raw {
			left[i] = raw[i] - slope*float64(xs[i]-xs[0])
		}
		b := median(left)
		l.lineFrom, l.lineTo = b, b+l.gained
		l.grows = l.p <= alpha && l.gained >= float64(j.grow) && rises >= j.growSamples && risesThroughout(counts)
		if l.grows {
			grew++
			rates = append(rates, l.perHour)
		}
	}
	switch {
	case judged == 0:
		in.unseen = fmt.Sprintf("too few points to judge (a life needs %d steps of %v)", minLifePoints, j.step)
		in.note = in.unseen
	case grew > 0:
		in.verdict = verdictSuspect
		in.perHour = median(rates)
		in.note = fmt.Sprintf("%+.0f/h in %d of %d lives judged", in.perHour, grew, judged)
	default:
		in.note = fmt.Sprintf("no rise in %d lives judged", judged)
	}
}
