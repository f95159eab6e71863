package docstring

import "testing"

func TestFromDocGo(t *testing.T) {
	src := `// Package x defines an Analyzer that reports things.
//
// # Analyzer x
//
// x: report things
//
// Details,
//
//	and code.
package x
`
	want := "report things\n\nDetails,\n\n\tand code."
	if got := FromDocGo(src, "x"); got != want {
		t.Errorf("FromDocGo() = %q, want %q", got, want)
	}
}

func TestFromDocGoPanicsWithoutSection(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("FromDocGo did not panic on a doc.go without an Analyzer section")
		}
	}()
	FromDocGo("// Package x does things.\npackage x\n", "x")
}
