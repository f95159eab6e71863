package fromgoleak

import (
	"fmt"
	"math"
	"time"
)

// goleak's retry policy, as released in v1.3.0: up to defaultRetries
// retries, sleeping 1µs·2^i before retry i, at most defaultMaxSleep each.
// Newer goleak sources set a shorter default sleep; assuming the longer
// one can only make the translated wait longer, never cut it short.
const (
	defaultRetries  = 20
	defaultMaxSleep = 100 * time.Millisecond
)

// leakcheckDefaultWait is leakcheck.DefaultMaxWait: a goleak wait no
// longer than this needs no option at all.
const leakcheckDefaultWait = 5 * time.Second

// goleakWait returns how long goleak sleeps in all, at most, when it
// retries retries times with sleeps capped at maxSleep: the sum of
// min(1µs·2^i, maxSleep) for i below retries, computed with goleak's own
// 64-bit arithmetic, where a shift past 63 bits gives zero and a sleep of
// zero or less returns at once. The sum saturates at the largest
// Duration.
func goleakWait(retries int64, maxSleep time.Duration) time.Duration {
	var total time.Duration
	for i := int64(0); i < retries && i < 64; i++ {
		d := time.Duration(int64(time.Microsecond) << uint(i))
		if d > maxSleep {
			d = maxSleep
		}
		if d <= 0 {
			continue
		}
		if total > math.MaxInt64-d {
			return math.MaxInt64
		}
		total += d
	}
	return total
}

// waitSource returns the source of a leakcheck.MaxWait argument that is
// at least d, in whole seconds (or minutes or hours when d is a whole
// number of them after rounding up), using timePkg as the name of
// package time.
func waitSource(d time.Duration, timePkg string) string {
	secs := int64(d / time.Second)
	if d%time.Second != 0 && secs < math.MaxInt64/int64(time.Second) {
		secs++ // round up: a translated wait is never shorter
	}
	switch {
	case secs%3600 == 0:
		return fmt.Sprintf("%d * %s.Hour", secs/3600, timePkg)
	case secs%60 == 0 && secs >= 600:
		return fmt.Sprintf("%d * %s.Minute", secs/60, timePkg)
	}
	return fmt.Sprintf("%d * %s.Second", secs, timePkg)
}

// formatWait formats a wait for people: "431ms", "1.5s", "8m20s".
func formatWait(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
