// Package docstring takes an analyzer's Doc from the package comment of
// its doc.go, so the documentation is written once, where godoc shows it.
package docstring

import "strings"

// FromDocGo returns the analyzer documentation found in src, the
// contents of a doc.go file. The package comment must contain a section
// headed "# Analyzer <name>" whose first paragraph starts with
// "<name>: " and the one-line summary; the result is that section
// without the heading and the "<name>: " prefix, so its first line is the
// summary, as analysis.Analyzer.Doc expects.
//
// FromDocGo panics if the section is missing: that can only be a mistake
// in the analyzer's own source, and every test of the analyzer finds it.
func FromDocGo(src, name string) string {
	var lines []string
	for line := range strings.Lines(src) {
		line = strings.TrimRight(line, "\n")
		if !strings.HasPrefix(line, "//") {
			break
		}
		lines = append(lines, strings.TrimPrefix(strings.TrimPrefix(line, "//"), " "))
	}
	text := strings.Join(lines, "\n")
	_, section, ok := strings.Cut(text, "# Analyzer "+name+"\n")
	section = strings.TrimSpace(section)
	section, ok2 := strings.CutPrefix(section, name+": ")
	if !ok || !ok2 {
		panic("docstring: doc.go has no \"# Analyzer " + name + "\" section starting with \"" + name + ": \"")
	}
	return section
}
