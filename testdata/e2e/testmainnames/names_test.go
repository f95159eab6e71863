// Package testmainnames is run by leakcheck's end-to-end tests of how
// VerifyTestMain names the test that started a leak when no test calls
// Verify. E2E_LEAKS=1 makes the tests leak.
package testmainnames

import (
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m, leakcheck.MaxWait(200*time.Millisecond))
}

func leaking(t *testing.T) bool { return os.Getenv("E2E_LEAKS") != "" }

// blockForever is package code, not a test's: it names no test.
func blockForever(ch chan int) { ch <- 1 }

// fromTimer is started by time.AfterFunc: no goroutine creates it.
func fromTimer() { blockForever(make(chan int)) }

// spawn is package code that starts a goroutine and returns.
func spawn(started chan struct{}) {
	go blockForever(make(chan int))
	close(started)
}

// A helper goroutine running package code starts the leak and exits: the
// creator chain breaks, and only the creators' recorded stacks
// (tracebackancestors) lead back to the test.
func TestHelperStarted(t *testing.T) {
	if !leaking(t) {
		return
	}
	started := make(chan struct{})
	go spawn(started)
	<-started
}

// A closure defined in the test runs from time.AfterFunc.
func TestAfterFuncClosure(t *testing.T) {
	if !leaking(t) {
		return
	}
	ran := make(chan struct{})
	time.AfterFunc(time.Millisecond, func() {
		close(ran)
		blockForever(make(chan int))
	})
	<-ran
}

// A package function runs from time.AfterFunc: nothing names the test.
func TestAfterFuncPackageCode(t *testing.T) {
	if !leaking(t) {
		return
	}
	time.AfterFunc(time.Millisecond, fromTimer)
	time.Sleep(20 * time.Millisecond)
}
