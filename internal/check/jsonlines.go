package check

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

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
			Package:      runtimeread.PackagePath,
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

// appendJSONLines appends the records to the file at path, one JSON object
// a line, in one write call. The file and its directory are created if
// missing.
func appendJSONLines(path string, records []jsonRecord) error {
	lines, err := report.JSONLines(records)
	if err != nil {
		return err
	}
	process.jsonAppendMu.Lock()
	defer process.jsonAppendMu.Unlock()
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
