package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/leakcheck/leakcheck/internal/report"
)

// maxDebug2 is where net/http/pprof stops a debug=2 dump without saying
// so (runtime/pprof.writeGoroutineStacks gives up growing its buffer at
// 64 MiB): a dump of exactly that size is cut short.
const maxDebug2 = 64 << 20

// noLeakProfile explains a service without /debug/pprof/goroutineleak.
const noLeakProfile = "the service has no /debug/pprof/goroutineleak (it needs Go 1.27, or 1.26 built with GOEXPERIMENT=goroutineleakprofile): no leak can be proven, only suspected"

// A service is a program's net/http/pprof handlers.
type service struct {
	base     string // ".../debug/pprof/"
	endpoint string // a goroutine endpoint the user named, "" for base
	client   *http.Client
	o        *options
}

func newService(o *options, raw string) (*service, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %v", raw, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("bad URL %q: no host", raw)
	}
	s := &service{
		o: o,
		client: &http.Client{
			Timeout: o.timeout,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: min(o.timeout, defaultTimeout)}).DialContext,
				TLSHandshakeTimeout:   min(o.timeout, defaultTimeout),
				ResponseHeaderTimeout: o.timeout,
				DisableCompression:    true, // count the bytes the service sends
			},
		},
	}
	path := strings.TrimSuffix(u.Path, "/")
	switch {
	case path == "":
		u.Path = "/debug/pprof/"
		u.RawQuery = ""
		s.base = u.String()
	case strings.HasSuffix(path, "/debug/pprof"):
		u.Path = path + "/"
		u.RawQuery = ""
		s.base = u.String()
	default:
		// A goroutine endpoint, or any URL that serves goroutines: read
		// what it gives.
		s.endpoint = u.String()
	}
	return s, nil
}

// loadURL reads a service's goroutines from source (profile, text or
// dump) and, when leak is set, marks those the runtime proves leaked.
func loadURL(ctx context.Context, o *options, raw, source string, leak bool) (*snapshot, error) {
	s, err := newService(o, raw)
	if err != nil {
		return nil, err
	}
	if s.endpoint != "" {
		snap, err := s.read(ctx, s.endpoint)
		if err != nil {
			return nil, err
		}
		return snap, nil
	}
	return s.snapshot(ctx, source, leak)
}

// snapshot reads the service's goroutines from source.
func (s *service) snapshot(ctx context.Context, source string, leak bool) (*snapshot, error) {
	debug := map[string]string{sourceProfile: "0", sourceText: "1", sourceDump: "2"}[source]
	if source == sourceDump {
		// One request: goroutineleak?debug=2 runs the leak detection,
		// then dumps every goroutine with "(leaked)" marks.
		if leak {
			snap, err := s.read(ctx, s.base+"goroutineleak?debug=2")
			if err == nil {
				snap.leakNote = "leaks proven by the runtime (/debug/pprof/goroutineleak?debug=2)"
				return snap, nil
			}
			if !isNotFound(err) {
				return nil, err
			}
		}
		snap, err := s.read(ctx, s.base+"goroutine?debug=2")
		if err != nil {
			return nil, err
		}
		if snap.leakNote == "" { // else the dump has marks of an earlier detection
			snap.leakNote = leakNote(leak)
		}
		return snap, nil
	}
	snap, err := s.read(ctx, s.base+"goroutine?debug="+debug)
	if err != nil {
		return nil, err
	}
	snap.leakNote = leakNote(leak)
	if !leak {
		return snap, nil
	}
	leaked, err := s.read(ctx, s.base+"goroutineleak?debug="+debug)
	switch {
	case isNotFound(err):
		return snap, nil
	case err != nil:
		return nil, err
	}
	markProven(snap, leaked)
	snap.leakNote = "leaks proven by the runtime (/debug/pprof/goroutineleak, one garbage collection on the service)"
	return snap, nil
}

func leakNote(leak bool) string {
	if !leak {
		return "leaks not proven: -leakprofile=false"
	}
	return noLeakProfile
}

// markProven marks in snap the goroutines that leaked, of the same format
// as snap, proves: the goroutines a leak profile lists, or those a dump
// marks "(leaked)". A group of the same kind counts as many proven
// goroutines, at most its size (goroutines may come and go between the
// two requests).
func markProven(snap, leaked *snapshot) {
	byFP := make(map[string]*report.Group)
	for _, gr := range snap.groups {
		byFP[gr.Fingerprint] = gr
	}
	for _, lg := range leaked.groups {
		n := lg.Proven // marked by fromProfile for a leak profile, by the dump's "(leaked)"
		if gr := byFP[lg.Fingerprint]; gr != nil && provable(gr) {
			gr.Proven = min(gr.Size(), gr.Proven+n)
		}
	}
}

// read fetches one URL and reads what it serves.
func (s *service) read(ctx context.Context, u string) (*snapshot, error) {
	resp, err := s.get(ctx, u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	counter := &countingReader{r: resp.Body}
	snap, err := readAny(s.o, u, counter)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return nil, fmt.Errorf("%s: no complete answer within -timeout=%v", u, s.o.timeout)
		}
		return nil, err
	}
	if counter.n == maxDebug2 && snap.perGoroutine && snap.partial == "" {
		why := "it is exactly 64 MiB, where net/http/pprof stops a debug=2 dump without saying so"
		if !s.o.partial {
			return nil, fmt.Errorf("%s: the dump is cut short (%s): refusing to report part of it as the whole; use -source=profile, or -partial", u, why)
		}
		snap.partial = why
	}
	return snap, nil
}

// get sends a GET request, and fails with one clear line for the answers
// that hold no goroutines: a refused connection, a timeout, a status
// other than 200, an HTML page.
func (s *service) get(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %v", u, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, s.netError(u, req.URL.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, &statusError{url: u, status: resp.Status, code: resp.StatusCode, body: firstLine(string(body))}
	}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
		resp.Body.Close()
		return nil, fmt.Errorf("%s: the server answered with an HTML page (a login page, or a proxy's?), not goroutines", u)
	}
	return resp, nil
}

// netError words a failed request.
func (s *service) netError(u, host string, err error) error {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot connect to %s: connection refused (is the service running, with net/http/pprof on that port?)", host)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted while reading %s", u)
	case isTimeout(err) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: no answer within -timeout=%v", u, s.o.timeout)
	case errors.As(err, &dns):
		return fmt.Errorf("cannot find host %s: %v", host, dns.Err)
	}
	return fmt.Errorf("GET %s: %v", u, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// A statusError is an answer other than 200 OK.
type statusError struct {
	url, status, body string
	code              int
}

func (e *statusError) Error() string {
	switch {
	case e.code == http.StatusNotFound && strings.Contains(e.url, "/goroutineleak"):
		return fmt.Sprintf("%s: %s: the service serves no goroutine leak profile: it needs Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile", e.url, e.status)
	case e.code == http.StatusNotFound && strings.Contains(e.url, "/goroutine"):
		return fmt.Sprintf("%s: %s: the service does not serve this profile (does it import net/http/pprof, and is this its /debug/pprof/?)", e.url, e.status)
	case e.body != "":
		return fmt.Sprintf("%s: %s: %s", e.url, e.status, e.body)
	}
	return fmt.Sprintf("%s: %s", e.url, e.status)
}

// isNotFound reports whether err is a 404 answer.
func isNotFound(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == http.StatusNotFound
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// A countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
