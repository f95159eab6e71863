package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listed are the lines leakvet -fromgoleak prints for the uses of
// testdata/shapes it leaves as they are, by package.
var listed = map[string]string{
	"helper":   "helper_test.go:11:19: goleak.TestingT has no leakcheck counterpart",
	"gen":      `gen_test.go:8:2: generated file ("// Code generated")`,
	"tagged":   "tagged.go:2:9: tagged_integration_test.go uses goleak but is left out of this build (//go:build integration)",
	"api":      "api.go:9:2: Config.LeakOptions has goleak types in the exported API of package example.com/shapes/api",
	"errtext":  `errtext_test.go:13:46: "on top of the stack" is part of goleak's error text`,
	"moved":    "moved_test.go:25:2: goleak.VerifyNone at the start of TestAtStart checks only what earlier tests left",
	"crossmod": "crossmod_test.go:12:37: harness.Options has goleak types and comes from module example.com/harness, which this run does not rewrite",
}

// untouched are the files of testdata/shapes that a plain -fromgoleak
// -fix leaves as they are.
var untouched = []string{"helper/helper_test.go", "gen/gen_test.go", "tagged/tagged_integration_test.go", "api/api.go", "api/api_test.go",
	"crossmod/crossmod_test.go", "harness/harness.go"}

// With -fix as without, leakvet -fromgoleak lists every use it leaves as
// it is, and exits 3: nothing is skipped silently.
func TestFromGoleakListsWhatItLeaves(t *testing.T) {
	bin := buildLeakvet(t)
	for _, fix := range []bool{false, true} {
		dir, _ := fixtureModule(t, "shapes")
		before := readFiles(t, dir, untouched)
		args := []string{"-fromgoleak", "./..."}
		if fix {
			args = append([]string{"-fix"}, args...)
		}
		out, err := leakvetIn(bin, dir, args...).CombinedOutput()
		assert.Equal(t, 3, exitCode(t, err), "leakvet %v; output:\n%s", args, out)
		for pkg, line := range listed {
			assert.Contains(t, string(out), filepath.Join(dir, pkg)+string(filepath.Separator)+line, "leakvet %v", args)
		}
		assert.Equal(t, before, readFiles(t, dir, untouched), "leakvet %v leaves the listed packages as they are", args)
		if !fix {
			continue
		}
		moved := readFiles(t, dir, []string{"moved/moved_test.go"})["moved/moved_test.go"]
		assert.Contains(t, moved, "func TestCommented(t *testing.T) {\n\tleakcheck.Verify(t,\n"+
			"\t\t// The pool's workers live as long as the process.\n"+
			"\t\tleakcheck.IgnoreTopFunction(\"example.com/shapes/moved.worker\"),\n"+
			"\t) // checked after the test\n\tt.Parallel()\n}", "the moved check keeps its comments")
		assert.Contains(t, moved, "func TestCleanup(t *testing.T) {\n\tleakcheck.Verify(t)\n}", "t.Cleanup of the check becomes Verify")
		assert.Contains(t, moved, "if leakcheck.Find(leakcheck.MaxWait(432*time.Millisecond)) == nil {", "a retried Find keeps goleak's wait")
	}
}

// -tags selects the files of those build tags, which are then translated;
// -fromgoleak.exported translates exported API too.
func TestFromGoleakTagsAndExported(t *testing.T) {
	bin := buildLeakvet(t)
	dir, _ := fixtureModule(t, "shapes")
	out, err := leakvetIn(bin, dir, "-fix", "-tags=integration", "-fromgoleak", "-fromgoleak.exported", "./...").CombinedOutput()
	assert.Equal(t, 3, exitCode(t, err), "output:\n%s", out)
	assert.NotContains(t, string(out), "left out of this build")
	assert.NotContains(t, string(out), "exported API")
	files := readFiles(t, dir, []string{"tagged/tagged_integration_test.go", "api/api.go", "api/api_test.go"})
	assert.Contains(t, files["tagged/tagged_integration_test.go"], "leakcheck.Verify(t)")
	assert.Contains(t, files["api/api.go"], "LeakOptions []leakcheck.Option")
	assert.Contains(t, files["api/api_test.go"], "leakcheck.Verify(t, Defaults().LeakOptions...)")
}

// A library at go 1.22 keeps its go line once translated and tidied
// against this repository's leakcheck.
func TestFromGoleakKeepsTheGoLine(t *testing.T) {
	bin := buildLeakvet(t)
	dir, _ := fixtureModule(t, "shapes")
	out, err := leakvetIn(bin, dir, "-fix", "-fromgoleak", "./moved").CombinedOutput()
	require.Equal(t, 3, exitCode(t, err), "the hint on TestAtStart; output:\n%s", out)
	requireLeakcheck(t, dir)
	out, err = modCommand(dir, "mod", "tidy").CombinedOutput()
	require.NoError(t, err, "go mod tidy: %s", out)
	out, err = modCommand(dir, "mod", "edit", "-json").Output()
	require.NoError(t, err)
	var mod struct{ Go, Toolchain string }
	require.NoError(t, json.Unmarshal(out, &mod))
	assert.Equal(t, "1.22", mod.Go)
	assert.Empty(t, mod.Toolchain)
	out, err = modCommand(dir, "vet", "./moved").CombinedOutput()
	assert.NoError(t, err, "go vet: %s", out)
}

// In a module that vendors its dependencies, leakvet loads the packages
// from vendor/, translates them, and says what to run next; run, that
// builds.
func TestFromGoleakVendor(t *testing.T) {
	bin := buildLeakvet(t)
	dir, _ := fixtureModule(t, "shapes")
	out, err := modCommand(dir, "mod", "vendor").CombinedOutput()
	require.NoError(t, err, "go mod vendor: %s", out)

	cmd := leakvetIn(bin, dir, "-fix", "-fromgoleak", "./moved")
	cmd.Env = append(cmd.Env, "GOFLAGS=") // build from vendor/, as the go command does by default
	out, err = cmd.CombinedOutput()
	require.Equal(t, 3, exitCode(t, err), "the hint on TestAtStart; output:\n%s", out)
	assert.Contains(t, string(out), "this module vendors its dependencies: after the fixes, run go get github.com/leakcheck/leakcheck && go mod tidy && go mod vendor")

	requireLeakcheck(t, dir) // in place of go get, offline
	for _, args := range [][]string{{"mod", "tidy"}, {"mod", "vendor"}} {
		out, err := modCommand(dir, args...).CombinedOutput()
		require.NoError(t, err, "go %v: %s", args, out)
	}
	vet := modCommand(dir, "vet", "./moved")
	vet.Env = append(vet.Env, "GOFLAGS=")
	out, err = vet.CombinedOutput()
	assert.NoError(t, err, "go vet from vendor/: %s", out)
}

// requireLeakcheck makes the module in dir require this repository's
// leakcheck, whose dependencies are then in the module cache.
func requireLeakcheck(t *testing.T, dir string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	out, err := modCommand(root, "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "go list leakcheck: %s", out)
	appendFile(t, filepath.Join(dir, "go.mod"),
		"\nrequire github.com/leakcheck/leakcheck v0.0.0-00010101000000-000000000000\n"+
			"\nreplace github.com/leakcheck/leakcheck => "+root+"\n")
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	appendFile(t, filepath.Join(dir, "go.sum"), string(sums))
}

// readFiles returns the contents of the named files of dir.
func readFiles(t *testing.T, dir string, names []string) map[string]string {
	t.Helper()
	files := make(map[string]string)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		require.NoError(t, err)
		files[name] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return files
}
