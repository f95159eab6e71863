package golangci_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/leakcheck/leakcheck/cmd/leakvet/golangci"
)

func TestSettings(t *testing.T) {
	newPlugin, err := register.GetPlugin("leakvet")
	require.NoError(t, err)

	names := func(settings any) []string {
		t.Helper()
		p, err := newPlugin(settings)
		require.NoError(t, err)
		assert.Equal(t, register.LoadModeTypesInfo, p.GetLoadMode())
		as, err := p.BuildAnalyzers()
		require.NoError(t, err)
		var ns []string
		for _, a := range as {
			ns = append(ns, a.Name)
		}
		return ns
	}
	all := names(nil)
	assert.Subset(t, all, []string{"abandonedsend", "doublelock", "foreverloop", "lockorder", "missingverify", "tickerstop"})
	assert.NotContains(t, all, "fromgoleak", "fromgoleak rewrites code: never in a linter run")
	some := names(map[string]any{"disable": []string{"missingverify", "tickerstop"}})
	assert.NotContains(t, some, "missingverify")
	assert.NotContains(t, some, "tickerstop")
	assert.Contains(t, some, "doublelock")

	_, err = newPlugin(map[string]any{"disable": []string{"doublelocks"}})
	assert.ErrorContains(t, err, `settings.disable names "doublelocks", which is not one of its analyzers`)
	_, err = newPlugin(map[string]any{"disabled": []string{"doublelock"}})
	assert.ErrorContains(t, err, "disabled", "a misspelt setting must not be ignored")
}

// golangciVersion is the golangci-lint the test builds, as
// .custom-gcl.yml's version would.
const golangciVersion = "v2.15.0"

// TestCustomGolangciLint builds golangci-lint with the plugin, as
// golangci-lint custom does (a main package of golangci-lint's commands
// and a blank import of the plugin, built with the go command), and runs
// it on a fixture with a lock taken twice. It downloads golangci-lint's
// modules, so it runs only when LEAKVET_GOLANGCI=1 (.ci/run sets it).
func TestCustomGolangciLint(t *testing.T) {
	if os.Getenv("LEAKVET_GOLANGCI") != "1" {
		t.Skip("set LEAKVET_GOLANGCI=1 to build golangci-lint " + golangciVersion + " with the plugin")
	}
	leakvetModule, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/customgcl\n\ngo 1.26\n")
	write(t, filepath.Join(dir, "main.go"), `package main

import (
	"fmt"
	"os"

	"github.com/golangci/golangci-lint/v2/pkg/commands"

	_ "github.com/leakcheck/leakcheck/cmd/leakvet/golangci"
)

func main() {
	if err := commands.Execute(commands.BuildInfo{Version: "custom"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}
`)
	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %v:\n%s", args, out)
	}
	goCmd("mod", "edit",
		"-require=github.com/golangci/golangci-lint/v2@"+golangciVersion,
		"-require=github.com/leakcheck/leakcheck/cmd/leakvet@v0.0.0",
		"-replace=github.com/leakcheck/leakcheck/cmd/leakvet="+leakvetModule)
	bin := filepath.Join(dir, "custom-gcl")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	goCmd("build", "-o", bin, ".")

	fixture, err := filepath.Abs(filepath.Join("testdata", "fixture"))
	require.NoError(t, err)
	run := exec.Command(bin, "run", "./...")
	run.Dir = fixture
	run.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOPROXY=off")
	out, err := run.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "golangci-lint should report the double lock; output:\n%s", out)
	assert.Equal(t, 1, exit.ExitCode(), "output:\n%s", out)
	assert.Contains(t, string(out), "account.go:19:")
	assert.Contains(t, string(out), "`a.mu` is locked at account.go:12 and locked again at account.go:19 through `(*Account).Deposit` → `(*Account).audit`")
	assert.Contains(t, string(out), "(leakvet)")
}

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}
