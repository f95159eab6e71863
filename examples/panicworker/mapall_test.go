package panicworker_test

import (
	"os"
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/panicworker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upper panics on "" at once, and upper-cases other items once release
// is closed, so that the panic always comes first.
func upper(release <-chan struct{}) func(string) string {
	return func(s string) string {
		if s == "" {
			panic("empty item")
		}
		<-release
		return strings.ToUpper(s)
	}
}

func TestFixedMapAll(t *testing.T) {
	leakcheck.Verify(t)

	release := make(chan struct{})
	close(release)
	out, err := panicworker.MapAllFixed([]string{"a", "b"}, upper(release))
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B"}, out)

	release = make(chan struct{})
	_, err = panicworker.MapAllFixed([]string{"a", "", "b"}, upper(release))
	assert.ErrorContains(t, err, "panic: empty item")
	close(release) // the other workers finish after MapAllFixed returned
}

func TestLeakyMapAll(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	release := make(chan struct{})
	_, err := panicworker.MapAll([]string{"a", "", "b"}, upper(release))
	assert.ErrorContains(t, err, "panic: empty item")
	close(release) // the other workers finish after MapAll returned
}
