// Command adopt measures the README's path from "turned on" to "green"
// on the fixture suite testdata/e2e/leakysuite, whose tests leave
// goroutines behind as fasthttp's did: each step's wall time and failing
// tests, with the suite as it was run side by side with the checked runs,
// so that the ratio holds whatever else the machine is doing.
//
// Usage, from the bench directory:
//
//	go run ./adopt                           # the table, about 3 minutes on 2 cores
//	GOTOOLCHAIN=go1.27.4 go run ./adopt      # the same on another toolchain
//	go run ./adopt -root DIR                 # the fixture in another leakcheck tree
//	go run ./adopt -quick                    # the path alone, 3 checked runs (for CI)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

var (
	root    = flag.String("root", "..", "the leakcheck tree whose testdata/e2e/leakysuite to build")
	runs    = flag.Int("runs", 10, "shuffled runs with the baseline, each beside a run of the suite as it was")
	records = flag.Int("record-count", 20, "-count of the run that records the baseline")
	quick   = flag.Bool("quick", false, "skip the slow steps before the baseline, and make 3 checked runs")
)

const fixture = "testdata/e2e/leakysuite"

func main() {
	flag.Parse()
	if *quick {
		*runs = 3
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "adopt:", err)
		os.Exit(1)
	}
}

func run() error {
	dir, err := os.MkdirTemp("", "adopt")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "leakysuite.test")
	build := exec.Command("go", "test", "-c", "-o", bin, "./"+fixture)
	build.Dir = *root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c: %v\n%s", err, out)
	}
	version, _ := exec.Command("go", "env", "GOVERSION").Output()
	experiment, _ := exec.Command("go", "env", "GOEXPERIMENT").Output()
	fmt.Printf("%s %s, fixture %s of %s\n\n", strings.TrimSpace(string(version)), strings.TrimSpace(string(experiment)), fixture, *root)

	s := suite{bin: bin, dir: filepath.Join(*root, fixture)}
	baseline := filepath.Join(dir, "leakcheck.baseline")
	fmt.Println("| step | time | failing tests |")
	fmt.Println("| --- | ---: | --- |")
	if !*quick {
		var asWas []result
		for range 3 {
			asWas = append(asWas, s.run([]string{"LEAKYSUITE_CHECK=off"}, "-test.shuffle=on"))
		}
		row("unmodified (3 runs)", asWas)
		row("`Verify` first in every test, `VerifyTestMain`, nothing configured", []result{
			s.run([]string{"LEAKYSUITE_CHECK=plain"}, "-test.shuffle=on")})
		row("+ `MaxWait(200ms)`, `MaxWaitSleeping(1.5s)` in `TestMain`", []result{
			s.run(nil, "-test.shuffle=on")})
	}
	record := s.run([]string{"GODEBUG=tracebackancestors=100", "LEAKCHECK_BASELINE=" + baseline, "LEAKCHECK_BASELINE_UPDATE=1"},
		"-test.shuffle=on", fmt.Sprintf("-test.count=%d", *records))
	row(fmt.Sprintf("baseline recorded: `GODEBUG=tracebackancestors=100`, `-count=%d -shuffle=on` (%d kinds)", *records, kindsIn(baseline)),
		[]result{record})

	var checked, asWas []result
	for range *runs {
		asWas = append(asWas, s.run([]string{"LEAKYSUITE_CHECK=off"}, "-test.shuffle=on"))
		checked = append(checked, s.run([]string{"LEAKCHECK_BASELINE=" + baseline}, "-test.shuffle=on"))
	}
	row(fmt.Sprintf("unmodified, %d shuffled runs beside the next", *runs), asWas)
	row(fmt.Sprintf("with the baseline, no `GODEBUG`, %d shuffled runs", *runs), checked)
	row("a new leak (`E2E_NEW_LEAK=1`, with the baseline)", []result{
		s.run([]string{"LEAKCHECK_BASELINE=" + baseline, "E2E_NEW_LEAK=1"}, "-test.shuffle=on")})

	ratios := make([]float64, len(checked))
	for i := range checked {
		ratios[i] = checked[i].took.Seconds() / asWas[i].took.Seconds()
	}
	slices.Sort(ratios)
	fmt.Printf("\nWith the baseline ÷ unmodified, run by run: median %.2f×, range %.2f–%.2f×; median times %.2f× (%d of %d runs green)\n",
		ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1],
		median(checked).Seconds()/median(asWas).Seconds(), green(checked), len(checked))
	return nil
}

// A suite runs the fixture's test binary.
type suite struct {
	bin, dir string
}

// A result is one run of the suite.
type result struct {
	took    time.Duration
	failing []string // the tests that failed, parents of failing subtests left out
	pkg     bool     // VerifyTestMain's package check failed
	exit    int
}

var (
	failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
	pkgLeak  = regexp.MustCompile(`leakcheck: the tests of \S+ leaked`)
)

func (s suite) run(env []string, args ...string) result {
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r := result{took: time.Since(start), pkg: pkgLeak.MatchString(out.String())}
	if exit, ok := err.(*exec.ExitError); ok {
		r.exit = exit.ExitCode()
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "adopt:", err)
		os.Exit(1)
	}
	var names []string
	for _, m := range failLine.FindAllStringSubmatch(out.String(), -1) {
		names = append(names, m[1])
	}
	for _, n := range names {
		parent := slices.ContainsFunc(names, func(o string) bool { return strings.HasPrefix(o, n+"/") })
		if !parent {
			r.failing = append(r.failing, n)
		}
	}
	if r.exit != 0 && len(r.failing) == 0 && !r.pkg {
		fmt.Fprintf(os.Stderr, "adopt: exit status %d with no failing test:\n%s\n", r.exit, out.String())
		os.Exit(1)
	}
	return r
}

// row prints one step: its time (a range over several runs) and its
// failing tests (the count of each run).
func row(step string, rs []result) {
	times := make([]time.Duration, len(rs))
	var fails []string
	var names []string
	for i, r := range rs {
		times[i] = r.took
		n := fmt.Sprint(len(r.failing))
		if r.pkg {
			n += " + package check"
		}
		fails = append(fails, n)
		for _, f := range r.failing {
			if !slices.Contains(names, f) {
				names = append(names, f)
			}
		}
	}
	slices.Sort(times)
	took := seconds(times[0])
	if len(times) > 1 {
		took = fmt.Sprintf("%s–%s (median %s)", seconds(times[0]), seconds(times[len(times)-1]), seconds(times[len(times)/2]))
	}
	failing := strings.Join(fails, ", ")
	if len(names) > 0 {
		slices.Sort(names)
		failing += ": " + strings.Join(names, " ")
	}
	fmt.Printf("| %s | %s | %s |\n", step, took, failing)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func median(rs []result) time.Duration {
	times := make([]time.Duration, len(rs))
	for i, r := range rs {
		times[i] = r.took
	}
	slices.Sort(times)
	return times[len(times)/2]
}

func green(rs []result) int {
	n := 0
	for _, r := range rs {
		if r.exit == 0 {
			n++
		}
	}
	return n
}

// kindsIn counts the entries of a baseline file.
func kindsIn(path string) int {
	data, _ := os.ReadFile(path)
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n
}
