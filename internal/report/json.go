package report

import (
	"bytes"
	"encoding/json"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// A Kind describes goroutines of one kind for machines: the fields that
// every JSON record of leakcheck carries, the library's LEAKCHECK_JSON
// lines and the command's --json output alike. The names are stable: add
// fields, never rename or remove them.
type Kind struct {
	Count        int      `json:"count"`
	Fingerprint  string   `json:"fingerprint"`
	State        string   `json:"state"`
	Proven       bool     `json:"proven"`
	WaitSeconds  float64  `json:"wait_seconds"`
	Top          Frame    `json:"top"`
	CreatedBy    Frame    `json:"created_by"`
	Stack        string   `json:"stack"`
	GoroutineIDs []uint64 `json:"goroutine_ids"`
	// Labels are the pprof labels of the first goroutine; the library's
	// checks leave them out.
	Labels map[string]string `json:"labels,omitempty"`
}

// A Frame is a stack frame in JSON.
type Frame struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

func newFrame(f stack.Frame) Frame {
	return Frame{Function: f.Function, File: f.File, Line: f.Line}
}

// Describe returns the Kind of goroutines gs, which share fingerprint;
// the first of them stands for all in the fields of one goroutine.
func Describe(fingerprint string, gs []*stack.Goroutine) Kind {
	ids := make([]uint64, len(gs))
	proven := true
	for i, g := range gs {
		ids[i] = g.ID
		proven = proven && g.Proven
	}
	return newKind(gs[0], fingerprint, len(gs), proven, ids)
}

// newKind fills a Kind whose goroutines first stands for.
func newKind(first *stack.Goroutine, fingerprint string, count int, proven bool, ids []uint64) Kind {
	k := Kind{
		Count:        count,
		Fingerprint:  fingerprint,
		State:        first.State,
		Proven:       proven,
		WaitSeconds:  first.Wait.Seconds(),
		CreatedBy:    newFrame(first.CreatedBy),
		Stack:        first.Stack,
		GoroutineIDs: ids,
	}
	if len(first.Frames) > 0 {
		k.Top = newFrame(first.Frames[0])
	}
	return k
}

// JSONLines encodes each record as one line of JSON, HTML characters
// unescaped, so that stacks and function names stay readable.
func JSONLines[R any](records []R) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, r := range records {
		if err := enc.Encode(r); err != nil { // Encode ends each with '\n'
			return nil, err
		}
	}
	return buf.Bytes(), nil
}
