package bothcalls_test

import (
	"bothcalls"
	"testing"
)

func TestStart(t *testing.T) {
	bothcalls.Start() // want `tests of package bothcalls_test start goroutines here`
}
