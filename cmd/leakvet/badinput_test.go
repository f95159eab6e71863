package main_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A package that imports "C" is checked: its Go code is analysed, and a
// finding is reported at its own line, not hidden as generated code in
// the files cgo writes.
func TestCgoPackage(t *testing.T) {
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("cgo is not enabled")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler")
	}
	bin := buildLeakvet(t)
	out, code := runIn(t, bin, "./cgo")
	assert.Equal(t, 3, code, "output:\n%s", out)
	assert.Contains(t, out, "cgo.go:25:11: `c.mu` is locked at cgo.go:18 and locked again at cgo.go:25")
	assert.NotContains(t, out, "panic")
}

// A function of tens of thousands of lines (a generated table, a long
// else-if chain) is analysed to the end without a false finding.
func TestHugeFunction(t *testing.T) {
	bin := buildLeakvet(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/huge\n\ngo 1.22\n"), 0o644))
	var src strings.Builder
	src.WriteString("package huge\n\nimport \"sync\"\n\ntype S struct {\n\tmu  sync.Mutex\n\tmus [8]sync.Mutex\n\tn   int\n}\n\n")
	src.WriteString("func (s *S) helper(i int) {\n\ts.mus[i%8].Lock()\n\ts.mus[i%8].Unlock()\n}\n\n")
	src.WriteString("func (s *S) Huge(x []int, events chan int) int {\n")
	for i := range 3000 {
		fmt.Fprintf(&src, "\tif x[%d] > %d {\n\t\ts.mu.Lock()\n\t\ts.n += %d\n\t\ts.mu.Unlock()\n\t} else if x[%d] == %d {\n\t\ts.helper(%d)\n\t}\n",
			i%50, i, i, (i+1)%50, i, i)
	}
	src.WriteString("\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn s.n\n}\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "huge.go"), []byte(src.String()), 0o644))

	out, code := runAt(t, dir, bin, "./...")
	assert.Equal(t, 0, code, "output:\n%s", out)
	assert.Empty(t, out)
}
