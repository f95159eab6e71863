// Package names is run by leakcheck's end-to-end tests: subtests with
// names that are awkward as file names or labels each leak one goroutine
// and must be named exactly in their reports.
package names

import (
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// Names as passed to t.Run; the testing package rewrites some of them
// (spaces become underscores, "a/b" nests, unprintable runes are quoted).
var Names = []string{
	"a/b",
	"with space",
	"ünïcödé-名前",
	"..",
	"../../escape",
	"",
	"tab\there",
	`back\slash`,
	"quote\"d",
	"leakcheck:1",
	"{k: v}",
}

func TestNames(t *testing.T) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			leakcheck.Verify(t, leakcheck.MaxWait(100*time.Millisecond))
			t.Parallel()
			ch := make(chan string)
			go func() { ch <- t.Name() }()
		})
	}
}
