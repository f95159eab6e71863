package leakcheck_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiUpdateEnv rewrites testdata/api.txt from the code, for a change of
// the API made on purpose.
const apiUpdateEnv = "LEAKCHECK_UPDATE_API"

// The package's API, as "go doc -all" shows it, is what testdata/api.txt
// records: moving code behind it, or into internal packages, must change
// nothing a user reads.
func TestAPIUnchanged(t *testing.T) {
	out, err := exec.Command("go", "doc", "-all", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	golden := filepath.Join("testdata", "api.txt")
	if os.Getenv(apiUpdateEnv) == "1" {
		require.NoError(t, os.WriteFile(golden, out, 0o666))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(out), "the API changed; if on purpose, run the test with %s=1 and commit %s", apiUpdateEnv, golden)
}
