package measure

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leakcheck/leakcheck/internal/baseline"
	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/publish"
)

// The files of a rerun (see rerun.go): the parent writes a rerunRequest
// and names it in rerunEnv; the child measures, publishes, and then
// creates the request's Result file, which tells the parent that it need
// not publish for the child. The request is JSON, read with the limits
// below and validated before use: a request the child cannot read is an
// error of every check, never a silent change of what the checks do.

// rerunEnv names the private environment variable that makes a test
// binary a rerun: its value is the path of a rerunRequest.
const rerunEnv = "LEAKCHECK_RERUN"

// Limits on what the request may hold. It names each kind of leak of one
// failing check (a report shows at most ten, but the memory of all is
// measured).
const (
	maxRerunFile   = 16 << 20
	maxRerunKinds  = 100_000
	maxRerunWait   = 10 * time.Minute
	maxRerunReason = 1000
)

// A rerunRequest tells a rerun which leaks to measure, and where and how
// to publish what they hold.
type rerunRequest struct {
	st *State // the process's, whose files the child publishes with

	// Test is the test whose check measures, as t.Name() spells it; ""
	// for the package check of VerifyTestMain.
	Test string `json:"test"`
	// Subject is what the parent's report named: the test, or "the
	// tests of PKG".
	Subject string `json:"subject"`
	// Deadlock reports that Test deadlocked in the parent: the child
	// measures the kinds as soon as they show, the test goroutine's among
	// them, without waiting for the test to end.
	Deadlock bool `json:"deadlock,omitempty"`
	// Kinds are the kinds of leak the parent's check found.
	Kinds []rerunKind `json:"kinds"`
	// WaitMillis bounds how long the check waits for the kinds to show.
	WaitMillis int64 `json:"wait_ms"`
	// LimitMillis is the time the rerun may take from its turn on;
	// EndUnixMillis, when every rerun of the parent must have ended;
	// ReadForMillis, how long go test reads the parent's output after
	// the parent exited (0: no limit known).
	LimitMillis   int64 `json:"limit_ms"`
	EndUnixMillis int64 `json:"end_unix_ms"`
	ReadForMillis int64 `json:"read_for_ms"`
	// Frame says how the parent's test output is framed: "", "v" (go
	// test -v) or "test2json" (go test -json).
	Frame string `json:"frame"`
	// Result is the absolute path of the file to create once published.
	Result string `json:"result"`
	// JSON is the absolute path of the JSON lines file to append Records
	// to, with what they hold; "" for none.
	JSON    string               `json:"json,omitempty"`
	Records []publish.JSONRecord `json:"records,omitempty"`
	// Profile is the absolute path of the parent's profile of the leaks,
	// to which the child adds what they hold; "" for none.
	Profile string `json:"profile,omitempty"`
}

// A rerunKind is one kind of leak, as one test leaked it: the published
// group of the parent's report (see pubGroup).
type rerunKind struct {
	Test        string `json:"test"`
	Fingerprint string `json:"fingerprint"`
	Count       int    `json:"count"` // how many goroutines the parent saw
	// Name names the kind for a person: its state and function.
	Name string `json:"name"`
}

func (k rerunKind) key() string { return k.Test + "\x00" + k.Fingerprint }

// wait returns how long the child waits for the leaks to show.
func (r *rerunRequest) wait() time.Duration {
	return time.Duration(r.WaitMillis) * time.Millisecond
}

// A rerunResult is what a rerun measured, or why it did not.
type rerunResult struct {
	// Skipped says why nothing was measured; "" when measured.
	Skipped string
	// Kinds has one entry per kind of the request that the rerun
	// reproduced, wholly or in part.
	Kinds []rerunHeld
	// HeapBytes is the heap the kinds hold together, shared heap included.
	HeapBytes uint64
}

// A rerunHeld is the memory one kind of leak holds in the rerun.
type rerunHeld struct {
	rerunKind  // Count: how many goroutines the rerun measured
	StackBytes uint64
	HeapBytes  uint64
	Largest    []publish.JSONObject
}

// decodeRerunFile reads one JSON value of at most maxRerunFile bytes into
// v, and nothing after it.
func decodeRerunFile(r io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(r, maxRerunFile+1))
	if err != nil {
		return err
	}
	if len(data) > maxRerunFile {
		return fmt.Errorf("larger than %d bytes", maxRerunFile)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// parseRerunRequest reads and validates a request.
func parseRerunRequest(r io.Reader) (*rerunRequest, error) {
	var req rerunRequest
	if err := decodeRerunFile(r, &req); err != nil {
		return nil, err
	}
	switch {
	case !filepath.IsAbs(req.Result):
		return nil, fmt.Errorf("result %q is not an absolute path", req.Result)
	case len(req.Kinds) == 0 || len(req.Kinds) > maxRerunKinds:
		return nil, fmt.Errorf("%d kinds of leak, want 1 to %d", len(req.Kinds), maxRerunKinds)
	case req.WaitMillis < 0 || req.wait() > maxRerunWait:
		return nil, fmt.Errorf("wait of %d ms, want 0 to %v", req.WaitMillis, maxRerunWait)
	case req.LimitMillis <= 0 || req.ReadForMillis < 0 || req.EndUnixMillis <= 0:
		return nil, fmt.Errorf("time limits of %d ms, %d ms and end %d, want positive", req.LimitMillis, req.ReadForMillis, req.EndUnixMillis)
	case req.Frame != "" && req.Frame != "v" && req.Frame != "test2json":
		return nil, fmt.Errorf("frame %q, want \"\", \"v\" or \"test2json\"", req.Frame)
	case len(req.Subject) > maxRerunReason || !isOneLine(req.Subject) || !isOneLine(req.Test):
		return nil, errors.New("the subject or the test's name is not one printable line")
	case req.JSON != "" && !filepath.IsAbs(req.JSON), req.Profile != "" && !filepath.IsAbs(req.Profile):
		return nil, fmt.Errorf("files %q and %q: want absolute paths", req.JSON, req.Profile)
	case req.JSON != "" && len(req.Records) != len(req.Kinds):
		return nil, fmt.Errorf("%d JSON records for %d kinds", len(req.Records), len(req.Kinds))
	}
	seen := make(map[string]bool, len(req.Kinds))
	for _, k := range req.Kinds {
		if err := k.validate(); err != nil {
			return nil, err
		}
		if req.Test != "" && k.Test != req.Test {
			return nil, fmt.Errorf("kind %s of test %q in a rerun of %q", k.Fingerprint, k.Test, req.Test)
		}
		if seen[k.key()] {
			return nil, fmt.Errorf("kind %s of test %q listed twice", k.Fingerprint, k.Test)
		}
		seen[k.key()] = true
	}
	for i, rec := range req.Records {
		if k := req.Kinds[i]; rec.Test != k.Test || rec.Fingerprint != k.Fingerprint {
			return nil, fmt.Errorf("JSON record %d is of kind %s of test %q, want %s of %q", i, rec.Fingerprint, rec.Test, k.Fingerprint, k.Test)
		}
	}
	return &req, nil
}

func (k rerunKind) validate() error {
	if !baseline.IsFingerprint(k.Fingerprint) {
		return fmt.Errorf("fingerprint %q is not 16 hex digits", k.Fingerprint)
	}
	if k.Count < 1 {
		return fmt.Errorf("kind %s: %d goroutines", k.Fingerprint, k.Count)
	}
	if len(k.Name) > maxRerunReason || !isOneLine(k.Name) {
		return fmt.Errorf("kind %s: its name is not one printable line", k.Fingerprint)
	}
	return nil
}

// isOneLine reports whether s is printable text on one line.
func isOneLine(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// held converts a kind's figures to the report's form.
func (h rerunHeld) held() publish.Held {
	m := publish.Held{Stack: h.StackBytes, Heap: h.HeapBytes}
	for _, o := range h.Largest {
		obj := heapdump.Object{Size: o.Bytes}
		if o.Function != "" || o.File != "" {
			obj.Alloc = []heapdump.Frame{{Function: o.Function, File: o.File, Line: o.Line}}
		}
		m.Largest = append(m.Largest, obj)
	}
	return m
}
