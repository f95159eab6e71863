// Leakcheck reads the goroutines of a Go program, from a dump, a profile
// or a live service, groups them by kind and says which leak.
//
// Usage:
//
//	leakcheck inspect [flags] SOURCE         report the goroutines of one source
//	leakcheck diff [flags] BEFORE AFTER      what grew between two sources
//	leakcheck watch [flags] URL              sample a live service, report what grows
//	leakcheck fleet [flags] PROMETHEUS [SEL] judge every instance's goroutine count in Prometheus
//	leakcheck version                        print the command's version
//
// A SOURCE is a file, or - for standard input, holding a goroutine dump
// (runtime.Stack, /debug/pprof/goroutine?debug=2, a crash, goleak's
// report, or the whole output of a "go test" run that timed out or
// panicked, pasted or not, in a CI log or go test -json or not),
// a debug=1 text profile, or a goroutine profile in pprof's protocol
// buffer format (debug=0, as "go tool pprof" and continuous profilers
// store it); or the http:// or https:// URL of a service's /debug/pprof/
// or of one of its goroutine endpoints.
//
// Goroutines are grouped by kind: state, innermost frames and creator.
// Each group gets a verdict: leak (the runtime proved it: Go 1.27, or
// 1.26 with GOEXPERIMENT=goroutineleakprofile, through
// /debug/pprof/goroutineleak), suspect (for watch, a rise across samples
// that noise does not make: a trend test; for diff, growth past -grow and
// past the noise of two counts; in a single snapshot, at least -blocked
// goroutines blocked at one channel or lock operation for at least
// -wait), or ok. The README says how each is decided.
//
// Flags (after the subcommand, before or after its arguments):
//
//	-json            print JSON lines, one per group, instead of the report
//	-pprof FILE      also write the groups as a goroutine profile, verdict as a label
//	-source S        for URLs: profile (debug=0, the default: pauses of
//	                 microseconds), text (debug=1, the same), or dump (debug=2:
//	                 stops the service for the whole dump, several times, 2.3 s
//	                 in all at 100k goroutines; gives states, waits, creators)
//	-leakprofile     ask /debug/pprof/goroutineleak to prove leaks (default true;
//	                 one garbage collection: a 0.5 s pause at 100k goroutines)
//	-blocked N       inspect: goroutines of one kind blocked at a
//	                 channel or lock operation for at least -wait (default 100)
//	-wait D          ... for at least D (default 10m; dumps only)
//	-blocked-profile N  the same for profiles, which have no wait times (default 1000)
//	-grow N          diff and watch: growth that makes a suspect (default 10)
//	-grow-samples K  watch: rises in at least K sample intervals (default 3)
//	-every D, -for D watch: sample every D (default 10s) for D (default: until ^C)
//	-timeout D       per HTTP request (default 30s)
//	-max-size N      most bytes read from one source (default 1 GiB)
//	-partial         report a dump that was cut short, marked as partial
//	-http ADDR       inspect, watch, fleet: once the report is out, serve pprof's web
//	                 UI (flame graph, top, graph, source) over the goroutines
//	                 read, each kind's verdict as a tag and the flame graph's
//	                 root, on ADDR (host:port; 127.0.0.1:0 picks a port), until ^C
//	-html FILE       watch: write a page of charts (the total and each kind that
//	                 grows, with its trend) to FILE, rewritten at each sample;
//	                 fleet: a chart per instance, lives and deploys marked
//	-since D         fleet: the window read from Prometheus (default 24h)
//	-step D          fleet: its resolution (default -since/720, at least 1m)
//	-pprof-url T     fleet: where a growing instance serves /debug/pprof/,
//	                 {label} replaced by its labels' values (default: the host
//	                 Prometheus scrapes it at, from /api/v1/targets)
//	-profiles=false  fleet: judge the counts only, read no goroutines
//
// Fleet reads the series that SEL (a vector selector, default
// go_goroutines) matches, judges each instance's lives between restarts
// with the trend test of watch, ranks the jobs by how many of their
// instances grow, and names the kinds that grow from the growing
// instances' goroutine profiles, read twice, -every apart.
//
// A flag that does not apply to the subcommand is an error.
//
// Exit status: 0 when no group is a leak or a suspect (for diff: nothing
// grew past -grow), 1 when one is or the program crashed, 2 for usage or
// input errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
)

// Exit statuses, as the package doc lists them.
const (
	exitOK    = 0 // no leak, no suspect
	exitFound = 1 // a leak or a suspect
	exitError = 2 // usage or input error
)

const usage = `usage:
  leakcheck inspect [flags] SOURCE       report goroutines grouped by kind, leaks first
  leakcheck diff [flags] BEFORE AFTER    each kind's count before and after, by growth
  leakcheck watch [flags] URL            sample a live service, report what grows
  leakcheck fleet [flags] PROM [SEL]     which instances' goroutine counts grow, and what
  leakcheck version                      the command's version and toolchain

SOURCE: a file or - (stdin): goroutine dump, "go test" output, debug=1 text
profile or pprof goroutine profile (.pb.gz); or http(s)://host:port/debug/pprof/

flags:
  -json               JSON lines, one per group (fleet: one document)
  -pprof FILE         also write the groups as a goroutine profile
  -source S           for URLs: profile (debug=0, default), text (debug=1),
                      dump (debug=2: pauses the service for the whole dump)
  -leakprofile=false  do not ask /debug/pprof/goroutineleak to prove leaks
  -blocked N -wait D  inspect: suspect N goroutines of a kind blocked at one
                      operation for D (100, 10m; profiles: -blocked-profile 1000)
  -grow N             diff, watch, fleet: growth that makes a suspect (10)
  -grow-samples K     watch, fleet: rises in at least K intervals (3)
  -every D -for D     watch: sample every D (10s) for D (until interrupted)
  -timeout D          per HTTP request (30s); -max-size N: per source (1 GiB)
  -partial            report a dump cut short, marked as partial
  -http ADDR          inspect, watch, fleet: then serve pprof's web UI on ADDR
  -html FILE          watch, fleet: a page of charts
  -since D -step D    fleet: the window (24h) and its step (since/720, >= 1m)
  -pprof-url T        fleet: http://{instance}/debug/pprof/ (default: from the
                      targets); -profiles=false: only the counts

exit status: 0 nothing leaks or grows, 1 a leak or suspect, 2 usage or input error
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command with args (without the program name) and returns
// its exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	var cmd func(context.Context, *options, []string) (int, error)
	switch args[0] {
	case "inspect":
		cmd = runInspect
	case "diff":
		cmd = runDiff
	case "watch":
		cmd = runWatch
	case "fleet":
		cmd = runFleet
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version())
		return exitOK
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "leakcheck: unknown command %q\n\n%s", args[0], usage)
		return exitError
	}
	o := newOptions(args[0], stdin, stdout, stderr)
	rest, err := o.parse(args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "leakcheck %s: %v\n(leakcheck -h for help)\n", args[0], err)
		return exitError
	}
	status, err := cmd(ctx, o, rest)
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "leakcheck") {
			msg = "leakcheck " + args[0] + ": " + msg
		}
		fmt.Fprintln(stderr, msg)
		return exitError
	}
	return status
}

// version describes the build: the module version ("(devel)" when built
// in a checkout, with the commit when the build recorded it) and the
// toolchain.
func version() string {
	v := "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		v = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("leakcheck %s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
