package publish

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/leakcheck/leakcheck/internal/report"
)

// ProfileDirFor returns the directory for the profile of t's leak, or ""
// when no profile is wanted: LEAKCHECK_PROFILE_DIR if set, else the
// ProfileDir option, else, when the test binary runs with -artifacts, t's
// ArtifactDir, or for VerifyTestMain the _artifacts directory of the
// output directory. own reports whether the directory is t's own.
func ProfileDirFor(t testing.TB, option string) (dir string, own bool) {
	if dir := os.Getenv(ProfileDirEnv); strings.TrimSpace(dir) != "" {
		return dir, false
	}
	if option != "" {
		return option, false
	}
	if !artifactsEnabled() {
		return "", false
	}
	if a, ok := t.(interface{ ArtifactDir() string }); ok {
		return a.ArtifactDir(), true // testing.T.ArtifactDir, go1.26
	}
	out := ""
	if f := flag.Lookup("test.outputdir"); f != nil {
		out = f.Value.String()
	}
	return filepath.Join(out, "_artifacts"), false
}

// artifactsEnabled reports whether the test binary runs with -artifacts
// (go test -artifacts, go1.26 and later).
func artifactsEnabled() bool {
	f := flag.Lookup("test.artifacts")
	return f != nil && f.Value.String() == "true"
}

// ProfileBaseName names the profile file, without extension: "leak" in a
// test's own artifact directory, else the binary's and the test's names,
// made safe for any file system.
func ProfileBaseName(t testing.TB, ownDir bool) string {
	if ownDir {
		return "leak"
	}
	test := "TestMain"
	if t != nil {
		test = t.Name()
	}
	return SafeFileName(BinaryName() + "." + test)
}

// WriteProfile writes the profile of groups to a new file in dir and
// returns its path.
func WriteProfile(dir, base string, groups []*Group, subject string, mem Memory) (string, error) {
	f, err := CreateUnique(dir, base, ".pb.gz")
	if err != nil {
		return "", err
	}
	path := f.Name()
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	err = profileOf(groups, subject, time.Now(), mem).Write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return path, nil
}

// profileOf renders the groups of a failing check as a goroutine
// profile whose samples carry the labels documented at ProfileDirEnv.
func profileOf(groups []*Group, subject string, now time.Time, mem Memory) *profile.Profile {
	pgs := make([]report.ProfileGroup, len(groups))
	for i, gr := range groups {
		pgs[i] = report.ProfileGroup{
			Labels:     map[string]string{"test": gr.Test, "fingerprint": gr.Fingerprint},
			Goroutines: gr.Goroutines,
		}
		if held, ok := heldOf(mem, gr); ok {
			pgs[i].Held = int64(held.Total())
		}
	}
	return report.BuildProfile(pgs, "leakcheck: goroutines leaked by "+subject, now)
}

// AddHeldToProfile adds, to the profile at path that a failing check
// wrote, the memory its kinds of leak hold, by rerunKind key: the sample
// value "held", as profileOf would have written it.
func AddHeldToProfile(path string, held func(test, fingerprint string) uint64) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	p, err := profile.ParseData(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	index := make(map[string]int)
	var bytes []int64
	groupOf := make([]int, len(p.Sample))
	for i, s := range p.Sample {
		test, fingerprint := first(s.Label["test"]), first(s.Label["fingerprint"])
		key := test + "\x00" + fingerprint
		g, ok := index[key]
		if !ok {
			g = len(bytes)
			index[key] = g
			bytes = append(bytes, int64(held(test, fingerprint)))
		}
		groupOf[i] = g
	}
	report.AddHeld(p, groupOf, bytes)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = p.Write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

func BinaryName() string {
	name := filepath.Base(os.Args[0])
	return strings.TrimSuffix(strings.TrimSuffix(name, ".exe"), ".test")
}
