package both

import "testing"

func TestInternal(t *testing.T) {
	go func() {}() // want `tests of package both start goroutines here`
}
