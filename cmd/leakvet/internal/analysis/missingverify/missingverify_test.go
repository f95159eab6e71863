package missingverify_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/missingverify"
)

func Test(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), missingverify.Analyzer,
		"gostmt", "viacall", "hasmain", "verified", "siblingmain", "nogoroutines", "goleaked", "both", "bothcalls", "homegrown")
}
