// Package suite lists leakvet's analyzers that find bugs, for the command
// and for the golangci-lint plugin.
package suite

import (
	"golang.org/x/tools/go/analysis"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/abandonedproducer"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/abandonedsend"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/chanlock"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/doublelock"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/foreverloop"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/lateadd"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/lockorder"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/missingverify"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nocancel"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nodone"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/noreceiver"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nosender"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nosignal"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/sendcycle"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/stoppedpartner"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/tickerstop"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/waitlock"
)

// Analyzers returns the analyzers leakvet runs by default: all but
// fromgoleak, which rewrites code and runs only when named.
func Analyzers() []*analysis.Analyzer {
	as := []*analysis.Analyzer{
		abandonedproducer.Analyzer,
		abandonedsend.Analyzer,
		chanlock.Analyzer,
		doublelock.Analyzer,
		foreverloop.Analyzer,
		lateadd.Analyzer,
		lockorder.Analyzer,
		missingverify.Analyzer,
		nocancel.Analyzer,
		nodone.Analyzer,
		noreceiver.Analyzer,
		nosender.Analyzer,
		nosignal.Analyzer,
		sendcycle.Analyzer,
		stoppedpartner.Analyzer,
		tickerstop.Analyzer,
		waitlock.Analyzer,
	}
	for i, a := range as {
		as[i] = Guard(a)
	}
	return as
}
