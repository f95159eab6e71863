// Command bench measures leakcheck against go.uber.org/goleak in one
// process, on the same workload, and prints a table of both figures and
// their ratio.
//
// Usage, from the bench directory:
//
//	go run .          # the full run, about 10 minutes on 2 cores
//	go run . -quick   # a smoke run for CI, about a minute
//	go run . -against main -n 10,1000,10000   # scenario 1, this checkout against main
//
// Scenarios 3 and 4 depend on the runtime's goroutine leak profile, so the
// full run repeats them in child processes under go1.27
// (GOTOOLCHAIN=go1.27.4) and under go1.26 with
// GOEXPERIMENT=goroutineleakprofile.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

var (
	quick      = flag.Bool("quick", false, "run a short smoke version of every scenario (for CI)")
	only       = flag.String("only", "", "comma-separated scenarios to run, e.g. \"1,5\"; default all")
	sizes      = flag.String("n", "", "comma-separated goroutine counts; default 10,1000,10000,100000 (quick: 10,1000)")
	child      = flag.Bool("child", false, "run scenarios 3 and 4 (or those of -only) and print JSON (used by the full run and -against)")
	toolchains = flag.Bool("toolchains", true, "repeat scenarios 3 and 4 under go1.27.4 and GOEXPERIMENT=goroutineleakprofile")
	cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of scenarios 1, 3, 4 and 5 to this file")
	memprofile = flag.String("memprofile", "", "write an allocation profile to this file at the end")
)

// out is the real standard output. The testing package writes to
// os.Stdout, which points to a discarding file, so that the reports of
// failing checks (the point of scenario 3) do not flood the tables.
var out io.Writer = os.Stdout

func main() {
	testing.Init()
	flag.Parse()
	go spawner()
	// testing.Main runs TestBench as a real test, with the testing
	// package's goroutines as in any test binary, then exits. Failing
	// subtests are part of the measurement (scenarios 3 and 4), so
	// TestBench exits with its own status once it has printed the tables.
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	check(err)
	os.Stdout = null
	testing.Main(func(string, string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "TestBench", F: bench}}, nil, nil)
}

func bench(t *testing.T) {
	ns := counts()
	want := map[string]bool{}
	for s := range strings.SplitSeq(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	if *child {
		if len(want) == 0 {
			want = map[string]bool{"3": true, "4": true}
		}
		res := runInProcess(t, ns, want)
		check(json.NewEncoder(out).Encode(res))
		os.Exit(0)
	}
	if *against != "" {
		runAgainst(*against, *abRounds)
		os.Exit(0)
	}
	all := len(want) == 0
	for _, s := range []string{"1", "2", "3", "4", "5"} {
		if all {
			want[s] = true
		}
	}

	start := time.Now()
	fmt.Fprintf(out, "# leakcheck vs goleak v1.3.0\n\n%s, %s/%s, %d CPUs, GOMAXPROCS=%d\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if *quick {
		fmt.Fprintln(out, "\nQuick mode: few repetitions, for smoke testing only.")
	}

	var profile *os.File
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		profile = f
		// The profiler's goroutine is not a leak.
		goleakOpts = append(goleakOpts, goleak.IgnoreAnyFunction("runtime/pprof.profileWriter"))
	}
	res := runInProcess(t, ns, want)
	if profile != nil {
		pprof.StopCPUProfile()
		profile.Close()
	}
	res.Toolchain = toolchainLabel()

	var others []*results
	if (want["3"] || want["4"]) && *toolchains && !*quick {
		for _, v := range []struct{ label, toolchain, experiment string }{
			{"go1.26.8 GOEXPERIMENT=goroutineleakprofile", "", "goroutineleakprofile"},
			{"go1.27.4", "go1.27.4", ""},
		} {
			r, err := runChild(v.toolchain, v.experiment, want)
			if err != nil {
				fmt.Fprintf(out, "\n%s: %v\n", v.label, err)
				continue
			}
			r.Toolchain = v.label
			others = append(others, r)
		}
	}
	if want["2"] {
		res.Package = runPackages(ns)
	}

	printResults(res, others)
	fmt.Fprintf(out, "\nTotal run time: %v\n", time.Since(start).Round(time.Second))

	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		check(err)
		check(pprof.Lookup("allocs").WriteTo(f, 0))
		f.Close()
	}
	os.Exit(0)
}

func counts() []int {
	s := *sizes
	if s == "" {
		s = "10,1000,10000,100000"
		if *quick {
			s = "10,1000"
		}
	}
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		var n int
		_, err := fmt.Sscan(strings.TrimSpace(f), &n)
		check(err)
		ns = append(ns, n)
	}
	return ns
}

func toolchainLabel() string {
	label := runtime.Version()
	if strings.Contains(os.Getenv("GOEXPERIMENT"), "goroutineleakprofile") {
		label += " GOEXPERIMENT=goroutineleakprofile"
	}
	if pprof.Lookup("goroutineleak") == nil {
		label += " (no goroutine leak profile)"
	}
	return label
}

// runChild runs scenarios 3 and 4 in "go run . -child" with the given
// toolchain or experiment and decodes its results.
func runChild(toolchain, experiment string, want map[string]bool) (*results, error) {
	var sel []string
	for _, s := range []string{"3", "4"} {
		if want[s] {
			sel = append(sel, s)
		}
	}
	cmd := exec.Command("go", "run", ".", "-child", "-n", *sizes)
	if *sizes == "" {
		cmd.Args = cmd.Args[:len(cmd.Args)-2]
	}
	cmd.Env = os.Environ()
	if toolchain != "" {
		cmd.Env = append(cmd.Env, "GOTOOLCHAIN="+toolchain)
	}
	if experiment != "" {
		cmd.Env = append(cmd.Env, "GOEXPERIMENT="+experiment)
	}
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var r results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if !want["3"] {
		r.Report = nil
	}
	if !want["4"] {
		r.Exit = nil
	}
	return &r, nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
