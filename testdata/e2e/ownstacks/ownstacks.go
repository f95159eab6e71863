// Package ownstacks prints stack traces as programs do in their logs:
// debug.Stack of the calling goroutine, and runtime.Stack of all of
// them. Its tests take such traces in a tight loop while leakcheck's
// checks and its deadlock watcher read the goroutines, and assert that
// leakcheck's label never shows in them.
package ownstacks

import (
	"bytes"
	"runtime"
	"runtime/debug"
)

// Own returns the calling goroutine's trace, as a panic handler logs it.
func Own() []byte { return debug.Stack() }

// All returns every goroutine's trace, as a debug endpoint serves it.
func All(buf []byte) []byte { return buf[:runtime.Stack(buf, true)] }

// LabelLines returns the header lines of trace ("goroutine N [...]:")
// that name the label key, in the format of any toolchain:
// `labels:{"key": "v"}` (go1.26) or `{key: v}` (go1.27).
func LabelLines(trace []byte, key string) []string {
	var out []string
	for _, line := range bytes.Split(trace, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("goroutine ")) {
			continue
		}
		if bytes.Contains(line, []byte(`"`+key+`":`)) || bytes.Contains(line, []byte(`{`+key+`:`)) || bytes.Contains(line, []byte(`, `+key+`:`)) {
			out = append(out, string(line))
		}
	}
	return out
}
