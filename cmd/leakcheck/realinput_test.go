package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests below run the built command on inputs made the way users get
// them: real dumps of real programs, then pasted, quoted, cut or bloated
// as they are in issues and terminals.

// runGo runs the go command in dir and returns its standard output.
func runGo(t *testing.T, dir string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go %v", args)
	return out
}

// writeTemp writes data to a file in the test's temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o666))
	return p
}

// A module whose path has no dot ("distributed-kv") is the program's own
// code, not the standard library: rows name its frame, not the runtime's.
func TestDotlessModule(t *testing.T) {
	lc, _ := binaries(t)
	dump := writeTemp(t, "dump.txt", runGo(t, filepath.Join("testdata", "dotless"), nil, "run", "."))
	r := leakcheck(t, lc, nil, "inspect", dump)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `150  sync.Mutex.Lock +distributed-kv/consensus.\(\*Node\).Propose at \S+/consensus/consensus.go:15\n`, r.stdout)
	assert.NotContains(t, r.stdout, "runtime_SemacquireMutex at")

	r = leakcheck(t, lc, nil, "inspect", "-wait", "0", dump)
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, "called from: distributed-kv/consensus.(*Node).Propose at ")
}
