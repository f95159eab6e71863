package nodone_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nodone"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), nodone.Analyzer, "a")
}
