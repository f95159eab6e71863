package main

import (
	"context"
	"errors"
	"strings"
)

// runInspect reports the goroutines of one source, grouped by kind, leaks
// and suspects first.
func runInspect(ctx context.Context, o *options, args []string) (int, error) {
	if len(args) != 1 {
		return exitError, errors.New("want one SOURCE: a file, - for standard input, or a URL")
	}
	snap, err := load(ctx, o, args[0])
	if err != nil {
		return exitError, err
	}
	js := judgeSnapshot(o, snap)
	if err := output(o, snap.name, js, false, "leakcheck inspect "+snap.name, func(b *strings.Builder) {
		snapshotHeader(b, snap, "leakcheck")
		writeDetails(b, js, okRow)
		b.WriteString(verdictLine(js, snap.total, "goroutine"))
	}); err != nil {
		return exitError, err
	}
	if o.httpAddr != "" {
		if err := serveWebUI(ctx, o, js, "leakcheck inspect "+snap.name); err != nil {
			return exitError, err
		}
	}
	return status(js), nil
}

// output writes the report (or JSON lines) to standard output, and the
// profile to -pprof.
func output(o *options, source string, js []*judged, diff bool, comment string, text func(*strings.Builder)) error {
	if o.pprofFile != "" {
		if err := writePprof(o.pprofFile, js, comment); err != nil {
			return err
		}
	}
	if o.json {
		return writeJSON(o.stdout, source, js, diff)
	}
	var b strings.Builder
	text(&b)
	if o.pprofFile != "" {
		b.WriteString("Goroutine profile written to " + o.pprofFile + "; see it with: go tool pprof -http=: " + o.pprofFile + "\n")
	}
	_, err := o.stdout.Write([]byte(b.String()))
	return err
}
