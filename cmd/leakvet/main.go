// Leakvet reports code shapes that leak goroutines and tickers.
//
// It runs four analyzers: foreverloop (goroutines looping forever with no
// way to stop them), tickerstop (tickers never stopped, in code built for
// Go before 1.23), abandonedsend (goroutines left blocked on a send when
// the receiving function returns early) and missingverify (tests that
// start goroutines but never call leakcheck.Verify or VerifyTestMain).
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
// Flags select analyzers (-foreverloop, -tickerstop=false, ...) and, run
// directly, -fix applies the suggested fixes. Turn on go vet's lostcancel
// and the bodyclose linter alongside: leakvet does not repeat them.
package main

import (
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/leakcheck/leakcheck/internal/analysis/abandonedsend"
	"github.com/leakcheck/leakcheck/internal/analysis/foreverloop"
	"github.com/leakcheck/leakcheck/internal/analysis/missingverify"
	"github.com/leakcheck/leakcheck/internal/analysis/tickerstop"
)

func main() {
	multichecker.Main(
		abandonedsend.Analyzer,
		foreverloop.Analyzer,
		missingverify.Analyzer,
		tickerstop.Analyzer,
	)
}
