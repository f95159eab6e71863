package main_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goleakModule copies testdata/goleakmod, a module that uses goleak in
// every way fromgoleak translates, to a temporary directory; see
// fixtureModule.
func goleakModule(t *testing.T) (dir string, realGoleak bool) {
	return fixtureModule(t, "goleakmod")
}

// fixtureModule copies the module testdata/name to a temporary directory
// and returns the copy, and whether it builds against the real goleak
// v1.3.0. When the module cache does not have goleak, the copy uses
// testdata/goleakstub instead, which has the same API and checks
// nothing: enough to analyze and translate, not to run the tests before
// the translation.
func fixtureModule(t *testing.T, name string) (dir string, realGoleak bool) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), name)
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))))
	out, err := modCommand(dir, "list", "-deps", "-test", "./...").CombinedOutput()
	if err == nil {
		return dir, true
	}
	t.Logf("go.uber.org/goleak v1.3.0 is not in the module cache (go list: %s): "+
		"using testdata/goleakstub, and not running the tests before the translation", strings.TrimSpace(string(out)))
	stub, err := filepath.Abs(filepath.Join("testdata", "goleakstub"))
	require.NoError(t, err)
	appendFile(t, filepath.Join(dir, "go.mod"), "\nreplace go.uber.org/goleak => "+stub+"\n")
	out, err = modCommand(dir, "list", "-deps", "-test", "./...").CombinedOutput()
	require.NoError(t, err, "go list with the goleak stub: %s", out)
	return dir, false
}

// modCommand returns a go command run in dir offline, with modules from
// the module cache only, and go.mod and go.sum updated as needed.
func modCommand(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
	return cmd
}

// leakvetIn returns leakvet run with args in dir, offline.
func leakvetIn(bin, dir string, args ...string) *exec.Cmd {
	cmd := modCommand(dir)
	cmd.Path, cmd.Args = bin, append([]string{bin}, args...)
	return cmd
}

func appendFile(t *testing.T, name, text string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(text)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestFromGoleakOptIn checks that fromgoleak, whose fixes rewrite code,
// runs only when named: not in a plain run, nor when other analyzers are
// named or turned off.
func TestFromGoleakOptIn(t *testing.T) {
	bin := buildLeakvet(t)
	dir, _ := goleakModule(t)
	const translated = "becomes leakcheck"

	for _, args := range [][]string{{"./..."}, {"-tickerstop=false", "./..."}, {"-abandonedsend", "./..."}} {
		out, _ := leakvetIn(bin, dir, args...).CombinedOutput()
		assert.NotContains(t, string(out), translated, "leakvet %v", args)
		assert.Contains(t, string(out), "send on unbuffered channel ch blocks forever", "leakvet %v: the other analyzers run", args)
	}

	// leakopts exports its goleak options to the module's tests.
	out, err := leakvetIn(bin, dir, "-fromgoleak", "-fromgoleak.exported", "./...").CombinedOutput()
	assert.Equal(t, 3, exitCode(t, err), "output:\n%s", out)
	assert.Contains(t, string(out), "clean_test.go:18:8: deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestStartStop")
	assert.NotContains(t, string(out), "send on unbuffered channel", "-fromgoleak alone runs fromgoleak alone")

	// Through go vet, which passes the analyzer flags on.
	out, err = modCommand(dir, "vet", "-vettool="+bin, "./...").CombinedOutput()
	assert.Equal(t, 1, exitCode(t, err), "output:\n%s", out)
	assert.NotContains(t, string(out), translated)
	out, err = modCommand(dir, "vet", "-vettool="+bin, "-fromgoleak", "-fromgoleak.exported", "./...").CombinedOutput()
	assert.Equal(t, 1, exitCode(t, err), "output:\n%s", out)
	assert.Contains(t, string(out), "deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestStartStop")
}

// TestFromGoleakEndToEnd translates a module from goleak to leakcheck with
// leakvet -fromgoleak -fix and go mod tidy, and checks that it builds,
// vets, keeps its passing tests passing (now also in parallel) and its
// leaking test failing, with a leakcheck report.
func TestFromGoleakEndToEnd(t *testing.T) {
	bin := buildLeakvet(t)
	dir, realGoleak := goleakModule(t)
	if realGoleak {
		// Before: goleak blames one parallel subtest's goroutines on the
		// other, and catches the real leak.
		out, err := modCommand(dir, "test", "-count=1", "./clean", "./leaky").CombinedOutput()
		assert.NotEqual(t, 0, exitCode(t, err), "output:\n%s", out)
		assert.Contains(t, string(out), "--- FAIL: TestParallel/B")
		assert.Contains(t, string(out), "--- FAIL: TestLeaks")
		assert.Contains(t, string(out), "found unexpected goroutines")
	}

	// leakopts exports its goleak options to the module's tests.
	out, err := leakvetIn(bin, dir, "-fromgoleak", "-fromgoleak.exported", "-fix", "./...").CombinedOutput()
	require.NoError(t, err, "leakvet -fromgoleak -fix: %s", out)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		src, err := os.ReadFile(path)
		assert.NotContains(t, string(src), "go.uber.org/goleak", "%s still imports goleak", path)
		return err
	})
	require.NoError(t, err)

	// go mod tidy, against this repository's leakcheck.
	requireLeakcheck(t, dir)
	out, err = modCommand(dir, "mod", "tidy").CombinedOutput()
	require.NoError(t, err, "go mod tidy: %s", out)
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.NotContains(t, string(mod), "go.uber.org/goleak v", "go mod tidy drops goleak")

	out, err = modCommand(dir, "vet", "./...").CombinedOutput()
	require.NoError(t, err, "go vet: %s", out)

	out, err = modCommand(dir, "test", "-count=1", "./clean", "./cleanupmain").CombinedOutput()
	assert.NoError(t, err, "the tests that goleak passed, and TestParallel, pass: %s", out)
	out, err = modCommand(dir, "test", "-count=1", "-v", "./cleanupmain").CombinedOutput()
	assert.NoError(t, err, "output:\n%s", out)
	assert.Contains(t, string(out), "cleanup ran with 0", "the goleak.Cleanup function still runs")

	out, err = modCommand(dir, "test", "-count=1", "./leaky").CombinedOutput()
	assert.Equal(t, 1, exitCode(t, err), "the leak still fails the test; output:\n%s", out)
	assert.Contains(t, string(out), "leakcheck: TestLeaks leaked 1 goroutine")
	assert.Contains(t, string(out), "started by: example.com/goleakmod/leaky.Send")
}
