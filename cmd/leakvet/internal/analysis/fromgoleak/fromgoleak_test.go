package fromgoleak_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/fromgoleak"
)

// Test checks the translation of every rule against the golden files,
// and that packages with something to translate by hand are left alone.
func Test(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), fromgoleak.Analyzer,
		// Translated.
		"hoist", "renamed", "keeptiming", "testmain", "cleanup", "cleanupcurrent",
		"find", "findmain", "waits", "waitvar", "optlib", "optuser", "imports",
		// Left alone, with a diagnostic for what needs a hand.
		"unknown", "values", "misuse", "dotimport", "cleanuplate", "splitwaits",
		"badlib", "baduser", "shadow", "variant",
		// Nothing to do.
		"nogoleak")
}
