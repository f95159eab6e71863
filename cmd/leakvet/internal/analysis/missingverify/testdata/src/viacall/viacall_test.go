package viacall_test

import "testing"
import "viacall"

func TestAdd(t *testing.T) {
	if viacall.Add(1, 2) != 3 {
		t.Fatal("bad sum")
	}
}

func TestNew(t *testing.T) {
	viacall.New() // want `tests of package viacall_test start goroutines here`
}
