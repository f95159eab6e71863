package check

import (
	"testing"

	"github.com/leakcheck/leakcheck/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A dump larger than the limit fails the check with one clear message,
// prefixed once.
func TestDumpTooLarge(t *testing.T) {
	defer func(limit int) {
		process.reader.Reading.Lock()
		process.reader.MaxDumpSize = limit
		process.reader.Reading.All = nil
		process.reader.Reading.Unlock()
	}(process.reader.MaxDumpSize)
	process.reader.Reading.Lock()
	process.reader.MaxDumpSize = 4096
	process.reader.Reading.All = nil
	process.reader.Reading.Unlock()
	stop := make(chan struct{})
	defer close(stop)
	for range 100 {
		go func() { <-stop }()
	}
	r := testenv.NewRecorder(t, "TestTooLarge")
	verify(r, fast)
	go func() { <-stop }()
	r.Finish()
	want := "leakcheck: the goroutine dump is larger than 4.0 KiB; too many goroutines to check"
	require.NotEmpty(t, r.Errors)
	for _, e := range r.Errors { // at Verify, for the "before" set, and at the check
		assert.Equal(t, want, e)
	}
	_, _, err := Find(testConfig(fast))
	assert.EqualError(t, err, want)
}
