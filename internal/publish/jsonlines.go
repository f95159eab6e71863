// Package publish writes the machine-readable forms of a failing check:
// the JSON lines (LEAKCHECK_JSON), the pprof goroutine profile
// (LEAKCHECK_PROFILE_DIR), their file names, and the kinds of leak as they
// show them, split by owning test.
package publish

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

// JSONPathFor returns the file for JSON lines, or "" for none:
// LEAKCHECK_JSON if set, else the JSONFile option.
func JSONPathFor(option string) string {
	if path := os.Getenv(JSONEnv); strings.TrimSpace(path) != "" {
		return path
	}
	return option
}

// A JSONRecord is one line of the LEAKCHECK_JSON file: one kind of leak
// found by one check, with the fields documented at JSONEnv.
type JSONRecord struct {
	Time         string  `json:"time"`
	Package      string  `json:"package"`
	Test         string  `json:"test"`
	Check        string  `json:"check"`
	report.Kind          // count, fingerprint, state, ..., goroutine_ids
	CheckSeconds float64 `json:"check_seconds"`
	Profile      string  `json:"profile,omitempty"`
	BaselineGo   string  `json:"baseline_go,omitempty"`
	// The memory the goroutines hold, when the check measured it.
	StackBytes        *uint64      `json:"stack_bytes,omitempty"`
	RetainedHeapBytes *uint64      `json:"retained_heap_bytes,omitempty"`
	Largest           []JSONObject `json:"largest,omitempty"`
	MeasuredCount     *int         `json:"measured_count,omitempty"`
	MemoryNotMeasured string       `json:"memory_not_measured,omitempty"`
}

// A JSONObject is one of the largest heap objects a kind of leak holds
// alone, and where it was allocated when the memory profiler sampled it.
type JSONObject struct {
	Bytes    uint64 `json:"bytes"`
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// JSONRecords describes each group as one record.
func JSONRecords(groups []*Group, subject string, waited time.Duration, profilePath string, mem Memory) []JSONRecord {
	now := time.Now().Format(time.RFC3339Nano)
	records := make([]JSONRecord, 0, len(groups))
	for _, gr := range groups {
		rec := JSONRecord{
			Time:         now,
			Package:      runtimeread.PackagePath,
			Test:         gr.Test,
			Check:        subject,
			Kind:         report.Describe(gr.Fingerprint, gr.Goroutines),
			CheckSeconds: seconds(waited),
			Profile:      profilePath,
		}
		if held, ok := heldOf(mem, gr); ok {
			rec.StackBytes, rec.RetainedHeapBytes = &held.Stack, &held.Heap
			rec.Largest = JSONObjectsOf(held.Largest)
		} else if mem != nil && mem.Skipped() != "" {
			rec.MemoryNotMeasured = mem.Skipped()
		}
		records = append(records, rec)
	}
	return records
}

// A JSONFiles appends JSON lines for a process: it serializes the
// process's appends; O_APPEND and a single write per check keep the
// records of concurrent test binaries whole. The zero JSONFiles is ready.
type JSONFiles struct {
	mu sync.Mutex
}

// Append appends the records to the file at path, one JSON object a
// line, in one write call. The file and its directory are created if
// missing.
func (files *JSONFiles) Append(path string, records []JSONRecord) error {
	lines, err := report.JSONLines(records)
	if err != nil {
		return err
	}
	files.mu.Lock()
	defer files.mu.Unlock()
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return err
	}
	_, err = f.Write(lines)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// JSONObjectsOf converts the largest objects of a measurement to their JSON
// form: size and allocation site, the parts the reports show.
func JSONObjectsOf(objs []heapdump.Object) []JSONObject {
	var out []JSONObject
	for _, o := range objs {
		jo := JSONObject{Bytes: o.Size}
		if len(o.Alloc) > 0 {
			jo.Function, jo.File, jo.Line = o.Alloc[0].Function, o.Alloc[0].File, o.Alloc[0].Line
		}
		out = append(out, jo)
	}
	return out
}
