package unreadsend_test

import (
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/unreadsend"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowFetch returns a fetch that answers only once release is closed.
func slowFetch(release <-chan struct{}) func() string {
	return func() string {
		<-release
		return "late"
	}
}

func TestFixedFetchFirst(t *testing.T) {
	leakcheck.Verify(t)

	r, err := unreadsend.FetchFirstFixed(time.Second, func() string { return "fast" })
	require.NoError(t, err)
	assert.Equal(t, "fast", r)

	release := make(chan struct{})
	_, err = unreadsend.FetchFirstFixed(time.Millisecond, slowFetch(release))
	assert.ErrorIs(t, err, unreadsend.ErrTimeout)
	close(release) // the fetch finishes after the timeout; its goroutine still exits
}

func TestLeakyFetchFirst(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	release := make(chan struct{})
	_, err := unreadsend.FetchFirst(time.Millisecond, slowFetch(release))
	assert.ErrorIs(t, err, unreadsend.ErrTimeout)
	close(release) // the fetch finishes after the timeout; its send blocks forever
}
