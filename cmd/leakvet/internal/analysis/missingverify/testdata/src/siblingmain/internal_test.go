package siblingmain

import "testing"

func TestRun(t *testing.T) {
	Run()
	go func() {}()
}
