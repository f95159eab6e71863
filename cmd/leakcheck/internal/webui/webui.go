// Package webui serves pprof's own web interface (flame graph, top,
// graph, source, peek) over a goroutine profile, as "go tool pprof -http"
// does, through the driver package of github.com/google/pprof.
//
// The profile is served from memory: nothing is fetched, symbolized or
// written. Each sample's labels (leakcheck sets "verdict" and
// "fingerprint") are tags in the interface, and the flame graph starts
// with the verdict as its root ("verdict:leak", "verdict:suspect",
// "verdict:ok"), so that the leaks stand apart.
package webui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/pprof/driver"
	"github.com/google/pprof/profile"
)

// RootLabel is the sample label the flame graph and the call graph start
// from: each kind's verdict.
const RootLabel = "verdict"

// Serve serves pprof's web UI for p on addr (host:port; port 0 picks one)
// until ctx is done, calling ready with the URL once it listens. It
// returns nil when ctx ends it, and an error when it cannot listen or p
// cannot be shown. As pprof's own server does, it answers only clients on
// the loopback interface when addr's host is a loopback name or address.
func Serve(ctx context.Context, addr string, p *profile.Profile, ready func(url string)) error {
	if p == nil {
		return errors.New("webui: no profile")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-http %s: %w", addr, err)
	}
	defer ln.Close()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-http %s: %w", addr, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if host == "" {
		host = "localhost"
	}
	hostport := net.JoinHostPort(host, fmt.Sprint(port))

	p = titled(p)
	args := []string{"-http=" + hostport, "-no_browser", "-symbolize=none"}
	for _, s := range p.Sample {
		if _, ok := s.Label[RootLabel]; ok {
			args = append(args, "-tagroot="+RootLabel)
			break
		}
	}
	served := false
	err = driver.PProf(&driver.Options{
		Flagset: &flags{FlagSet: flag.NewFlagSet("pprof", flag.ContinueOnError), args: append(args, "leakcheck")},
		Fetch:   fetcher{p},
		UI:      quietUI{},
		HTTPServer: func(a *driver.HTTPServerArgs) error {
			served = true
			return serve(ctx, ln, a, ready)
		},
	})
	if err == nil && !served {
		err = errors.New("pprof's driver did not start its web interface")
	}
	if err != nil {
		return fmt.Errorf("pprof web UI: %w", err)
	}
	return nil
}

// titled returns p with a main mapping named "leakcheck", which pprof
// names its pages after ("leakcheck goroutine" rather than "unknown
// goroutine"), when it has none; p itself is left as it is.
func titled(p *profile.Profile) *profile.Profile {
	if len(p.Mapping) > 0 {
		return p
	}
	p = p.Copy()
	m := &profile.Mapping{ID: 1, File: "leakcheck"}
	p.Mapping = []*profile.Mapping{m}
	for _, l := range p.Location {
		l.Mapping = m
	}
	return p
}

// shutdownGrace bounds how long requests in flight may take to finish
// once the context is done.
const shutdownGrace = 2 * time.Second

// serve serves the driver's handlers on ln under /ui/, as pprof's own
// server does, until ctx is done.
func serve(ctx context.Context, ln net.Listener, a *driver.HTTPServerArgs, ready func(string)) error {
	local := isLoopback(a.Host)
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if local {
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil || !isLoopback(host) {
				http.Error(w, "permission denied: the interface serves the loopback interface only", http.StatusForbidden)
				return
			}
		}
		h := a.Handlers[r.URL.Path]
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", ui))
	mux.Handle("/", http.RedirectHandler("/ui/", http.StatusTemporaryRedirect))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready("http://" + a.Hostport + "/ui/")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// fetcher hands the driver the profile, whatever source it asks for.
type fetcher struct{ p *profile.Profile }

func (f fetcher) Fetch(string, time.Duration, time.Duration) (*profile.Profile, string, error) {
	return f.p, "", nil
}

// quietUI is the driver's user interface, which the web interface does
// not use: no terminal, no browser, no messages (Serve's caller prints
// the URL).
type quietUI struct{}

func (quietUI) ReadLine(string) (string, error)     { return "", errors.New("no terminal") }
func (quietUI) Print(...any)                        {}
func (quietUI) PrintErr(...any)                     {}
func (quietUI) IsTerminal() bool                    { return false }
func (quietUI) WantBrowser() bool                   { return false }
func (quietUI) SetAutoComplete(func(string) string) {}

// flags is the driver's command line: the standard flag package over
// fixed arguments.
type flags struct {
	*flag.FlagSet
	args  []string
	extra []string
}

func (f *flags) StringList(name, def, usage string) *[]*string {
	list := []*string{f.String(name, def, usage)}
	return &list
}

func (f *flags) ExtraUsage() string { return strings.Join(f.extra, "\n") }

func (f *flags) AddExtraUsage(eu string) { f.extra = append(f.extra, eu) }

func (f *flags) Parse(usage func()) []string {
	f.FlagSet.Usage = usage
	f.SetOutput(io.Discard)
	if err := f.FlagSet.Parse(f.args); err != nil {
		return nil
	}
	return f.Args()
}
