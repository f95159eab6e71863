package doublelock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/doublelock"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), doublelock.Analyzer, "a")
}

func TestUnlockFix(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), doublelock.Analyzer, "fix")
}
