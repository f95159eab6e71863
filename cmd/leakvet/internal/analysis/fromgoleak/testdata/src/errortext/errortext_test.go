package errortext // want package:"goleakUser"

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// leaked counts goroutines in goleak's error text, as some suites do.
func leaked(err error) int {
	return strings.Count(err.Error(), "on top of the stack") // want `"on top of the stack" is part of goleak's error text`
}

func TestCount(t *testing.T) {
	if err := goleak.Find(); err != nil && leaked(err) > 1 { // want `goleak.Find becomes leakcheck.Find`
		t.Error(err)
	}
}
