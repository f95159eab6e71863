package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Reading a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir,
// Cortex, VictoriaMetrics serve the same /api/v1): plain net/http and a
// streaming JSON decoder, so that each series of an answer is reduced as
// it arrives and no answer is ever held whole.

const (
	// maxPointsPerQuery keeps a range query under the 11,000 points per
	// series that Prometheus answers at most.
	maxPointsPerQuery = 10000
	// maxSeriesPerQuery bounds the series of one range query: a bigger
	// fleet is read in batches of instances, so that a slow or limited
	// server (Mimir's and Thanos' per-query limits) sees small queries.
	maxSeriesPerQuery = 500
	// maxFleetSeries is the most series a fleet analysis holds: beyond,
	// the selector is too wide to be what the user meant.
	maxFleetSeries = 100000
)

// A promAPI is one Prometheus-compatible API, counting its requests.
type promAPI struct {
	base     *url.URL // up to and without "/api/v1"
	client   *http.Client
	maxSize  int64
	timeout  time.Duration
	requests int
	warnings []string // every distinct warning the server gave
}

func newPromAPI(raw string, timeout time.Duration, maxSize int64) (*promAPI, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad Prometheus URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("bad Prometheus URL %q: want http://host:port (the server's root, or a path that ends before /api/v1)", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v1")
	u.RawQuery = ""
	return &promAPI{
		base:    u,
		maxSize: maxSize,
		timeout: timeout,
		client: &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: min(timeout, defaultTimeout)}).DialContext,
				ResponseHeaderTimeout: timeout,
				// Plain answers: decoding is what costs here, and on a
				// loaded 2-core machine a gzip answer took 3 to 10
				// times as long to arrive as a plain one (DESIGN.md §5).
				DisableCompression: true,
			},
		},
	}, nil
}

// A promError is an answer of the API with status "error", or an HTTP
// status it explains.
type promError struct {
	url, errorType, msg string
}

func (e *promError) Error() string {
	return fmt.Sprintf("Prometheus at %s answered an error (%s): %s", e.url, e.errorType, e.msg)
}

// get asks path with the parameters q and hands the answer to read. The
// parameters go in a form (POST), as the API allows for queries and
// series: a batch's selector names hundreds of instances, longer than
// some proxies let a URL be.
func (p *promAPI) get(ctx context.Context, path string, q url.Values, read func(*json.Decoder) error) error {
	u := *p.base
	u.Path += path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(q.Encode()))
	if err != nil {
		return fmt.Errorf("bad Prometheus URL %q: %v", u.String(), err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if path == "/api/v1/targets" { // GET only
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String()+"?"+q.Encode(), nil)
		if err != nil {
			return fmt.Errorf("bad Prometheus URL %q: %v", u.String(), err)
		}
	}
	p.requests++
	resp, err := p.client.Do(req)
	if err != nil {
		return p.netError(&u, err)
	}
	defer resp.Body.Close()
	body := &limitedReader{r: resp.Body, max: p.maxSize}
	ct := resp.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") {
		head, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		return fmt.Errorf("%s is not a Prometheus API: it answered %s with %q, not JSON (give the server's root URL, e.g. http://prometheus:9090)", p.base, resp.Status, firstLine(string(head)))
	}
	dec := json.NewDecoder(body)
	err = decodeEnvelope(dec, func(d *json.Decoder) error {
		if resp.StatusCode != http.StatusOK {
			return skipValue(d)
		}
		return read(d)
	}, p.addWarning)
	var pe *promError
	switch {
	case errors.As(err, &pe):
		pe.url = p.base.String()
		return pe
	case errors.Is(err, errTooLarge):
		return fmt.Errorf("Prometheus at %s: an answer larger than -max-size=%d bytes; ask for less (a shorter -since, a larger -step, a narrower selector)", p.base, p.maxSize)
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)):
		return fmt.Errorf("Prometheus at %s: no complete answer within -timeout=%v", p.base, p.timeout)
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("interrupted while reading Prometheus at %s", p.base)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		err != nil && strings.Contains(err.Error(), "unexpected end of JSON input"): // go1.27's encoding/json
		return fmt.Errorf("Prometheus at %s: the answer to %s was cut short", p.base, path)
	case err != nil:
		return fmt.Errorf("Prometheus at %s: bad answer to %s: %v", p.base, path, err)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("Prometheus at %s answered %s to %s", p.base, resp.Status, path)
	}
	return nil
}

func (p *promAPI) addWarning(w string) {
	if !slices.Contains(p.warnings, w) {
		p.warnings = append(p.warnings, w)
	}
}

func (p *promAPI) netError(u *url.URL, err error) error {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot connect to Prometheus at %s: connection refused (is it running, on that port?)", u.Host)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted while reading Prometheus at %s", p.base)
	case isTimeout(err) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("Prometheus at %s: no answer within -timeout=%v", p.base, p.timeout)
	case errors.As(err, &dns):
		return fmt.Errorf("cannot find host %s: %v", u.Host, dns.Err)
	}
	return fmt.Errorf("GET %s: %v", u.Redacted(), err)
}

// decodeEnvelope reads the API's answer object, {"status": ..., "data":
// ..., "warnings": [...], "error": ...}, in any key order: data goes to
// readData as it comes, warnings to warn; an error status is a
// *promError.
func decodeEnvelope(dec *json.Decoder, readData func(*json.Decoder) error, warn func(string)) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	var status, errorType, msg string
	sawData := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "status":
			err = dec.Decode(&status)
		case "errorType":
			err = dec.Decode(&errorType)
		case "error":
			err = dec.Decode(&msg)
		case "isPartial": // VictoriaMetrics: some storage nodes did not answer
			var partial bool
			if err = dec.Decode(&partial); err == nil && partial {
				warn("the answer is partial (isPartial: some storage nodes did not answer)")
			}
		case "warnings", "infos":
			var ws []string
			if err = dec.Decode(&ws); err == nil {
				for _, w := range ws {
					warn(w)
				}
			}
		case "data":
			sawData = true
			err = readData(dec)
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	switch {
	case status == "error":
		if msg == "" {
			msg = "no message"
		}
		return &promError{errorType: errorType, msg: msg}
	case status != "success":
		return fmt.Errorf("status %q, want success or error", status)
	case !sawData:
		return errors.New("no data")
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("got %v, want %q", tok, want)
	}
	return nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("got %v, want an object key", tok)
	}
	return key, nil
}

func skipValue(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

// A promSeries is one series of a range query's matrix.
type promSeries struct {
	Metric map[string]string `json:"metric"`
	Values []promPoint       `json:"values"`
}

// A promPoint is one [time, "value"] pair.
type promPoint struct {
	T float64 // seconds since the epoch
	V float64
}

// UnmarshalJSON reads [1435781430.781,"1"] without the cost of a generic
// decode: a week of a fleet is tens of millions of these.
func (p *promPoint) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return fmt.Errorf("bad point %.40q: want [time, \"value\"]", s)
	}
	ts, vs, ok := strings.Cut(s[1:len(s)-1], ",")
	if !ok {
		return fmt.Errorf("bad point %.40q: want [time, \"value\"]", s)
	}
	t, err := strconv.ParseFloat(strings.TrimSpace(ts), 64)
	if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
		return fmt.Errorf("bad point %.40q: bad time", s)
	}
	vs = strings.TrimSpace(vs)
	if len(vs) < 2 || vs[0] != '"' || vs[len(vs)-1] != '"' {
		return fmt.Errorf("bad point %.40q: the value is not a string", s)
	}
	v, err := strconv.ParseFloat(vs[1:len(vs)-1], 64)
	if err != nil {
		return fmt.Errorf("bad point %.40q: bad value", s)
	}
	p.T, p.V = t, v
	return nil
}

// readMatrix reads a query_range answer's data, {"resultType":"matrix",
// "result":[series...]}, handing each series to each as it is decoded.
func readMatrix(dec *json.Decoder, each func(*promSeries) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "resultType":
			var rt string
			if err := dec.Decode(&rt); err != nil {
				return err
			}
			if rt != "matrix" {
				return fmt.Errorf("result type %q, want matrix", rt)
			}
		case "result":
			if err := expectDelim(dec, '['); err != nil {
				return err
			}
			for dec.More() {
				var s promSeries
				if err := dec.Decode(&s); err != nil {
					return err
				}
				if err := each(&s); err != nil {
					return err
				}
			}
			if err := expectDelim(dec, ']'); err != nil {
				return err
			}
		default:
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	return expectDelim(dec, '}')
}

// queryRange runs query over [start, end] at step, in chunks of at most
// maxPointsPerQuery steps that neither repeat nor skip one, handing each
// series of each chunk to each.
func (p *promAPI) queryRange(ctx context.Context, query string, start, end time.Time, step time.Duration, each func(*promSeries) error) error {
	steps := int(end.Sub(start) / step)
	for first := 0; first <= steps; first += maxPointsPerQuery {
		last := min(first+maxPointsPerQuery-1, steps)
		q := url.Values{
			"query": {query},
			"start": {promTime(start.Add(time.Duration(first) * step))},
			"end":   {promTime(start.Add(time.Duration(last) * step))},
			"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
		}
		err := p.get(ctx, "/api/v1/query_range", q, func(dec *json.Decoder) error {
			return readMatrix(dec, each)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func promTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)
}

// series lists the label sets of the series selector matches in [start,
// end].
func (p *promAPI) series(ctx context.Context, selector string, start, end time.Time) ([]map[string]string, error) {
	q := url.Values{"match[]": {selector}, "start": {promTime(start)}, "end": {promTime(end)}}
	var out []map[string]string
	err := p.get(ctx, "/api/v1/series", q, func(dec *json.Decoder) error {
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		for dec.More() {
			var ls map[string]string
			if err := dec.Decode(&ls); err != nil {
				return err
			}
			if len(out) == maxFleetSeries {
				return fmt.Errorf("the selector %s matches more than %d series: narrow it", selector, maxFleetSeries)
			}
			out = append(out, ls)
		}
		return expectDelim(dec, ']')
	})
	return out, err
}

// A promTarget is an active scrape target.
type promTarget struct {
	Labels    map[string]string `json:"labels"`
	ScrapeURL string            `json:"scrapeUrl"`
	Health    string            `json:"health"`
}

// targets lists the active scrape targets (/api/v1/targets); an engine
// that does not scrape (Thanos' querier, a backfilled TSDB) has none.
func (p *promAPI) targets(ctx context.Context) ([]promTarget, error) {
	var out []promTarget
	err := p.get(ctx, "/api/v1/targets", url.Values{"state": {"active"}}, func(dec *json.Decoder) error {
		var data struct {
			Active []promTarget `json:"activeTargets"`
		}
		if err := dec.Decode(&data); err != nil {
			return err
		}
		out = data.Active
		return nil
	})
	return out, err
}

// vectorSelector matches a plain vector selector: a metric name, label
// matchers in braces, or both. Range queries over a fleet are built
// around one (min_over_time(SEL[step])), and batches narrow it by
// instance.
var vectorSelector = regexp.MustCompile(`^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{.*\})?\s*$`)

// checkSelector reports whether sel is a vector selector a fleet can be
// read with.
func checkSelector(sel string) error {
	m := vectorSelector.FindStringSubmatch(sel)
	if m == nil || m[1] == "" && m[2] == "" {
		return fmt.Errorf("selector %q: want a vector selector such as go_goroutines or go_goroutines{job=\"api\"}, not an expression (it is read with min_over_time over each step)", sel)
	}
	return nil
}

// withMatcher adds the label matcher m to the vector selector sel.
func withMatcher(sel, m string) string {
	sel = strings.TrimSpace(sel)
	if strings.HasSuffix(sel, "}") {
		inner := strings.TrimSpace(sel[strings.Index(sel, "{")+1 : len(sel)-1])
		if inner == "" {
			return sel[:strings.Index(sel, "{")] + "{" + m + "}"
		}
		return sel[:len(sel)-1] + "," + m + "}"
	}
	return sel + "{" + m + "}"
}

// batchSelectors splits a fleet's series into selectors of at most
// maxSeriesPerQuery series each, by their instance label. When the
// series are few, or some have no instance label, it is sel alone.
func batchSelectors(sel string, series []map[string]string) []string {
	if len(series) <= maxSeriesPerQuery {
		return []string{sel}
	}
	var instances []string
	for _, ls := range series {
		in, ok := ls["instance"]
		if !ok {
			return []string{sel}
		}
		instances = append(instances, in)
	}
	slices.Sort(instances)
	instances = slices.Compact(instances)
	var out []string
	for len(instances) > 0 {
		n := min(len(instances), maxSeriesPerQuery)
		quoted := make([]string, n)
		for i, in := range instances[:n] {
			quoted[i] = regexp.QuoteMeta(in)
		}
		out = append(out, withMatcher(sel, "instance=~"+strconv.Quote(strings.Join(quoted, "|"))))
		instances = instances[n:]
	}
	return out
}
