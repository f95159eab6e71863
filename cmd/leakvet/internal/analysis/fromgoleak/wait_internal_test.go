package fromgoleak

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGoleakWait(t *testing.T) {
	tests := []struct {
		name     string
		retries  int64
		maxSleep time.Duration
		want     time.Duration
	}{
		{"goleak's defaults", defaultRetries, defaultMaxSleep, 431071 * time.Microsecond},
		{"no retries", 0, defaultMaxSleep, 0},
		{"negative retries", -3, defaultMaxSleep, 0},
		{"two retries", 2, defaultMaxSleep, 3 * time.Microsecond},
		{"sleeps capped low", defaultRetries, 10 * time.Millisecond, 16383*time.Microsecond + 6*10*time.Millisecond},
		{"zero cap sleeps never", 100, 0, 0},
		{"negative cap sleeps never", 100, -time.Second, 0},
		{"a second cap, 25 retries", 25, time.Second, 1048575*time.Microsecond + 5*time.Second},
		// Past 53 doublings goleak's shift overflows: only i = 59 gives a
		// positive sleep (then capped), and from 64 on the shift is zero.
		{"overflowing shifts", 1000, defaultMaxSleep, 131071*time.Microsecond + 38*defaultMaxSleep},
		{"overflowing shifts, 64 or more", 64, defaultMaxSleep, 131071*time.Microsecond + 38*defaultMaxSleep},
		{"saturates", 64, math.MaxInt64, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, goleakWait(tt.retries, tt.maxSleep))
		})
	}
}

func TestWaitSource(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{5*time.Second + time.Nanosecond, "6 * time.Second"},
		{6 * time.Second, "6 * time.Second"},
		{36048575 * time.Microsecond, "37 * time.Second"},
		{599 * time.Second, "599 * time.Second"},
		{600 * time.Second, "10 * time.Minute"},
		{7199*time.Second + time.Millisecond, "2 * time.Hour"},
		{math.MaxInt64, "9223372036 * time.Second"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, waitSource(tt.d, "time"), "waitSource(%v)", tt.d)
	}
}

func TestFormatWait(t *testing.T) {
	assert.Equal(t, "3µs", formatWait(3*time.Microsecond))
	assert.Equal(t, "431ms", formatWait(431071*time.Microsecond))
	assert.Equal(t, "1.4s", formatWait(1431071*time.Microsecond))
	assert.Equal(t, "36s", formatWait(36048575*time.Microsecond))
}
