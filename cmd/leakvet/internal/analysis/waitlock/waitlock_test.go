package waitlock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/waitlock"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/suite"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), suite.Guard(waitlock.Analyzer), "a")
}
