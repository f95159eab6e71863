package leakcheck

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/report"
)

// JSONEnv names the environment variable of a file to which every failing
// check appends one JSON object per line for each kind of leak, for CI
// to collect. Appending is safe from parallel tests and from the several
// test binaries that "go test ./..." runs at once. The fields are stable:
//
//	time           RFC 3339 time of the record
//	package        import path of the test binary's package
//	test           name of the test that owns the goroutines, "" if unknown
//	check          what was checked: the test's name, or "the tests of PKG"
//	count          number of goroutines of this kind
//	fingerprint    16 hex digits naming the kind of leak across runs: a hash
//	               of the blocking state, the innermost function names and
//	               the creating function
//	state          what they wait for, e.g. "chan send", "select"
//	proven         true when the runtime proved every one of them leaked
//	wait_seconds   how long the runtime says the first one has been
//	               blocked; whole minutes, 0 below a minute
//	check_seconds  how long the check waited for them to finish
//	top            innermost frame: {"function", "file", "line"}
//	created_by     the go statement that started the first one, same form
//	stack          the first one's stack, verbatim from the goroutine dump
//	goroutine_ids  the IDs of all of them
//	profile        the profile written by the same check, if any
//	baseline_go    when the baseline ([BaselineEnv]) was recorded with
//	               other versions of Go than this run's, those versions:
//	               kinds whose stacks the change altered fail as new
//	stack_bytes    when measured, the stack memory they hold, as allocated
//	retained_heap_bytes
//	               when measured, the heap they alone hold: objects
//	               reachable from their frames and from nothing else
//	largest        when measured, up to three of the largest of those
//	               objects: {"bytes", "function", "file", "line"}, the
//	               allocation site when the memory profiler sampled it
//
//	measured_count when the memory was measured on fewer goroutines than
//	               count (a rerun reproduced only some of them), how many
//	memory_not_measured
//	               why the memory was not measured, when it was not
//
// Where the runtime has proven the leak, the memory is measured in a rerun
// of the test, which appends the check's records once it has the figures
// (see [MemoryEnv]): they may come after those of later checks.
//
// A relative path is relative to the test's working directory, its
// package directory: CI should give an absolute path. The variable wins
// over the [JSONFile] option, so that CI decides where files go.
const JSONEnv = "LEAKCHECK_JSON"

// jsonPathFor returns the file for JSON lines, or "" for none:
// LEAKCHECK_JSON if set, else the JSONFile option.
func jsonPathFor(cfg *Config) string {
	if path := os.Getenv(JSONEnv); strings.TrimSpace(path) != "" {
		return path
	}
	return cfg.JSONPath
}

// A jsonRecord is one line of the LEAKCHECK_JSON file: one kind of leak
// found by one check, with the fields documented at JSONEnv.
type jsonRecord struct {
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
	Largest           []jsonObject `json:"largest,omitempty"`
	MeasuredCount     *int         `json:"measured_count,omitempty"`
	MemoryNotMeasured string       `json:"memory_not_measured,omitempty"`
}

// A jsonObject is one of the largest heap objects a kind of leak holds
// alone, and where it was allocated when the memory profiler sampled it.
type jsonObject struct {
	Bytes    uint64 `json:"bytes"`
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// jsonRecords describes each group as one record.
func jsonRecords(groups []*pubGroup, subject string, waited time.Duration, profilePath string, mem *memoryReport) []jsonRecord {
	now := time.Now().Format(time.RFC3339Nano)
	records := make([]jsonRecord, 0, len(groups))
	for _, gr := range groups {
		rec := jsonRecord{
			Time:         now,
			Package:      PackagePath,
			Test:         gr.test,
			Check:        subject,
			Kind:         report.Describe(gr.fingerprint, gr.goroutines),
			CheckSeconds: seconds(waited),
			Profile:      profilePath,
		}
		if held, ok := mem.of(gr); ok {
			rec.StackBytes, rec.RetainedHeapBytes = &held.stack, &held.heap
			rec.Largest = objectsOf(held.largest)
		} else if mem != nil && mem.skipped != "" {
			rec.MemoryNotMeasured = mem.skipped
		}
		records = append(records, rec)
	}
	return records
}

// jsonAppendMu serializes this process's appends (appendJSONLines); O_APPEND and a single write
// per check keep the records of concurrent test binaries whole.
var jsonAppendMu sync.Mutex

// appendJSONLines appends the records to the file at path, one JSON object
// a line, in one write call. The file and its directory are created if
// missing.
func appendJSONLines(path string, records []jsonRecord) error {
	lines, err := report.JSONLines(records)
	if err != nil {
		return err
	}
	jsonAppendMu.Lock()
	defer jsonAppendMu.Unlock()
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

// objectsOf converts the largest objects of a measurement to their JSON
// form: size and allocation site, the parts the reports show.
func objectsOf(objs []heapdump.Object) []jsonObject {
	var out []jsonObject
	for _, o := range objs {
		jo := jsonObject{Bytes: o.Size}
		if len(o.Alloc) > 0 {
			jo.Function, jo.File, jo.Line = o.Alloc[0].Function, o.Alloc[0].File, o.Alloc[0].Line
		}
		out = append(out, jo)
	}
	return out
}
