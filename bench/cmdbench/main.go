// Command cmdbench measures the leakcheck command: how fast it reads a
// goroutine dump against panicparse v2.5.0's pp on the same files, and
// what each source of a live service's goroutines costs that service in
// pauses.
//
// Usage, from the bench directory:
//
//	go run ./cmdbench                 # full run: 10k, 100k and 1M goroutines (~25 min)
//	go run ./cmdbench -quick          # smoke run for CI (10k only, ~1 min)
//	go run ./cmdbench -only parse -n 100000
//	go run ./cmdbench -only inputs    # peak memory per input kind (~2 min)
//	go run ./cmdbench -only noise     # watch on a steady service: false suspects (~3 min)
//
// Parsing: a child process parks N goroutines in a mix of kinds (blocked
// on channels, in select, on a mutex, sleeping; a few frames deep, with
// argument values that differ) and writes runtime.Stack(all) to a file.
// Each tool then reads that file, as a user would run it, with its
// output to /dev/null: leakcheck inspect FILE, pp FILE (its defaults),
// and pp -parse=false -rebase=false (its fastest settings). The table
// gives the median wall time of the runs and the peak resident memory
// (getrusage maxrss) of the process.
//
// Pauses: a child process (the target) parks N goroutines, serves
// net/http/pprof on 127.0.0.1, and runs a goroutine that sleeps 1 ms in a
// loop and records how late it wakes. For each source the bench fetches
// the endpoint, then asks the target for the stop-the-world pauses of the
// request (runtime/metrics /sched/pauses/total/other:seconds and
// /sched/pauses/total/gc:seconds: the longest pause, from its histogram
// bucket, and the sum) and for the ticker's worst lateness. Medians over
// the repetitions.
//
// Inputs: leakcheck inspect reads one input of each kind (dumps, pasted
// go test output, text and protocol buffer profiles, a gzip bomb, random
// binary data, text with no goroutine; files, or streams of 1 GiB on its
// standard input) and the table gives its answer and peak RSS.
//
// Noise: leakcheck watch samples cmd/leakcheck/testdata/leakyservice on
// loopback under a steady load, again and again, and the table counts
// the kinds it calls growing (none should be), then finds a slow leak in
// the same load.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

var (
	quick       = flag.Bool("quick", false, "a short smoke run (for CI)")
	only        = flag.String("only", "", "parse, pauses, inputs or noise; default all")
	sizes       = flag.String("n", "", "comma-separated goroutine counts; default 10000,100000,1000000 (pauses: up to 100000; quick: 10000)")
	reps        = flag.Int("reps", 0, "runs per measurement; default 5 (3 at 100k, 1 at 1M and in quick mode)")
	dir         = flag.String("dir", "", "where to keep the dumps and binaries; default a temporary directory")
	shape       = flag.String("shape", "mixed", "the dumps' goroutines: mixed (five kinds) or uniform (one kind)")
	toolsArg    = flag.String("tools", "leakcheck,pp,pp-fast", "the tools to run: leakcheck, pp (defaults), pp-fast (-parse=false -rebase=false)")
	toolTimeout = flag.Duration("tool-timeout", 10*time.Minute, "stop a tool's run after this long")
	gen         = flag.Int("gen", 0, "internal: park N goroutines and write a dump to -o")
	outArg      = flag.String("o", "", "internal: the dump file for -gen")
	target      = flag.Int("target", 0, "internal: park N goroutines and serve pprof (the pause target)")
	inputKey    = flag.String("input", "", "internal: write the input of this name to standard output")
	inputDump   = flag.String("input-dump", "", "internal: the dump the inputs are made of")
)

func main() {
	flag.Parse()
	switch {
	case *gen > 0:
		generate(*gen, *outArg)
		return
	case *target > 0:
		serveTarget(*target)
		return
	case *inputKey != "":
		writeInput(*inputKey)
		return
	}
	work := *dir
	if work == "" {
		d, err := os.MkdirTemp("", "cmdbench")
		check(err)
		defer os.RemoveAll(d)
		work = d
	}
	fmt.Printf("# leakcheck command benchmarks\n\n")
	if *only == "" || *only == "parse" {
		parseBench(work)
	}
	if *only == "" || *only == "pauses" {
		pauseBench(work)
	}
	if *only == "" || *only == "inputs" {
		inputsBench(work)
	}
	if *only == "" || *only == "noise" {
		noiseBench(work)
	}
}

// counts returns the goroutine counts to measure, at most max.
func counts(max int) []int {
	s := *sizes
	switch {
	case s != "":
	case *quick:
		s = "10000"
	default:
		s = "10000,100000,1000000"
	}
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		var n int
		_, err := fmt.Sscan(strings.TrimSpace(f), &n)
		check(err)
		if n <= max {
			ns = append(ns, n)
		}
	}
	return ns
}

func repsFor(n int) int {
	switch {
	case *reps > 0:
		return *reps
	case *quick || n >= 1000000:
		return 1
	case *only == "pauses":
		return 7
	case n >= 100000:
		return 3
	}
	return 5
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmdbench:", err)
		os.Exit(1)
	}
}
