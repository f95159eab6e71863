// Package testmain is run by leakcheck's end-to-end tests of
// VerifyTestMain; environment variables choose what the tests do.
package testmain

import (
	"os"
	"testing"

	"github.com/leakcheck/leakcheck"
)

var stopInit = make(chan struct{})

func init() {
	go func() { <-stopInit }()
}

func TestMain(m *testing.M) {
	go func() { select {} }() // started before the check begins: fine
	var opts []leakcheck.Option
	if os.Getenv("E2E_CHECK_ON_FAILURE") != "" {
		opts = append(opts, leakcheck.CheckOnFailure())
	}
	leakcheck.VerifyTestMain(m, opts...)
}

func TestClean(t *testing.T) {
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}

func leakOnce(ch chan int) { ch <- 1 }

func TestLeaks(t *testing.T) {
	if os.Getenv("E2E_LEAK") != "" {
		go leakOnce(make(chan int))
	}
}

func TestFails(t *testing.T) {
	if os.Getenv("E2E_FAIL") != "" {
		t.Fatal("failing on purpose")
	}
}
