package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Defaults of the thresholds, documented in the package doc and README.
const (
	// defaultBlocked and defaultWait: in one snapshot, a hundred
	// goroutines parked at the same channel or lock operation for ten
	// minutes are rarely a healthy pool and usually a request path that
	// leaks, the signal Uber's LeakProf looks for in production.
	defaultBlocked = 100
	defaultWait    = 10 * time.Minute
	// defaultBlockedProfile: profiles carry no wait times, so only a
	// larger crowd at one operation is suspect.
	defaultBlockedProfile = 1000
	// defaultGrow and defaultGrowSamples: a kind that gained ten
	// goroutines, rising in at least three sample intervals, grows
	// steadily; a pool filling up once rises in one or two.
	defaultGrow        = 10
	defaultGrowSamples = 3
	defaultEvery       = 10 * time.Second
	defaultTimeout     = 30 * time.Second
	defaultMaxSize     = 1 << 30
	// defaultSince: a day holds a slow leak's rise and a daily deploy's
	// restart.
	defaultSince = 24 * time.Hour
)

// Sources of a service's goroutines, for -source.
const (
	sourceProfile = "profile" // /debug/pprof/goroutine?debug=0
	sourceText    = "text"    // ?debug=1
	sourceDump    = "dump"    // ?debug=2
)

// flagsOf lists the flags each subcommand takes: a flag that does not
// apply is an error, never silently ignored.
var flagsOf = map[string][]string{
	"inspect": {"json", "pprof", "source", "leakprofile", "blocked", "wait", "blocked-profile", "timeout", "max-size", "partial", "http"},
	"diff":    {"json", "pprof", "source", "leakprofile", "grow", "timeout", "max-size", "partial"},
	"watch":   {"json", "pprof", "source", "leakprofile", "grow", "grow-samples", "every", "for", "timeout", "max-size", "partial", "http", "html"},
	"fleet":   {"json", "html", "http", "since", "step", "pprof-url", "profiles", "leakprofile", "grow", "grow-samples", "every", "timeout", "max-size"},
}

// options are the flags of the subcommands.
type options struct {
	cmd            string
	json           bool
	pprofFile      string
	source         string
	leakProfile    bool
	blocked        int
	wait           time.Duration
	blockedProfile int
	grow           int
	growSamples    int
	every          time.Duration
	duration       time.Duration
	timeout        time.Duration
	maxSize        int64
	partial        bool
	httpAddr       string // -http: serve pprof's web UI here
	htmlFile       string // -html: write the page of charts here
	// fleet
	since    time.Duration
	step     time.Duration // 0: chosen from -since
	pprofURL string
	profiles bool

	stdin          io.Reader
	stdout, stderr io.Writer
	fs             *flag.FlagSet
	terminal       bool // whether stdout is a terminal (watch redraws)
}

func newOptions(cmd string, stdin io.Reader, stdout, stderr io.Writer) *options {
	o := &options{cmd: cmd, stdin: stdin, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("leakcheck "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed once, by run
	fs.BoolVar(&o.json, "json", false, "")
	fs.StringVar(&o.pprofFile, "pprof", "", "")
	fs.StringVar(&o.source, "source", sourceProfile, "")
	fs.BoolVar(&o.leakProfile, "leakprofile", true, "")
	fs.IntVar(&o.blocked, "blocked", defaultBlocked, "")
	fs.DurationVar(&o.wait, "wait", defaultWait, "")
	fs.IntVar(&o.blockedProfile, "blocked-profile", defaultBlockedProfile, "")
	fs.IntVar(&o.grow, "grow", defaultGrow, "")
	fs.IntVar(&o.growSamples, "grow-samples", defaultGrowSamples, "")
	fs.DurationVar(&o.every, "every", defaultEvery, "")
	fs.DurationVar(&o.duration, "for", 0, "")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "")
	fs.Int64Var(&o.maxSize, "max-size", defaultMaxSize, "")
	fs.BoolVar(&o.partial, "partial", false, "")
	fs.StringVar(&o.httpAddr, "http", "", "")
	fs.StringVar(&o.htmlFile, "html", "", "")
	fs.DurationVar(&o.since, "since", defaultSince, "")
	fs.DurationVar(&o.step, "step", 0, "")
	fs.StringVar(&o.pprofURL, "pprof-url", "", "")
	fs.BoolVar(&o.profiles, "profiles", true, "")
	o.fs = fs
	return o
}

// parse parses flags given before, between or after the arguments, and
// returns the arguments. "-" alone is an argument (standard input); "--"
// ends the flags.
func (o *options) parse(args []string) ([]string, error) {
	var rest []string
	for {
		if err := o.fs.Parse(args); err != nil {
			return nil, err
		}
		args = o.fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			rest = append(rest, args[1:]...)
			break
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
	if err := o.checkApplies(); err != nil {
		return nil, err
	}
	switch o.source {
	case sourceProfile, sourceText, sourceDump:
	default:
		return nil, fmt.Errorf("-source %q: want profile, text or dump", o.source)
	}
	if o.httpAddr != "" {
		if err := checkHTTPAddr(o.httpAddr); err != nil {
			return nil, err
		}
	}
	switch {
	case o.blocked < 1 || o.blockedProfile < 1:
		return nil, fmt.Errorf("-blocked and -blocked-profile must be at least 1")
	case o.wait < 0:
		return nil, fmt.Errorf("-wait must not be negative")
	case o.grow < 1:
		return nil, fmt.Errorf("-grow must be at least 1")
	case o.growSamples < 1:
		return nil, fmt.Errorf("-grow-samples must be at least 1")
	case o.every <= 0:
		return nil, fmt.Errorf("-every must be positive")
	case o.duration < 0:
		return nil, fmt.Errorf("-for must not be negative")
	case o.timeout <= 0:
		return nil, fmt.Errorf("-timeout must be positive")
	case o.maxSize <= 0:
		return nil, fmt.Errorf("-max-size must be positive")
	case o.since <= 0:
		return nil, fmt.Errorf("-since must be positive")
	case o.step < 0 || o.step > 0 && o.step < time.Second:
		return nil, fmt.Errorf("-step must be at least 1s")
	}
	return rest, nil
}

// checkApplies fails for a flag given that the subcommand does not take,
// naming the subcommands that do.
func (o *options) checkApplies() error {
	var err error
	o.fs.Visit(func(f *flag.Flag) {
		if err != nil || slices.Contains(flagsOf[o.cmd], f.Name) {
			return
		}
		var takers []string
		for _, cmd := range []string{"inspect", "diff", "watch", "fleet"} {
			if slices.Contains(flagsOf[cmd], f.Name) {
				takers = append(takers, cmd)
			}
		}
		list := takers[len(takers)-1]
		if len(takers) > 1 {
			list = strings.Join(takers[:len(takers)-1], ", ") + " and " + list
		}
		err = fmt.Errorf("-%s does not apply to %s (it is a flag of %s)", f.Name, o.cmd, list)
	})
	return err
}

// isURL reports whether a source names a service rather than a file.
func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// hostPort matches a service's address written without a scheme:
// "127.0.0.1:8080/debug/pprof/", "localhost:6060", "[::1]:6060/x".
var hostPort = regexp.MustCompile(`^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}(/|$)`)

// schemeHint suggests the URL meant by a source that names no file but
// reads like a service's address, or returns "".
func schemeHint(src string) string {
	if !hostPort.MatchString(src) {
		return ""
	}
	return fmt.Sprintf(" (for a service, give a URL: http://%s)", src)
}
