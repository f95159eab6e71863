package nogoleak

import (
	"testing"

	"github.com/leakcheck/leakcheck"
)

func TestAlready(t *testing.T) {
	leakcheck.Verify(t)
}
