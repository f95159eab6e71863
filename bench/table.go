package main

import (
	"fmt"
	"strings"
	"time"
)

// printResults writes the tables in Markdown, ready for BENCHMARKS.md.
func printResults(res *results, others []*results) {
	if len(res.Check) > 0 {
		fmt.Fprintf(out, "\n## 1. Passing check per test, and 5. one raw dump (%s)\n\n", res.Toolchain)
		fmt.Fprintln(out, "Net of the same subtest without a check. Ratios: goleak ÷ leakcheck (higher is better for leakcheck), leakcheck ÷ raw dump (target ≤ 1.5 at 10k).")
		fmt.Fprintln(out)
		row("goroutines", "the test", "raw dump", "leakcheck", "goleak", "goleak ÷ leakcheck", "leakcheck ÷ dump", "allocs leakcheck", "allocs goleak", "bytes leakcheck", "bytes goleak", "rounds × subtests")
		row("---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:")
		for _, r := range res.Check {
			row(count(r.N), r.Body, dur(r.Dump), dur(r.Leakcheck), dur(r.Goleak), ratio(r.Goleak, r.Leakcheck), ratio(r.Leakcheck, r.Dump),
				fmt.Sprintf("%.0f", r.LeakcheckAllocs), fmt.Sprintf("%.0f", r.GoleakAllocs),
				size(r.LeakcheckBytes), size(r.GoleakBytes), fmt.Sprintf("%d × %d", r.Rounds, r.PerRound))
		}
	}
	if len(res.Package) > 0 {
		fmt.Fprintf(out, "\n## 2. A package of small tests, each checked (%s)\n\n", res.Toolchain)
		fmt.Fprintln(out, "Wall time of the prebuilt test binary (median of runs), and the overhead over no check scaled to 1,000 tests.")
		fmt.Fprintln(out)
		row("goroutines", "tests run", "no check", "leakcheck", "goleak", "leakcheck overhead / 1,000 tests", "goleak overhead / 1,000 tests", "goleak ÷ leakcheck", "runs")
		row("---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:")
		for _, r := range res.Package {
			lc, gl := r.overhead(r.Leakcheck), r.overhead(r.Goleak)
			row(count(r.N), count(r.Tests), dur(r.None), dur(r.Leakcheck), dur(r.Goleak), dur(lc), dur(gl), ratio(gl, lc), fmt.Sprint(r.Reps))
		}
	}
	all := append([]*results{res}, others...)
	for _, r := range all {
		if len(r.Report) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n## 3. Time to report a leak (%s)\n\n", r.Toolchain)
		fmt.Fprintln(out, "One goroutine blocked forever sending on a channel nobody holds; time from the end of the test to its failure (median).")
		fmt.Fprintln(out)
		row("goroutines", "leakcheck", "goleak", "goleak ÷ leakcheck", "both failed the test", "runs")
		row("---:", "---:", "---:", "---:", "---", "---:")
		borrowed := false
		for _, x := range r.Report {
			goleakTime := dur(x.Goleak)
			if x.Goleak == 0 && r != res {
				// Not measured in this child (see measureReports): goleak
				// has no use for the leak profile, so the main run's
				// figure stands for it.
				if m, ok := reportFor(res, x.N); ok {
					x.Goleak, x.GoleakFailed = m.Goleak, m.GoleakFailed
					goleakTime, borrowed = dur(x.Goleak)+" *", true
				}
			}
			row(count(x.N), dur(x.Leakcheck), goleakTime, ratio(x.Goleak, x.Leakcheck), yesNo(x.LeakcheckFailed && x.GoleakFailed), fmt.Sprint(x.Reps))
		}
		if borrowed {
			fmt.Fprintf(out, "\n\\* goleak measured once, in the %s run above: it makes no use of the leak profile.\n", res.Toolchain)
		}
	}
	for _, r := range all {
		if len(r.Exit) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n## 4. Goroutines that exit after the test (%s)\n\n", r.Toolchain)
		fmt.Fprintln(out, "A goroutine blocked on a channel that is closed some time after the test returns. Passed: runs that passed; took: end of test to verdict; overshoot: exit to verdict, over passing runs (medians).")
		fmt.Fprintln(out)
		row("goroutines", "exits after", "leakcheck passed", "took", "overshoot", "goleak passed", "took", "overshoot")
		row("---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:")
		for _, x := range r.Exit {
			row(count(x.N), dur(x.After),
				passed(x.Leakcheck), dur(x.Leakcheck.Took), overshoot(x.Leakcheck),
				passed(x.Goleak), dur(x.Goleak.Took), overshoot(x.Goleak))
		}
	}
}

func row(cells ...string) {
	fmt.Fprintf(out, "| %s |\n", strings.Join(cells, " | "))
}

func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func size(b float64) string {
	switch {
	case b < 1<<10:
		return fmt.Sprintf("%.0f B", b)
	case b < 1<<20:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", b/(1<<20))
}

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func passed(o exitOutcome) string {
	return fmt.Sprintf("%d/%d", o.Passed, o.Reps)
}

func overshoot(o exitOutcome) string {
	if o.Passed == 0 {
		return "–"
	}
	return dur(o.Overshoot)
}

// reportFor returns r's scenario 3 figures for n goroutines.
func reportFor(r *results, n int) (reportResult, bool) {
	for _, x := range r.Report {
		if x.N == n {
			return x, true
		}
	}
	return reportResult{}, false
}
