//go:build go1.23

package iterpull_test

import (
	"os"
	"slices"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/iterpull"
	"github.com/stretchr/testify/assert"
)

func TestFixedEqual(t *testing.T) {
	leakcheck.Verify(t)

	assert.True(t, iterpull.EqualFixed(slices.Values([]int{1, 2, 3}), slices.Values([]int{1, 2, 3})))
	assert.False(t, iterpull.EqualFixed(slices.Values([]int{1, 2, 3}), slices.Values([]int{1, 5, 3})))
	assert.False(t, iterpull.EqualFixed(slices.Values([]int{1, 2}), slices.Values([]int{1, 2, 3})))
}

func TestLeakyEqual(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	assert.False(t, iterpull.Equal(slices.Values([]int{1, 2, 3}), slices.Values([]int{1, 5, 3})))
}
