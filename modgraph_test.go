package leakcheck_test

import (
	"archive/zip"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// servedVersion is the version of leakcheck the adoption test serves
// from the working tree.
const servedVersion = "v0.99.0"

// Adopting leakcheck in a library at go 1.22 that already depends on
// older versions of testify and google/pprof than a fresh install would
// pick changes no go line and no version it had: leakcheck's go.mod asks
// for the oldest Go and versions that work. The library's tests then
// vet and pass with leakcheck, offline, as a user's would.
func TestAdoptingChangesNoGoLineNorVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: runs go get, go mod tidy and go test on a module")
	}
	testenv.RequireLong(t, "end-to-end test: runs go get, go mod tidy and go test on testdata/consumer")
	dir := filepath.Join(t.TempDir(), "consumer")
	require.NoError(t, copyDir(filepath.Join("testdata", "consumer"), dir))
	proxy := filepath.Join(t.TempDir(), "proxy")
	serveWorkingTree(t, proxy)

	out, err := goOffline(dir, "", "mod", "download").CombinedOutput()
	if err != nil {
		t.Skipf("the consumer's dependencies are not in the module cache; run (cd testdata/consumer && go mod download) once, as .ci/run does: %s", out)
	}
	before := modFile(t, dir)

	require.NoError(t, os.Rename(filepath.Join(dir, "leakcheck_test.go.txt"), filepath.Join(dir, "leakcheck_test.go")))
	for _, args := range [][]string{
		{"get", "github.com/leakcheck/leakcheck@" + servedVersion},
		{"mod", "tidy"},
		{"vet", "./..."},
		{"test", "-count=1", "./..."},
	} {
		out, err := goOffline(dir, proxy, args...).CombinedOutput()
		require.NoError(t, err, "go %s: %s", strings.Join(args, " "), out)
	}

	after := modFile(t, dir)
	assert.Equal(t, "1.22", after.Go, "the go line")
	assert.Empty(t, after.Toolchain, "no toolchain line")
	versions := make(map[string]string)
	for _, r := range after.Require {
		versions[r.Path] = r.Version
	}
	for _, r := range before.Require {
		assert.Equal(t, r.Version, versions[r.Path], "the version of %s", r.Path)
	}
	assert.Equal(t, servedVersion, versions["github.com/leakcheck/leakcheck"])
}

// goMod is what "go mod edit -json" says of a go.mod file.
type goMod struct {
	Go, Toolchain string
	Require       []struct{ Path, Version string }
}

func modFile(t *testing.T, dir string) goMod {
	t.Helper()
	out, err := goOffline(dir, "", "mod", "edit", "-json").Output()
	require.NoError(t, err)
	var m goMod
	require.NoError(t, json.Unmarshal(out, &m))
	return m
}

// goOffline returns a go command run in dir that reads modules from proxy
// (a file:// module proxy) and from the module cache only.
func goOffline(dir, proxy string, args ...string) *exec.Cmd {
	cache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	proxies := "file://" + filepath.ToSlash(filepath.Join(strings.TrimSpace(string(cache)), "cache", "download"))
	if proxy != "" {
		proxies = "file://" + filepath.ToSlash(proxy) + "," + proxies
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY="+proxies, "GOFLAGS=-mod=mod", "GOSUMDB=off",
		"GONOSUMDB=", "GOPRIVATE=", "GOWORK=off", "GOTOOLCHAIN=local")
	return cmd
}

// serveWorkingTree writes a module proxy at dir that serves this module's
// working tree as github.com/leakcheck/leakcheck at servedVersion: the
// module zip holds what a release would, the files of this module and not
// those of the modules nested in it (cmd/leakvet, bench, testdata
// fixtures with a go.mod of their own).
func serveWorkingTree(t *testing.T, dir string) {
	t.Helper()
	const mod = "github.com/leakcheck/leakcheck"
	at := filepath.Join(dir, filepath.FromSlash(mod), "@v")
	require.NoError(t, os.MkdirAll(at, 0o777))
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(at, name), []byte(content), 0o666))
	}
	write("list", servedVersion+"\n")
	write(servedVersion+".info", `{"Version":"`+servedVersion+`","Time":"2026-01-01T00:00:00Z"}`)
	goMod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	write(servedVersion+".mod", string(goMod))

	f, err := os.Create(filepath.Join(at, servedVersion+".zip"))
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == "." {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" {
				return fs.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return fs.SkipDir // another module
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		w, err := zw.Create(mod + "@" + servedVersion + "/" + filepath.ToSlash(path))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

// copyDir copies the regular files of the tree src to dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o777)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o666)
	})
}
