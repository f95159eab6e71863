// Package baseline reads and writes the baseline: the kinds of goroutine
// the tests of a package are known to leave behind, which checks accept
// (LEAKCHECK_BASELINE) or record (LEAKCHECK_BASELINE_UPDATE).
package baseline

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// baselineFormat begins the first line of a baseline file this leakcheck
// writes: the format number follows. Format 1 had no such line; format 2
// keyed kinds by all their innermost frames, the runtime's included
// (report.StackFingerprint), format 3 by the program's
// (report.ProgramFingerprint).
// BaselineEnv and BaselineUpdateEnv are the package leakcheck's
// variables of the same names.
const (
	BaselineEnv       = "LEAKCHECK_BASELINE"
	BaselineUpdateEnv = "LEAKCHECK_BASELINE_UPDATE"
)

const (
	baselineFormat     = "# leakcheck baseline, format "
	baselineFormat2    = "2"
	baselineFormatThis = "3"
)

// baselineGoLine begins a line naming a version of Go that recorded into
// the file: runtime.Version follows.
const baselineGoLine = "# recorded with "

// baselineHeader opens every baseline file this leakcheck creates.
const baselineHeader = baselineFormat + baselineFormatThis + `: one kind of goroutine a line that the tests of a package leave behind:
# its key (a hash of the innermost functions of the program's own code and of its creator), the package,
# then for people the test that showed it, what it is (leak, slow exit, singleton), where it waits and
# who starts it.
`

// A File is a loaded baseline file, shared by the checks that name
// it.
type File struct {
	path   string
	update bool

	mu      sync.Mutex
	known   map[string]string // this package's keys -> their line
	seen    map[string]bool   // known keys that occurred
	written map[string]bool   // keys written by this process
	existed bool              // the file existed when loaded
	marked  bool              // the file has its format line
	format  string            // the format of its keys
	// goVersions are the versions of Go the file says recorded it,
	// in its order; goNamed reports that this process's version is
	// among them or was added, and goTold that a report said it is not.
	goVersions []string
	goNamed    bool
	goTold     bool
	// placeTold reports that a recording said the file sits where the
	// package's own tests may see it.
	placeTold bool
	// otherGo names the versions that recorded the file when the
	// running version was not among them as it was loaded: kinds whose
	// keys the change of Go altered fail as new leaks.
	otherGo string
}

// A Registry holds the baselines loaded, by path, so that the checks
// that name one share it. The zero Registry is empty and ready.
type Registry struct {
	sync.Mutex
	byPath map[string]*File
}

// Open returns the baseline at path, loading it on first use.
func (baselines *Registry) Open(path string, update bool) (*File, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	baselines.Lock()
	defer baselines.Unlock()
	if b := baselines.byPath[path]; b != nil && b.update == update {
		return b, nil
	}
	b := &File{path: path, update: update, known: map[string]string{}, seen: map[string]bool{}, written: map[string]bool{}, format: baselineFormatThis}
	if err := b.load(); err != nil {
		return nil, err
	}
	if baselines.byPath == nil {
		baselines.byPath = make(map[string]*File)
	}
	baselines.byPath[path] = b
	return b, nil
}

// load reads the entries of this package from the file.
func (b *File) load() error {
	f, err := os.Open(b.path)
	if errors.Is(err, os.ErrNotExist) && b.update {
		return nil // the checks will write it
	}
	if err != nil {
		return fmt.Errorf("leakcheck: baseline: %v", err)
	}
	defer f.Close()
	pf, err := parseBaseline(f, b.path, baselinePackage())
	if err != nil {
		return err
	}
	b.known, b.existed, b.marked, b.goVersions = pf.known, true, pf.format != "", pf.goVersions
	if pf.format != "" {
		b.format = pf.format
	}
	b.goNamed = slices.Contains(b.goVersions, runtime.Version())
	if !b.goNamed && len(b.goVersions) > 0 {
		b.otherGo = strings.Join(b.goVersions, ", ")
	}
	return nil
}

// A parsedBaseline is what parseBaseline read from a file.
type parsedBaseline struct {
	known      map[string]string // the lines of the package, by key
	format     string            // from the format line; "" without one
	goVersions []string          // from the "# recorded with" lines
}

// parseBaseline reads a baseline file named name and returns the lines
// of package pkg by key, and whether the file has its format line. A
// line it cannot read is an error that names it: a baseline that
// silently lost entries would fail tests for leaks the team accepted,
// and one that gained some would hide them. So is a file of another
// format: its keys mean something else.
func parseBaseline(r io.Reader, name, pkg string) (parsedBaseline, error) {
	pf := parsedBaseline{known: make(map[string]string)}
	entries := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if format, ok := strings.CutPrefix(line, baselineFormat); ok {
			if format, _, _ = strings.Cut(format, ":"); format != baselineFormatThis && format != baselineFormat2 {
				return parsedBaseline{}, fmt.Errorf("leakcheck: baseline %s:%d: format %q, which this leakcheck does not read (it reads formats %s and %s); "+
					"delete the file and record it again with this leakcheck (%s)", name, n, format, baselineFormat2, baselineFormatThis, BaselineUpdateEnv)
			}
			if pf.format != "" && pf.format != format {
				return parsedBaseline{}, fmt.Errorf("leakcheck: baseline %s:%d: format %s after format %s: the file mixes keys of two formats;"+
					" delete it and record it again (%s)", name, n, format, pf.format, BaselineUpdateEnv)
			}
			pf.format = format
			continue
		}
		if v, ok := strings.CutPrefix(line, baselineGoLine); ok {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(pf.goVersions, v) {
				pf.goVersions = append(pf.goVersions, v)
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || !IsFingerprint(fields[0]) {
			return parsedBaseline{}, fmt.Errorf("leakcheck: baseline %s:%d: want a 16-digit hex key and a package path, then any text; got %q", name, n, line)
		}
		entries++
		if fields[1] == pkg {
			pf.known[fields[0]] = line
		}
	}
	if err := sc.Err(); err != nil {
		return parsedBaseline{}, fmt.Errorf("leakcheck: baseline %s: %v", name, err)
	}
	if entries > 0 && pf.format == "" {
		return parsedBaseline{}, fmt.Errorf("leakcheck: baseline %s was written by an earlier leakcheck, whose keys depended on the state"+
			" each goroutine was caught in (it has no %q line); delete it and record it again: %s=%s %s=1 go test ./...",
			name, baselineFormat+baselineFormatThis, BaselineEnv, name, BaselineUpdateEnv)
	}
	return pf, nil
}

func IsFingerprint(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// baselinePackage returns the package path of the lines this test binary
// reads and writes: runtimeread.PackagePath, or "-" where the toolchain does not say
// it (test binaries have build information from go1.24 on), for which
// every package that reads the file knows the lines marked "-".
func baselinePackage() string {
	if runtimeread.PackagePath == "" {
		return "-"
	}
	return runtimeread.PackagePath
}

// key returns the key of g's kind in the file's format.
func (b *File) key(g *stack.Goroutine) string {
	if b.format == baselineFormat2 {
		return report.StackFingerprint(g)
	}
	return report.ProgramFingerprint(g)
}

// Recording reports whether checks add what they find to the file.
func (b *File) Recording() bool { return b != nil && b.update }

// Split separates the goroutines of kinds the baseline knows from the
// others. A nil baseline knows none.
func (b *File) Split(gs []*stack.Goroutine) (unknown, known []*stack.Goroutine) {
	if b == nil {
		return gs, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, g := range gs {
		key := b.key(g)
		if _, ok := b.known[key]; ok {
			b.seen[key] = true
			known = append(known, g)
		} else {
			unknown = append(unknown, g)
		}
	}
	return unknown, known
}

// What a recorded kind of goroutine is, in its line.
const (
	recordedLeak      = "leak"
	recordedSlowExit  = "slow exit"
	recordedSingleton = "singleton"
)

// record appends to the file the kinds of gs not yet in it, one line
// each saying they are what, in one write, and returns the lines added.
func (b *File) record(test, what string, gs []*stack.Goroutine) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines []string
	for _, g := range gs {
		key := b.key(g)
		if _, ok := b.known[key]; ok {
			continue
		}
		line := fmt.Sprintf("%s %s %s: %s: %s", key, baselinePackage(), orUnknown(test), what, describeKind(g))
		lines = append(lines, line)
		b.known[key], b.written[key], b.seen[key] = line, true, true
	}
	if len(lines) == 0 {
		return nil, nil
	}
	return lines, b.append(strings.Join(lines, "\n") + "\n")
}

// append writes text at the end of the file in one write, creating the
// file with its format line if needed. Test binaries of several packages
// may record into one file at once: only the one that creates it writes
// the format line (not necessarily first: a reader finds it anywhere),
// and appends of one write each do not interleave.
func (b *File) append(text string) error {
	if err := os.MkdirAll(filepath.Dir(b.path), 0o777); err != nil {
		return err
	}
	// Appending also when creating: another binary may append between
	// the creation and this write, and its lines must stay.
	if !b.goNamed {
		text = baselineGoLine + runtime.Version() + "\n" + text
	}
	f, err := os.OpenFile(b.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o666)
	switch {
	case err == nil:
		text = baselineHeader + text
	case errors.Is(err, os.ErrExist):
		if b.existed && !b.marked {
			text = baselineHeader + text // an empty file, or only comments
		}
		f, err = os.OpenFile(b.path, os.O_WRONLY|os.O_APPEND, 0)
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		b.marked, b.goNamed = true, true
	}
	return err
}

// describeKind says, for people, what goroutines of g's kind do: where
// they wait, the program's own function that waits there when that is
// the standard library, and who starts them.
func describeKind(g *stack.Goroutine) string {
	if len(g.Frames) == 0 {
		return fmt.Sprintf("stack unknown, started by %s", g.CreatedBy.Function)
	}
	desc := g.TopFunction()
	if f, ok := report.CalledFrom(g); ok {
		desc += " in " + f.Function
	}
	if g.CreatedBy.Function != "" {
		desc += ", started by " + g.CreatedBy.Function
	}
	return desc
}

// unseen returns the lines of this package's known kinds that no check
// of this process saw, sorted.
func (b *File) unseen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines []string
	for key, line := range b.known {
		if !b.seen[key] {
			lines = append(lines, line)
		}
	}
	slices.Sort(lines)
	return lines
}

func orUnknown(test string) string {
	if test == "" {
		return "(test unknown)"
	}
	return test
}

// An Outcome is what a check found, as the baseline settles it.
type Outcome struct {
	Leaks      []*stack.Goroutine // failed unless recorded: Settle moves them to Known then
	Known      []*stack.Goroutine // of kinds the baseline knows: noted
	SlowExits  []*stack.Goroutine // recorded as slow exits
	Singletons []*stack.Goroutine // recorded as singletons
}

// Settle applies the baseline to a finished check of test: with
// BaselineUpdateEnv, it records the leaks left, the slow exits and the
// singletons in the file, and accepts the leaks. It returns a note on the
// known kinds for the test's log, or "".
func (b *File) Settle(test string, v *Outcome) string {
	if b == nil {
		return ""
	}
	var note strings.Builder
	if b.update {
		var added []string
		for _, rec := range []struct {
			what string
			gs   []*stack.Goroutine
		}{
			{recordedLeak, v.Leaks},
			// Goroutines not waited for may be caught on their way, at
			// frames other than where they wait: their kind is for a
			// later check, which sees them blocked, to record.
			{recordedSlowExit, blocked(v.SlowExits)},
			{recordedSingleton, blocked(v.Singletons)},
		} {
			lines, err := b.record(test, rec.what, rec.gs)
			if err != nil {
				// The leaks stay leaks: the check fails, and says why.
				fmt.Fprintf(&note, "leakcheck: could not add to the baseline %s: %v\n", b.path, err)
				return note.String()
			}
			added = append(added, lines...)
		}
		if len(added) > 0 {
			fmt.Fprintf(&note, "leakcheck: %s: added %s to the baseline %s (%s):\n",
				orUnknown(test), kinds(len(added)), b.path, BaselineUpdateEnv)
			for _, line := range added {
				note.WriteString("    " + line + "\n")
			}
			note.WriteString(b.placeNote())
		}
		v.Known, v.Leaks = append(v.Known, v.Leaks...), nil
	}
	if len(v.Leaks) > 0 || b.update {
		note.WriteString(b.goNote())
	}
	if len(v.Known) > 0 {
		groups := report.GroupByKind(v.Known)
		fmt.Fprintf(&note, "leakcheck: %s: %s of %s known to the baseline %s, not failed:\n",
			orUnknown(test), report.Plural(len(v.Known), "goroutine"), kinds(len(groups)), b.path)
		for _, gr := range groups {
			g := gr.First()
			fmt.Fprintf(&note, "    %s: %d %q: %s\n", b.key(g), gr.Size(), g.State, describeKind(g))
		}
	}
	return note.String()
}

// goNote says, the first time a check fails or records, that the file was
// recorded with another version of Go, and how to record it again with
// this one; "" otherwise.
func (b *File) goNote() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.otherGo == "" || b.goTold {
		return ""
	}
	b.goTold = true
	return fmt.Sprintf("leakcheck: the baseline %s was recorded with %s, and this is %s: where the change of Go altered"+
		" what a kind of goroutine runs, it fails as a new leak. To add this Go's kinds to the file, record again with it:\n"+
		"    %s=%s %s=1 go test -count=20 -shuffle=on ./...\n"+
		"(delete the file first to keep only this Go's).\n", b.path, b.otherGo, runtime.Version(), BaselineEnv, b.path, BaselineUpdateEnv)
}

// placeNote says, once, that the file sits in a directory of Go source
// files outside testdata, where tests that list or serve their package
// directory find it; "" otherwise.
func (b *File) placeNote() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.placeTold {
		return ""
	}
	b.placeTold = true
	dir := filepath.Dir(b.path)
	if filepath.Base(dir) == "testdata" {
		return ""
	}
	if sources, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(sources) == 0 {
		return ""
	}
	return fmt.Sprintf("leakcheck: the baseline %s is in a directory of Go source files, where tests that list or serve their package's"+
		" directory will find it; keep it under testdata, which Go's tools and tests leave alone: %s=%s\n",
		b.path, BaselineEnv, filepath.Join(dir, "testdata", filepath.Base(b.path)))
}

// RecordedWith returns the versions of Go that recorded the file when
// the running one is not among them, for the JSON lines; "" otherwise.
func (b *File) RecordedWith() string {
	if b == nil {
		return ""
	}
	return b.otherGo
}

// blocked returns the goroutines of gs that are not progressing.
func blocked(gs []*stack.Goroutine) []*stack.Goroutine {
	var b []*stack.Goroutine
	for _, g := range gs {
		if !stack.Progressing(g) {
			b = append(b, g)
		}
	}
	return b
}

// kinds renders a count of kinds: "1 kind", "5 kinds".
func kinds(n int) string { return report.Plural(n, "kind") }

// UnseenNote says which known leaks of the package no check of this
// process saw, for VerifyTestMain to print at the end; "" when all
// occurred.
func (b *File) UnseenNote() string {
	if b == nil {
		return ""
	}
	lines := b.unseen()
	if len(lines) == 0 {
		return ""
	}
	var note strings.Builder
	fmt.Fprintf(&note, "leakcheck: %s in the baseline %s did not occur in this run of %s;"+
		" if they are fixed, remove their lines (one that occurs only in some runs may just not have this time):\n",
		kinds(len(lines)), b.path, baselinePackage())
	for _, line := range lines {
		note.WriteString("    " + line + "\n")
	}
	return note.String()
}
