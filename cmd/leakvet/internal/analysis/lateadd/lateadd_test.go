package lateadd_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/lateadd"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/suite"
)

func Test(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), suite.Guard(lateadd.Analyzer), "a")
}
