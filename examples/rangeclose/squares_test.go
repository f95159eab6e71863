package rangeclose_test

import (
	"os"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/rangeclose"
	"github.com/stretchr/testify/assert"
)

func TestFixedSquares(t *testing.T) {
	leakcheck.Verify(t)

	assert.Equal(t, []int{1, 4, 9}, rangeclose.SquaresFixed([]int{1, 2, 3}))
}

func TestLeakySquares(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	assert.Equal(t, []int{1, 4, 9}, rangeclose.Squares([]int{1, 2, 3}))
}
