package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildLeakvet builds this command into a temporary directory.
func buildLeakvet(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the go command")
	}
	bin := filepath.Join(t.TempDir(), "leakvet")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// goCommand returns a go command run in the fixture module, offline.
func goCommand(t *testing.T, args ...string) *exec.Cmd {
	dir, err := filepath.Abs(filepath.Join("testdata", "fixture"))
	require.NoError(t, err)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local")
	return cmd
}

// exitCode returns the exit status of a finished command, 0 on success.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

func TestGoVetVettool(t *testing.T) {
	bin := buildLeakvet(t)

	out, err := goCommand(t, "vet", "-vettool="+bin, "./leaky").CombinedOutput()
	assert.Equal(t, 1, exitCode(t, err), "go vet on leaky code should fail; output:\n%s", out)
	assert.Contains(t, string(out), "leaky.go:12:3: goroutine loops forever with no way to stop it")
	assert.Contains(t, string(out), "leaky.go:26:3: send on unbuffered channel ch blocks forever if the function returns at line 32")
	assert.Equal(t, 2, strings.Count(string(out), "leaky.go:"), "want exactly two findings; output:\n%s", out)

	out, err = goCommand(t, "vet", "-vettool="+bin, "./clean").CombinedOutput()
	assert.Equal(t, 0, exitCode(t, err), "go vet on clean code should pass; output:\n%s", out)
	assert.Empty(t, string(out))
}

func TestStandalone(t *testing.T) {
	bin := buildLeakvet(t)
	cmd := goCommand(t)
	cmd.Path, cmd.Args = bin, []string{bin, "./..."}
	out, err := cmd.CombinedOutput()
	// The analysis driver exits with status 3 when it reports diagnostics.
	assert.Equal(t, 3, exitCode(t, err), "output:\n%s", out)
	assert.Equal(t, 2, strings.Count(string(out), "leaky.go:"), "want exactly two findings; output:\n%s", out)
	assert.NotContains(t, string(out), "clean.go")
}

// runIn runs the built leakvet with args in testdata/blocking.
func runIn(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	return runAt(t, filepath.Join("testdata", "blocking"), bin, args...)
}

// runAt runs the built leakvet with args in dir, offline.
func runAt(t *testing.T, dir, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(t, err)
}

func TestBlockingBugs(t *testing.T) {
	bin := buildLeakvet(t)

	out, code := runIn(t, bin, "./locks")
	assert.Equal(t, 3, code, "output:\n%s", out)
	assert.Contains(t, out, "locks.go:20:11: `r.mu` is locked at locks.go:12 and locked again at locks.go:20 through `(*Registry).Add` → `(*Registry).has`: blocks forever")
	assert.Equal(t, 1, strings.Count(out, "locks.go:20:"), "one finding, however many callers; output:\n%s", out)
	assert.NotContains(t, out, "locks_gen.go", "generated files are not reported, by any analyzer")

	// A package that does not type-check: the type errors, said
	// plainly, exit status 1, and no finding from the half-read code.
	out, code = runIn(t, bin, "./broken")
	assert.Equal(t, 1, code, "output:\n%s", out)
	assert.Contains(t, out, "undefined: undefinedCall")
	assert.NotContains(t, out, "locked again")
	assert.NotContains(t, out, "panic")
}
