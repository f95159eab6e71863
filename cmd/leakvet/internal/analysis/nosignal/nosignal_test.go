package nosignal_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nosignal"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), nosignal.Analyzer, "a")
}
