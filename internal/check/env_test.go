package check

import (
	"testing"

	"github.com/leakcheck/leakcheck/internal/measure"
)

// The rerun waits at least what a check allows by default; measure
// cannot import check, so it keeps its own copy of the figure.
func TestRerunWaitsAtLeastTheDefaultWait(t *testing.T) {
	if measure.MinRerunWait != DefaultMaxWait {
		t.Errorf("measure.MinRerunWait = %v, DefaultMaxWait = %v: keep them equal", measure.MinRerunWait, DefaultMaxWait)
	}
}
