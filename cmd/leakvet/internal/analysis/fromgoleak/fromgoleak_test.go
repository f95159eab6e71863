package fromgoleak_test

import (
	"strconv"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/fromgoleak"
)

// Test checks the translation of every rule against the golden files,
// and that packages with something to translate by hand are left alone.
func Test(t *testing.T) {
	exported(t, true)
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), fromgoleak.Analyzer,
		// Translated.
		"hoist", "renamed", "keeptiming", "testmain", "cleanup", "cleanupcurrent",
		"find", "findmain", "waits", "waitvar", "optlib", "optuser", "imports", "commenttypes",
		// Left alone, with a diagnostic for what needs a hand.
		"unknown", "values", "misuse", "dotimport", "cleanuplate", "splitwaits",
		"badlib", "baduser", "shadow", "variant",
		// Nothing to do.
		"nogoleak")
}

// TestLeftAsItIs checks, with the default flags, what the translation
// must not change behind the user's back: an exported API, generated
// files, files left out by build tags; and what it keeps as written and
// lists: comments, goleak's error text, a check at the start of a test.
func TestLeftAsItIs(t *testing.T) {
	exported(t, false)
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), fromgoleak.Analyzer,
		"exportedapi", "generated", "tagged", "errortext", "comments")
}

// exported sets the -fromgoleak.exported flag for the test.
func exported(t *testing.T, on bool) {
	f := fromgoleak.Analyzer.Flags.Lookup("exported")
	old := f.Value.String()
	if err := f.Value.Set(strconv.FormatBool(on)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}
