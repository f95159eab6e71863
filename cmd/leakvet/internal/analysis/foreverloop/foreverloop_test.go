package foreverloop_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/foreverloop"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), foreverloop.Analyzer, "a", "command")
}
