package htmlreport

import (
	"math"
	"time"
)

// niceTicks returns about n tick values (rounding the step to the
// nearest round one) covering [lo, hi], a round step
// apart (1, 2 or 5 times a power of ten, at least 1: counts are whole).
func niceTicks(lo, hi float64, n int) []float64 {
	if n < 2 {
		n = 2
	}
	raw := (hi - lo) / float64(n-1)
	step := 1.0
	if raw > 1 {
		mag := math.Pow(10, math.Floor(math.Log10(raw)))
		switch f := raw / mag; {
		case f < 1.5:
			step = mag
		case f < 3:
			step = 2 * mag
		case f < 7:
			step = 5 * mag
		default:
			step = 10 * mag
		}
	}
	first := math.Floor(lo/step) * step
	last := math.Ceil(hi/step) * step
	var ticks []float64
	for v := first; v <= last+step/2; v += step {
		ticks = append(ticks, v)
	}
	return ticks
}

// A timeTick is a tick on the time axis, with its label.
type timeTick struct {
	t     time.Time
	label string
}

// tickSteps are the round intervals the time axis takes, as Prometheus'
// and Grafana's graphs do.
var tickSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
}

// timeTicks returns at most about n ticks across [t0, t1], in UTC, at a
// round interval, labelled with the time of day, the date too where the
// day changes (and at the first tick when the span is over a day).
func timeTicks(t0, t1 time.Time, n int) []timeTick {
	span := t1.Sub(t0)
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= time.Duration(n) {
			step = s
			break
		}
	}
	t0, t1 = t0.UTC(), t1.UTC()
	// Round up to the interval, counted from midnight UTC (or from the
	// Unix epoch, for intervals of days).
	var first time.Time
	if step < 24*time.Hour {
		day := time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, time.UTC)
		first = day.Add((t0.Sub(day) + step - 1) / step * step)
	} else {
		first = t0.Truncate(step)
		if first.Before(t0) {
			first = first.Add(step)
		}
	}
	layout := "15:04"
	switch {
	case step >= 24*time.Hour:
		layout = "Jan 2"
	case step < time.Minute:
		layout = "15:04:05"
	}
	var ticks []timeTick
	prevDay := -1
	for t := first; !t.After(t1); t = t.Add(step) {
		label := t.Format(layout)
		if step < 24*time.Hour && t.YearDay() != prevDay && (prevDay >= 0 || span > 24*time.Hour) {
			label = t.Format("Jan 2 ") + label
		}
		prevDay = t.YearDay()
		ticks = append(ticks, timeTick{t, label})
	}
	return ticks
}
