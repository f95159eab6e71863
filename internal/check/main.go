package check

import (
	"fmt"
	"io"
	"time"

	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// RunPackage runs the tests with m and checks the whole test binary after
// them, as VerifyTestMain does, reporting to w; it returns the exit code.
func RunPackage(m interface{ Run() int }, w io.Writer, cfg *Config) int {
	startDeadlockWatch()
	self := process.reader.SelfStack().ID
	before, err := process.reader.TakeSnapshot()
	if err != nil {
		fmt.Fprintln(w, err)
		return 1
	}
	rememberSnapshot(before)
	start := time.Now()
	code := m.Run()
	if process.measure.InRerun() {
		process.measure.CheckPackage(rerunFinder(nil, allExcept(cfg, self, before.SortedIDs())))
		return code
	}
	if err := cfg.Err(); err != nil {
		// Reported, and the check still runs with the valid options.
		fmt.Fprintln(w, err)
	}
	if code != 0 && !cfg.CheckOnFail {
		return code
	}
	if cfg.Err() != nil {
		code = 1
	}
	existed := before.SortedIDs()
	v, err := waitForLeaks(cfg, allExcept(cfg, self, existed))
	if err != nil {
		fmt.Fprintln(w, err)
		return 1
	}
	subject := "the tests of " + publish.BinaryName()
	note := v.settle(cfg.Baseline, subject)
	if len(v.leaks) > 0 {
		fmt.Fprint(w, failureReport(nil, cfg, subject, v, unnamedNote(v), process.measure.RerunOfPackage(start, v.waited)))
		if code == 0 {
			code = 1
		}
	}
	if len(v.leaks) == 0 {
		note = formatNotes(v) + note
	}
	fmt.Fprint(w, note, cfg.Baseline.UnseenNote())
	return code
}

// findSubject names what Find checked, for its report: the whole program,
// and, called inside a test, the test it was called in, so that a report
// that names that test's goroutines does not read as a process-wide one.
func findSubject(self *stack.Goroutine) string {
	for _, f := range self.Frames {
		if name := owner.TestFunctionName(f.Function); name != "" {
			return "the program, checked by Find in " + name + ","
		}
	}
	return "the program"
}

// allExcept classifies as leaks all goroutines but the caller (self),
// those in the sorted ID list existed, and those cfg ignores: the
// process-wide check of VerifyTestMain and Find.
func allExcept(cfg *Config, self uint64, existed []uint64) classifier {
	return func(s *runtimeread.Snapshot) (leaks, _ []*stack.Goroutine) {
		for i := range s.Goroutines {
			g := &s.Goroutines[i]
			if g.ID != self && !runtimeread.ContainsID(existed, g.ID) && !cfg.Ignored(g) {
				leaks = append(leaks, g)
			}
		}
		return leaks, nil
	}
}

// Find waits for all goroutines but the caller's to finish, as
// leakcheck.Find does, and returns those still running with the report.
func Find(cfg *Config) (leaks []*stack.Goroutine, report string, err error) {
	self := process.reader.SelfStack()
	v, err := waitForLeaks(cfg, allExcept(cfg, self.ID, nil))
	if err != nil || len(v.leaks) == 0 {
		return nil, "", err
	}
	return v.leaks, failureReport(nil, nil, findSubject(&self), v, "", nil), nil
}

// TakeSnapshot reads every goroutine alive now, as IgnoreCurrent does.
func TakeSnapshot() (*runtimeread.Snapshot, error) { return process.reader.TakeSnapshot() }
