package leakcheck

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

	"github.com/leakcheck/leakcheck/internal/heapdump"
)

// The two files of a rerun (see rerun.go): the parent writes a
// rerunRequest, names it in rerunEnv, and reads back the rerunResult the
// child writes. Both are JSON, read with the limits below, and validated
// before use: a file the parent cannot trust leaves the memory "not
// measured", and a request the child cannot read is an error of every
// check, never a silent change of what the checks do.

// rerunEnv names the private environment variable that makes a test
// binary a rerun: its value is the path of a rerunRequest.
const rerunEnv = "LEAKCHECK_RERUN"

// Limits on what the files may hold. A request names each kind of leak
// of one failing check (a report shows at most ten, but the memory of all
// is measured); a result says what each holds.
const (
	maxRerunFile   = 16 << 20
	maxRerunKinds  = 100_000
	maxRerunWait   = 10 * time.Minute
	maxRerunReason = 1000
)

// A rerunRequest tells a rerun which leaks to measure.
type rerunRequest struct {
	// Test is the test whose check measures, as t.Name() spells it; ""
	// for the package check of VerifyTestMain.
	Test string `json:"test"`
	// Kinds are the kinds of leak the parent's check found.
	Kinds []rerunKind `json:"kinds"`
	// WaitMillis bounds how long the check waits for the kinds to show.
	WaitMillis int64 `json:"wait_ms"`
	// Result is the absolute path of the file to write the rerunResult to.
	Result string `json:"result"`
}

// A rerunKind is one kind of leak, as one test leaked it: the published
// group of the parent's report (see pubGroup).
type rerunKind struct {
	Test        string `json:"test"`
	Fingerprint string `json:"fingerprint"`
	Count       int    `json:"count"` // how many goroutines the parent saw
}

func (k rerunKind) key() string { return k.Test + "\x00" + k.Fingerprint }

// wait returns how long the child waits for the leaks to show.
func (r *rerunRequest) wait() time.Duration {
	return time.Duration(r.WaitMillis) * time.Millisecond
}

// A rerunResult is what a rerun measured, or why it did not.
type rerunResult struct {
	// Skipped says why nothing was measured; "" when measured.
	Skipped string `json:"skipped,omitempty"`
	// Kinds has one entry per kind of the request, in any order.
	Kinds []rerunHeld `json:"kinds,omitempty"`
	// HeapBytes is the heap the kinds hold together, shared heap included.
	HeapBytes uint64 `json:"heap_bytes"`
}

// A rerunHeld is the memory one kind of leak holds in the rerun.
type rerunHeld struct {
	rerunKind               // Count: how many goroutines the rerun measured
	StackBytes uint64       `json:"stack_bytes"`
	HeapBytes  uint64       `json:"heap_bytes"`
	Largest    []jsonObject `json:"largest,omitempty"`
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
	return &req, nil
}

func (k rerunKind) validate() error {
	if !isFingerprint(k.Fingerprint) {
		return fmt.Errorf("fingerprint %q is not 16 hex digits", k.Fingerprint)
	}
	if k.Count < 1 {
		return fmt.Errorf("kind %s: %d goroutines", k.Fingerprint, k.Count)
	}
	return nil
}

// parseRerunResult reads a result and checks it against the request it
// answers: every kind requested, once, nothing else, and sizes that add
// up.
func parseRerunResult(r io.Reader, req *rerunRequest) (*rerunResult, error) {
	var res rerunResult
	if err := decodeRerunFile(r, &res); err != nil {
		return nil, err
	}
	if res.Skipped != "" {
		if len(res.Skipped) > maxRerunReason || !isOneLine(res.Skipped) {
			return nil, errors.New("the reason it did not measure is not one printable line")
		}
		if len(res.Kinds) > 0 {
			return nil, errors.New("kinds measured, and a reason not to measure")
		}
		return &res, nil
	}
	want := make(map[string]bool, len(req.Kinds))
	for _, k := range req.Kinds {
		want[k.key()] = true
	}
	var sum uint64
	for _, h := range res.Kinds {
		if err := h.validate(); err != nil {
			return nil, err
		}
		if !want[h.key()] {
			return nil, fmt.Errorf("kind %s of test %q was not asked for, or is listed twice", h.Fingerprint, h.Test)
		}
		delete(want, h.key())
		if sum+h.HeapBytes < sum {
			return nil, errors.New("heap sizes overflow")
		}
		sum += h.HeapBytes
	}
	if len(want) > 0 {
		return nil, fmt.Errorf("%d of the kinds asked for are missing", len(want))
	}
	if res.HeapBytes < sum {
		return nil, fmt.Errorf("the kinds hold %d bytes of heap alone, more than the %d they hold together", sum, res.HeapBytes)
	}
	return &res, nil
}

func (h rerunHeld) validate() error {
	if err := h.rerunKind.validate(); err != nil {
		return err
	}
	if len(h.Largest) > maxLargest {
		return fmt.Errorf("kind %s: %d largest objects, at most %d", h.Fingerprint, len(h.Largest), maxLargest)
	}
	for _, o := range h.Largest {
		if o.Bytes > h.HeapBytes || o.Line < 0 {
			return fmt.Errorf("kind %s: an object of %d bytes at line %d in %d bytes of heap", h.Fingerprint, o.Bytes, o.Line, h.HeapBytes)
		}
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
func (h rerunHeld) held() heldMemory {
	m := heldMemory{stack: h.StackBytes, heap: h.HeapBytes}
	for _, o := range h.Largest {
		obj := heapdump.Object{Size: o.Bytes}
		if o.Function != "" || o.File != "" {
			obj.Alloc = []heapdump.Frame{{Function: o.Function, File: o.File, Line: o.Line}}
		}
		m.largest = append(m.largest, obj)
	}
	return m
}
