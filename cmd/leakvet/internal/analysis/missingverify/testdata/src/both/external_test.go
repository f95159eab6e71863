package both_test

import "testing"

// Not reported: the internal tests start goroutines too, and their
// diagnostic speaks for the whole test binary.
func TestExternal(t *testing.T) {
	go func() {}()
}
