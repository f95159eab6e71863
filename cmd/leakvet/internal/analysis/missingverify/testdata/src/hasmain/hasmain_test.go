package hasmain

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

func TestAsync(t *testing.T) {
	done := make(chan bool)
	go func() { done <- true }() // want `call leakcheck.VerifyTestMain\(m\) from TestMain in place of m.Run\(\)`
	<-done
}
