package leakcheck

import (
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// publishLeaks writes the machine-readable forms of a failing verdict and
// returns text to append to the human report (such as where a profile
// was written). t is nil for VerifyTestMain and Find.
//
// Writing is best effort: a problem is told in the returned text, and
// never hides the leak report itself.
func publishLeaks(t testing.TB, subject string, v verdict) string {
	if len(v.leaks) == 0 {
		return ""
	}
	profileDir := profileDirFor(t)
	jsonPath := os.Getenv(JSONEnv)
	if profileDir == "" && jsonPath == "" {
		return ""
	}
	groups := publishedGroups(t, v)
	var b strings.Builder
	var profilePath string
	if profileDir != "" {
		path, err := writeProfile(profileDir, profileBaseName(t), groups, subject)
		if err != nil {
			fmt.Fprintf(&b, "\nleakcheck: could not write the goroutine profile: %v\n", err)
		} else {
			profilePath = path
			fmt.Fprintf(&b, "\nGoroutine profile of the leak: %s\n    see it as a flame graph with: go tool pprof -http=: %s\n", path, path)
		}
	}
	if jsonPath != "" {
		if err := appendJSONLines(jsonPath, jsonRecords(groups, subject, v.waited, profilePath)); err != nil {
			fmt.Fprintf(&b, "\nleakcheck: could not append the leak to %s=%s: %v\n", JSONEnv, jsonPath, err)
		}
	}
	return b.String()
}

// A pubGroup is one kind of leak as the machine-readable outputs show it:
// goroutines with one fingerprint, owned by one test.
type pubGroup struct {
	test        string
	fingerprint string
	goroutines  []*Goroutine
}

// publishedGroups splits the verdict's fingerprint groups by owning test:
// the checked test for Verify, or the test each goroutine is attributed
// to for VerifyTestMain. Order: as groupLeaks sorts them.
func publishedGroups(t testing.TB, v verdict) []*pubGroup {
	var r *resolver
	if t == nil && v.snap != nil {
		r = newResolver(v.snap)
	}
	var out []*pubGroup
	for _, gr := range groupLeaks(v.leaks) {
		fp := shortFingerprint(gr.goroutines[0])
		byTest := make(map[string]*pubGroup)
		for _, g := range gr.goroutines {
			var test string
			switch {
			case t != nil:
				test = t.Name()
			case r != nil:
				test = r.testName(g)
			}
			pg := byTest[test]
			if pg == nil {
				pg = &pubGroup{test: test, fingerprint: fp}
				byTest[test] = pg
				out = append(out, pg)
			}
			pg.goroutines = append(pg.goroutines, g)
		}
	}
	return out
}

// shortFingerprint condenses the fingerprint into 16 hex digits that stay
// the same from run to run and machine to machine: it is made of function
// names and the state only, never of addresses, IDs or line numbers.
func shortFingerprint(g *Goroutine) string {
	h := fnv.New64a()
	h.Write([]byte(g.fingerprint()))
	return fmt.Sprintf("%016x", h.Sum64())
}

// profileDirFor returns the directory for the profile of t's leak, or ""
// when no profile is wanted: LEAKCHECK_PROFILE_DIR if set, else, when the
// test binary runs with -artifacts, t's ArtifactDir, or for
// VerifyTestMain the _artifacts directory of the output directory.
func profileDirFor(t testing.TB) string {
	if dir := os.Getenv(ProfileDirEnv); strings.TrimSpace(dir) != "" {
		return dir
	}
	if !artifactsEnabled() {
		return ""
	}
	if t != nil {
		return t.ArtifactDir()
	}
	out := ""
	if f := flag.Lookup("test.outputdir"); f != nil {
		out = f.Value.String()
	}
	return filepath.Join(out, "_artifacts")
}

// artifactsEnabled reports whether the test binary runs with -artifacts
// (go test -artifacts, go1.26 and later).
func artifactsEnabled() bool {
	f := flag.Lookup("test.artifacts")
	return f != nil && f.Value.String() == "true"
}

// profileBaseName names the profile file, without extension: "leak" in a
// test's own artifact directory, else the binary's and the test's names,
// made safe for any file system.
func profileBaseName(t testing.TB) string {
	if os.Getenv(ProfileDirEnv) == "" && t != nil {
		return "leak" // ArtifactDir is the test's own
	}
	test := "TestMain"
	if t != nil {
		test = t.Name()
	}
	return safeFileName(binaryName() + "." + test)
}

// maxFileName bounds the names of the files written, well below the 255
// bytes most file systems allow, leaving room for a sequence number.
const maxFileName = 120

// safeFileName turns s, such as a subtest name chosen by the user, into a
// single path element: no separators, no "..", no leading dot or dash,
// nothing but ASCII letters, digits, '.', '-' and '_'. Names too long are
// cut and made unique again with a hash of the whole.
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		case r == '/':
			b.WriteString("__") // as testing names artifact directories
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	for strings.Contains(name, "..") {
		name = strings.ReplaceAll(name, "..", "_")
	}
	name = strings.TrimLeft(name, ".-")
	if name == "" {
		name = "leak"
	}
	if len(name) > maxFileName {
		h := fnv.New64a()
		h.Write([]byte(s))
		name = fmt.Sprintf("%s-%016x", name[:maxFileName-17], h.Sum64())
	}
	return name
}

// createUnique creates a new file in dir named base+ext, or base.N+ext
// for the first N that is free, so that repeated runs (-count) and test
// binaries running at once never overwrite each other's files. dir is
// created if missing.
func createUnique(dir, base, ext string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	for n := 1; n <= 1000; n++ {
		name := base + ext
		if n > 1 {
			name = fmt.Sprintf("%s.%d%s", base, n, ext)
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !os.IsExist(err) {
			return f, err
		}
	}
	return os.CreateTemp(dir, base+".*"+ext)
}

// packagePath is the import path of the package under test, from the
// test binary's build information ("example.com/pkg.test"), or "".
var packagePath = func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return strings.TrimSuffix(bi.Path, ".test")
}()

// seconds renders a duration for the JSON records, to the millisecond.
func seconds(d time.Duration) float64 {
	return float64(d.Milliseconds()) / 1000
}
