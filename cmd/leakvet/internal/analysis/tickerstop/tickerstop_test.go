package tickerstop_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/tickerstop"
)

// The fixtures in "old" are built for go1.21 through a build constraint;
// those in "modern" for go1.23, whose runtime frees unstopped tickers.
func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), tickerstop.Analyzer, "old", "modern")
}

func TestAllVersions(t *testing.T) {
	if err := tickerstop.Analyzer.Flags.Set("allversions", "true"); err != nil {
		t.Fatal(err)
	}
	defer tickerstop.Analyzer.Flags.Set("allversions", "false")
	analysistest.Run(t, analysistest.TestData(), tickerstop.Analyzer, "allversions")
}
