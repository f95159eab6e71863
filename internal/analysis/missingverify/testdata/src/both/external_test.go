package both_test

import "testing"

func TestExternal(t *testing.T) {
	go func() {}() // want `tests of package both_test start goroutines here`
}
