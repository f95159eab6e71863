// Package errtext counts goroutines in goleak's error text.
package errtext

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestCount(t *testing.T) {
	err := goleak.Find()
	if err != nil && strings.Count(err.Error(), "on top of the stack") > 1 {
		t.Error(err)
	}
}
