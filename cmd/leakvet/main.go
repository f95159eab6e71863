// Leakvet reports code shapes that leak goroutines and tickers.
//
// It runs seventeen analyzers: foreverloop (goroutines looping forever
// with no way to stop them), tickerstop (tickers never stopped, in code
// built for Go before 1.23), abandonedsend (goroutines left blocked on a
// send when the receiving function returns early), abandonedproducer
// (goroutines left sending when their consumer returns from the loop
// that reads them), nosender (receives from a channel nothing sends on or
// closes), noreceiver (sends on a channel nothing receives from),
// stoppedpartner (sends and receives whose only partner is a goroutine's
// loop that can return), sendcycle (two goroutine loops that each send
// to the other while busy), nodone (WaitGroup.Wait on a group nothing
// marks Done), lateadd (WaitGroup.Add inside the goroutine it counts),
// waitlock (WaitGroup.Wait holding a lock the Done-ers take first),
// nosignal (Cond.Wait on a condition variable nothing signals), nocancel
// (contexts whose cancel function, kept in a field, is never called, or
// whose holder is dropped uncancelled), doublelock (a mutex locked again
// on a path that holds it, or left locked on one return), lockorder (two
// locks taken in opposite orders), chanlock (a channel operation made
// holding a lock every partner takes first) and missingverify (tests
// that start goroutines but never call leakcheck.Verify or
// VerifyTestMain).
//
// An eighteenth, fromgoleak, translates tests from go.uber.org/goleak to
// leakcheck. It rewrites code rather than finding bugs, so it runs only
// when named:
//
//	leakvet -fromgoleak -fix ./... && go mod tidy
//
// Run it directly:
//
//	go run github.com/leakcheck/leakcheck/cmd/leakvet@latest ./...
//
// or through go vet:
//
//	go install github.com/leakcheck/leakcheck/cmd/leakvet@latest
//	go vet -vettool=$(which leakvet) ./...
//
// or in golangci-lint v2, as the module plugin of package
// github.com/leakcheck/leakcheck/cmd/leakvet/golangci (see its doc).
//
// Flags select analyzers (-foreverloop, -tickerstop=false, ...) and, run
// directly, -fix applies the suggested fixes and lists what it did not
// fix (exit status 3 when it lists anything); -tags selects the files of
// build tags, as go build's -tags does. Its garbage collector runs at
// GOGC=200 unless GOGC is set. Turn on go vet's lostcancel
// and the bodyclose linter alongside: leakvet does not repeat them.
package main

import (
	"flag"
	"os"
	"runtime/debug"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/fromgoleak"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/suite"
)

func main() {
	collectLessOften()
	honourTags(os.Args[1:])
	if status, ran := runFix(os.Args[1:]); ran {
		os.Exit(status)
	}
	multichecker.Main(append(suite.Analyzers(), optIn(fromgoleak.Analyzer))...)
}

// collectLessOften lets the heap grow to three times what the last
// collection kept, unless GOGC says otherwise: the SSA and the lock
// analyses allocate at a rate that, at the default, spends a quarter of
// leakvet's time collecting; this trades that for a quarter more memory
// at the peak (BENCHMARKS.md).
func collectLessOften() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(200)
	}
}

// optIn returns a copy of a that does nothing unless the command line
// names it, as -NAME or -NAME=true. The driver runs every analyzer when
// no -NAME flag is true, and every one not set false when some is false;
// an analyzer that rewrites code must not join in either case.
func optIn(a *analysis.Analyzer) *analysis.Analyzer {
	c := *a
	c.Run = func(pass *analysis.Pass) (any, error) {
		if !named(a.Name) {
			return nil, nil
		}
		return a.Run(pass)
	}
	return &c
}

// named reports whether the flag called name was set to true on the
// command line (flags are parsed before any analyzer runs).
func named(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok && f.Name == name {
			set = g.Get() == true
		}
	})
	return set
}
