package leakcheck

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/leakcheck/leakcheck/internal/report"
)

// BaselineEnv names the environment variable of a baseline file: the
// leaks a team knows of and accepts for now, so that leakcheck can be
// turned on in a suite that already leaks. A check whose leaks are all in
// the baseline passes with a note, and stops waiting as soon as every
// remaining goroutine is known; a leak of a new kind fails as usual; and
// [VerifyTestMain] notes the known leaks of its package that did not
// occur, so that the file can shrink. The variable wins over the
// [Baseline] option.
//
// The file has one known leak a line: its fingerprint (as in the JSON
// lines of [JSONEnv]), the import path of the package whose tests leak
// it, and free text for people (the test and where the goroutines wait).
// Blank lines and lines starting with "#" are ignored. With
// [BaselineUpdateEnv] set, the checks write it.
const BaselineEnv = "LEAKCHECK_BASELINE"

// BaselineUpdateEnv names the environment variable that, set to "1",
// makes every check add the leaks it finds to the baseline file instead
// of failing, creating the file if needed. To record a baseline from
// scratch, or refresh one, remove the file and run the tests once with
// both variables set:
//
//	LEAKCHECK_BASELINE=$PWD/leakcheck.baseline LEAKCHECK_BASELINE_UPDATE=1 go test ./...
const BaselineUpdateEnv = "LEAKCHECK_BASELINE_UPDATE"

// A baseline is a loaded baseline file, shared by the checks that name
// it.
type baseline struct {
	path   string
	update bool

	mu      sync.Mutex
	known   map[string]string // this package's fingerprints -> their line
	seen    map[string]bool   // known fingerprints that occurred
	written map[string]bool   // fingerprints written by this process
}

// baselines holds the baseline files loaded by this process, by path:
// baselineFor fills and reads it.
var baselines struct {
	sync.Mutex
	byPath map[string]*baseline
}

// Baseline makes checks accept the known leaks listed in the file at
// path, as [BaselineEnv] describes; the environment variable, when set,
// wins. A relative path is relative to the test's package directory.
// Given to [VerifyTestMain], it serves every check of the test binary.
func Baseline(path string) Option {
	if strings.TrimSpace(path) == "" {
		return optionError(errors.New("leakcheck: Baseline: empty file name"))
	}
	return optionFunc(func(c *config) { c.baselinePath = path })
}

// resolveBaseline loads the baseline the environment or the options name
// into c.baseline, or records why it cannot.
func (c *config) resolveBaseline() {
	path := c.baselinePath
	if env := os.Getenv(BaselineEnv); strings.TrimSpace(env) != "" {
		path = env
	}
	update := false
	switch v := strings.TrimSpace(os.Getenv(BaselineUpdateEnv)); v {
	case "", "0":
	case "1":
		update = true
	default:
		c.errs = append(c.errs, fmt.Errorf("leakcheck: %s=%q: use 1 to add the leaks found to the baseline", BaselineUpdateEnv, v))
	}
	if path == "" {
		if update {
			c.errs = append(c.errs, fmt.Errorf("leakcheck: %s is set but no baseline file is named; set %s or use the Baseline option", BaselineUpdateEnv, BaselineEnv))
		}
		return
	}
	b, err := baselineFor(path, update)
	if err != nil {
		c.errs = append(c.errs, err)
		return
	}
	c.baseline = b
}

// baselineFor returns the baseline at path, loading it on first use.
func baselineFor(path string, update bool) (*baseline, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	baselines.Lock()
	defer baselines.Unlock()
	if b := baselines.byPath[path]; b != nil && b.update == update {
		return b, nil
	}
	b := &baseline{path: path, update: update, known: map[string]string{}, seen: map[string]bool{}, written: map[string]bool{}}
	if err := b.load(); err != nil {
		return nil, err
	}
	if baselines.byPath == nil {
		baselines.byPath = make(map[string]*baseline)
	}
	baselines.byPath[path] = b
	return b, nil
}

// load reads the entries of this package from the file.
func (b *baseline) load() error {
	f, err := os.Open(b.path)
	if errors.Is(err, os.ErrNotExist) && b.update {
		return nil // the checks will write it
	}
	if err != nil {
		return fmt.Errorf("leakcheck: baseline: %v", err)
	}
	defer f.Close()
	known, err := parseBaseline(f, b.path, packagePath)
	if err != nil {
		return err
	}
	b.known = known
	return nil
}

// parseBaseline reads a baseline file named name and returns the lines
// of package pkg by fingerprint. A line it cannot read is an error that
// names it: a baseline that silently lost entries would fail tests for
// leaks the team accepted, and one that gained some would hide them.
func parseBaseline(r io.Reader, name, pkg string) (map[string]string, error) {
	known := make(map[string]string)
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || !isFingerprint(fields[0]) {
			return nil, fmt.Errorf("leakcheck: baseline %s:%d: want a 16-digit hex fingerprint and a package path, then any text; got %q", name, n, line)
		}
		if fields[1] == pkg {
			known[fields[0]] = line
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("leakcheck: baseline %s: %v", name, err)
	}
	return known, nil
}

func isFingerprint(s string) bool {
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

// split separates the leaks the baseline knows from the others. A nil
// baseline knows none.
func (b *baseline) split(leaks []*Goroutine) (unknown, known []*Goroutine) {
	if b == nil {
		return leaks, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, g := range leaks {
		fp := report.Fingerprint(g)
		if _, ok := b.known[fp]; ok {
			b.seen[fp] = true
			known = append(known, g)
		} else {
			unknown = append(unknown, g)
		}
	}
	return unknown, known
}

// record appends the kinds of leaks not yet in the file, one line each,
// in one write, and returns how many it added.
func (b *baseline) record(test string, leaks []*Goroutine) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines strings.Builder
	added := 0
	for _, gr := range report.GroupByKind(leaks) {
		if _, ok := b.known[gr.Fingerprint]; ok || b.written[gr.Fingerprint] {
			continue
		}
		g := gr.First()
		line := fmt.Sprintf("%s %s %s: %d in %q at %s", gr.Fingerprint, packagePath, orUnknown(test), len(gr.Goroutines), g.State, g.TopFunction())
		lines.WriteString(line + "\n")
		b.known[gr.Fingerprint], b.written[gr.Fingerprint], b.seen[gr.Fingerprint] = line, true, true
		added++
	}
	if added == 0 {
		return 0, nil
	}
	if err := os.MkdirAll(filepath.Dir(b.path), 0o777); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(b.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return 0, err
	}
	_, err = f.WriteString(lines.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return added, err
}

// unseen returns the lines of this package's known leaks that no check of
// this process saw, sorted.
func (b *baseline) unseen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines []string
	for fp, line := range b.known {
		if !b.seen[fp] {
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

// settle applies the baseline to a finished check of test: with
// BaselineUpdateEnv, it records the leaks left in the file and accepts
// them. It returns a note on the known leaks for the test's log, or "".
func (b *baseline) settle(test string, v *verdict) string {
	if b == nil {
		return ""
	}
	var note strings.Builder
	if b.update && len(v.leaks) > 0 {
		added, err := b.record(test, v.leaks)
		if err != nil {
			// The leaks stay leaks: the check fails, and says why.
			fmt.Fprintf(&note, "leakcheck: could not add the leaks to the baseline %s: %v\n", b.path, err)
			return note.String()
		}
		fmt.Fprintf(&note, "leakcheck: %s: added %s to the baseline %s (%s)\n",
			orUnknown(test), report.Plural(added, "kind of leak"), b.path, BaselineUpdateEnv)
		v.known, v.leaks = append(v.known, v.leaks...), nil
	}
	if len(v.known) > 0 {
		kinds := report.GroupByKind(v.known)
		fmt.Fprintf(&note, "leakcheck: %s: %s of %s known to the baseline %s, not failed:\n",
			orUnknown(test), report.Plural(len(v.known), "goroutine"), report.Plural(len(kinds), "kind"), b.path)
		for _, gr := range kinds {
			fmt.Fprintf(&note, "    %s: %d in %q at %s\n", gr.Fingerprint, len(gr.Goroutines), gr.First().State, gr.First().TopFunction())
		}
	}
	return note.String()
}

// unseenNote says which known leaks of the package no check of this
// process saw, for VerifyTestMain to print at the end; "" when all
// occurred.
func (b *baseline) unseenNote() string {
	if b == nil {
		return ""
	}
	lines := b.unseen()
	if len(lines) == 0 {
		return ""
	}
	var note strings.Builder
	fmt.Fprintf(&note, "leakcheck: %s in the baseline %s did not occur in this run of %s; if they are fixed, remove their lines:\n",
		report.Plural(len(lines), "known leak"), b.path, packagePath)
	for _, line := range lines {
		note.WriteString("    " + line + "\n")
	}
	return note.String()
}
