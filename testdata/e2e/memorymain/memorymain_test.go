// Package memorymain leaks from tests that do not call Verify, for
// leakcheck's end-to-end tests of the memory the package check of
// VerifyTestMain says the leaks hold. Its leaks block on channels only
// they reach, which the runtime proves leaked where it can (go1.27,
// go1.26 with GOEXPERIMENT=goroutineleakprofile): leakcheck then measures
// in a rerun of the tests, which runs TestMain again.
package memorymain

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

const MiB = 1 << 20

func TestMain(m *testing.M) {
	// The setup runs again in a rerun; its output must not show twice.
	fmt.Println("memorymain: setting up")
	fmt.Fprintln(os.Stderr, "memorymain: setting up, on standard error")
	leakcheck.VerifyTestMain(m, leakcheck.MaxWait(100*time.Millisecond))
}

func hold(buf []byte, block chan struct{}) {
	<-block
	buf[0]++
}

func TestLeaksBuffer(t *testing.T) {
	go hold(make([]byte, 24*MiB), make(chan struct{}))
}

func TestLeaksMany(t *testing.T) {
	block := make(chan struct{})
	for range 100 {
		go hold(make([]byte, 64<<10), block)
	}
}

// timerStarted tells TestLeaksFromTimer that leakFromTimer runs.
var timerStarted = make(chan struct{})

// leakFromTimer runs in a timer's goroutine, which has no creator and no
// test function in its stack: no test is named for its leak, and the
// rerun runs every test.
func leakFromTimer() {
	timerStarted <- struct{}{}
	hold(make([]byte, 2*MiB), make(chan struct{}))
}

func TestLeaksFromTimer(t *testing.T) {
	time.AfterFunc(0, leakFromTimer)
	<-timerStarted
}

func TestPasses(t *testing.T) {}
