package leakcheck

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func leakForOptions(stop chan struct{}) { <-stop }

// The options of VerifyTestMain apply to every Verify of the binary,
// before the check's own: ignore rules add up, the check's own MaxWait
// replaces the binary's, and CheckOnFailure stays VerifyTestMain's.
func TestTestMainOptionsApplyToVerify(t *testing.T) {
	testenv.RequireGo(t, testenv.GoLabels, "owning goroutines whose creator exited (pprof labels in the dump)")
	stop := make(chan struct{})
	defer close(stop)
	var inside, outside string
	code := runMain(fakeM(func() int {
		r := testenv.NewRecorder(t, "TestIgnoredByTestMain")
		Verify(r)
		go leakForOptions(stop)
		r.Finish()
		inside = r.AllErrors()

		cfg := buildConfig([]Option{MaxWait(time.Second)})
		assert.Equal(t, time.Second, cfg.MaxWait, "the check's own MaxWait wins")
		assert.False(t, cfg.CheckOnFail)
		assert.Empty(t, cfg.Errs)
		assert.Equal(t, 30*time.Millisecond, buildConfig(nil).MaxWait)
		return 0
	}), os.Stderr, []Option{IgnoreTopFunction("github.com/leakcheck/leakcheck.leakForOptions"), MaxWait(30 * time.Millisecond), CheckOnFailure()})
	assert.Equal(t, 0, code)
	assert.Empty(t, inside, "VerifyTestMain's ignore rule applies to Verify")

	r := testenv.NewRecorder(t, "TestAfterTestMain")
	Verify(r, fast)
	go leakForOptions(stop)
	r.Finish()
	outside = r.AllErrors()
	assert.Contains(t, outside, "leakcheck: TestAfterTestMain leaked 1 goroutine", "the options end with VerifyTestMain")
}

// ProfileDir and JSONFile write the outputs of a failing check; the
// environment variables, when set, win.
func TestOutputOptions(t *testing.T) {
	dir := t.TempDir()
	stop := make(chan struct{})
	defer close(stop)
	check := func(name string, opts ...Option) string {
		r := testenv.NewRecorder(t, name)
		Verify(r, append(opts, fast)...)
		go leakForOptions(stop)
		r.Finish()
		return r.AllErrors()
	}
	out := check("TestOptions", ProfileDir(filepath.Join(dir, "profiles")), JSONFile(filepath.Join(dir, "leaks.jsonl")))
	assert.Contains(t, out, "Goroutine profile of the leak: "+filepath.Join(dir, "profiles"))
	profiles, err := filepath.Glob(filepath.Join(dir, "profiles", "*.pb.gz"))
	require.NoError(t, err)
	assert.Len(t, profiles, 1)
	data, err := os.ReadFile(filepath.Join(dir, "leaks.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"test":"TestOptions"`)

	t.Setenv(ProfileDirEnv, filepath.Join(dir, "env-profiles"))
	t.Setenv(JSONEnv, filepath.Join(dir, "env.jsonl"))
	check("TestEnvWins", ProfileDir(filepath.Join(dir, "profiles")), JSONFile(filepath.Join(dir, "leaks.jsonl")))
	profiles, err = filepath.Glob(filepath.Join(dir, "profiles", "*.pb.gz"))
	require.NoError(t, err)
	assert.Len(t, profiles, 1, "nothing more in the option's directory")
	envProfiles, err := filepath.Glob(filepath.Join(dir, "env-profiles", "*.pb.gz"))
	require.NoError(t, err)
	assert.Len(t, envProfiles, 1)
	data, err = os.ReadFile(filepath.Join(dir, "env.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"test":"TestEnvWins"`)

	assert.Contains(t, check("TestEmptyProfileDir", ProfileDir(" ")), "leakcheck: ProfileDir: empty directory name")
	assert.Contains(t, check("TestEmptyJSONFile", JSONFile("")), "leakcheck: JSONFile: empty file name")
}
