package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// exitDiagnostics is the status of a standalone run that reports
// something, as the analysis driver uses it.
const exitDiagnostics = 3

// fixChildEnv marks the runs of leakvet that [runFix] starts.
const fixChildEnv = "LEAKVET_FIX_CHILD"

// honourTags passes a -tags flag on to the package loader through
// GOFLAGS: the analysis driver accepts -tags but ignores it, and a file
// left out by its build constraints would be left out silently.
func honourTags(args []string) {
	tags, ok := flagValue(args, "tags")
	if !ok || strings.TrimSpace(tags) == "" {
		return
	}
	tags = strings.Join(strings.FieldsFunc(tags, func(r rune) bool { return r == ',' || r == ' ' }), ",")
	os.Setenv("GOFLAGS", strings.TrimSpace(os.Getenv("GOFLAGS")+" -tags="+tags))
}

// runFix runs a standalone "leakvet -fix" in two passes, and reports
// whether it did: the analysis driver applies the fixes and prints
// nothing else, so what has no fix (a use fromgoleak cannot translate, a
// finding to check by hand) would go unsaid and the run would exit 0. The
// first pass, without -fix, lists those; the second applies the fixes.
// The status is the second pass's, or 3 when something was listed.
func runFix(args []string) (status int, ran bool) {
	if os.Getenv(fixChildEnv) != "" || !isStandalone(args) {
		return 0, false
	}
	fix, ok := flagValue(args, "fix")
	if !ok || fix == "false" {
		return 0, false
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakvet:", err)
		return 1, true
	}
	var rest []string
	for _, a := range args {
		if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); strings.HasPrefix(a, "-") && name == "fix" {
			continue
		}
		rest = append(rest, a)
	}

	list := exec.Command(self, append([]string{"-json"}, rest...)...)
	list.Env = append(os.Environ(), fixChildEnv+"=1")
	var out bytes.Buffer
	list.Stdout, list.Stderr = &out, os.Stderr
	if err := list.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode(), true // the packages did not load: the driver said why
		}
		fmt.Fprintln(os.Stderr, "leakvet:", err)
		return 1, true
	}
	unfixed, err := withoutFixes(out.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakvet: reading the diagnostics:", err)
		return 1, true
	}
	for _, d := range unfixed {
		fmt.Fprintln(os.Stderr, d)
	}

	apply := exec.Command(self, args...)
	apply.Env = append(os.Environ(), fixChildEnv+"=1")
	apply.Stdout, apply.Stderr = os.Stdout, os.Stderr
	if err := apply.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode(), true
		}
		fmt.Fprintln(os.Stderr, "leakvet:", err)
		return 1, true
	}
	if vendored() {
		fmt.Fprintln(os.Stderr, "leakvet: this module vendors its dependencies: after the fixes, run "+
			"go get github.com/leakcheck/leakcheck && go mod tidy && go mod vendor (until then the build, and leakvet, cannot find leakcheck)")
	}
	if len(unfixed) > 0 {
		fmt.Fprintf(os.Stderr, "leakvet: %d left as they are, listed above: see to them by hand\n", len(unfixed))
		return exitDiagnostics, true
	}
	return 0, true
}

// withoutFixes returns, as "file:line:col: message" lines in order, the
// diagnostics of the driver's -json output that suggest no fix.
func withoutFixes(out []byte) ([]string, error) {
	// {"package": {"analyzer": [diagnostic...] or {"error": "..."}}}
	type diagnostic struct {
		Posn           string            `json:"posn"`
		Message        string            `json:"message"`
		SuggestedFixes []json.RawMessage `json:"suggested_fixes"`
	}
	var lines []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		for _, byAnalyzer := range tree {
			for _, raw := range byAnalyzer {
				var diags []diagnostic
				if json.Unmarshal(raw, &diags) != nil {
					var failed struct{ Error string }
					if json.Unmarshal(raw, &failed) == nil && failed.Error != "" {
						lines = append(lines, failed.Error)
					}
					continue
				}
				for _, d := range diags {
					if len(d.SuggestedFixes) == 0 {
						lines = append(lines, d.Posn+": "+d.Message)
					}
				}
			}
		}
	}
	sort.Strings(lines)
	return lines, nil
}

// isStandalone reports whether leakvet runs on its own rather than as
// go vet's -vettool, which hands it a .cfg file or asks for its flags or
// version.
func isStandalone(args []string) bool {
	for _, a := range args {
		if strings.HasSuffix(a, ".cfg") || a == "-flags" || strings.HasPrefix(a, "-V") {
			return false
		}
	}
	return true
}

// flagValue returns the value of the flag called name in args ("-name",
// "--name", "-name=v", "-name v" for non-boolean flags), and whether it is
// there. A boolean flag given without a value reads "true".
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			break // the flags end at the first package pattern
		}
		n, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if n != name {
			continue
		}
		switch {
		case hasValue:
			return v, true
		case name == "tags" && i+1 < len(args):
			return args[i+1], true
		default:
			return "true", true
		}
	}
	return "", false
}

// vendored reports whether the module in the current directory vendors
// its dependencies and is built from vendor/ (no -mod flag in GOFLAGS).
func vendored() bool {
	if strings.Contains(os.Getenv("GOFLAGS"), "-mod=") {
		return false
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return false
	}
	dir := filepath.Dir(strings.TrimSpace(string(gomod)))
	_, err = os.Stat(filepath.Join(dir, "vendor", "modules.txt"))
	return err == nil
}
