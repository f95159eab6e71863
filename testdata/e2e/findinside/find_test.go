// Package findinside calls leakcheck.Find from inside tests, as code
// translated from goleak.VerifyNone does.
package findinside

import (
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

func TestFindNothing(t *testing.T) {
	// A wait, for the goroutine of a test that just ended to finish.
	if err := leakcheck.Find(leakcheck.MaxWait(time.Second)); err != nil {
		t.Errorf("Find reported the test binary's own goroutines: %v", err)
	}
}

func blockOn(ch chan int) { <-ch }
func TestFindLeak(t *testing.T) {
	ch := make(chan int)
	defer close(ch)
	go blockOn(ch)
	err := leakcheck.Find(leakcheck.MaxWait(time.Second))
	if err == nil {
		t.Fatal("Find missed a goroutine blocked in blockOn")
	}
	// The goroutine may not have run yet: its creator names it.
	if got := len(err.(*leakcheck.LeakError).Goroutines); got != 1 || !strings.Contains(err.Error(), "started by: github.com/leakcheck/leakcheck/testdata/e2e/findinside.TestFindLeak at ") {
		t.Errorf("Find reported %d goroutines, want the one TestFindLeak started:\n%v", got, err)
	}
}
