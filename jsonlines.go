package leakcheck

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// A jsonRecord is one line of the LEAKCHECK_JSON file: one kind of leak
// found by one check. The field names are documented with JSONEnv and
// stable; add fields, never rename or remove them.
type jsonRecord struct {
	Time         string    `json:"time"`
	Package      string    `json:"package"`
	Test         string    `json:"test"`
	Check        string    `json:"check"`
	Count        int       `json:"count"`
	Fingerprint  string    `json:"fingerprint"`
	State        string    `json:"state"`
	Proven       bool      `json:"proven"`
	WaitSeconds  float64   `json:"wait_seconds"`
	CheckSeconds float64   `json:"check_seconds"`
	Top          jsonFrame `json:"top"`
	CreatedBy    jsonFrame `json:"created_by"`
	Stack        string    `json:"stack"`
	GoroutineIDs []uint64  `json:"goroutine_ids"`
	Profile      string    `json:"profile,omitempty"`
}

type jsonFrame struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

func newJSONFrame(f Frame) jsonFrame {
	return jsonFrame{Function: f.Function, File: f.File, Line: f.Line}
}

// jsonRecords describes each group as one record.
func jsonRecords(groups []*pubGroup, subject string, waited time.Duration, profilePath string) []jsonRecord {
	now := time.Now().Format(time.RFC3339Nano)
	records := make([]jsonRecord, 0, len(groups))
	for _, gr := range groups {
		first := gr.goroutines[0]
		rec := jsonRecord{
			Time:         now,
			Package:      packagePath,
			Test:         gr.test,
			Check:        subject,
			Count:        len(gr.goroutines),
			Fingerprint:  gr.fingerprint,
			State:        first.State,
			Proven:       allProven(gr.goroutines),
			WaitSeconds:  first.Wait.Seconds(),
			CheckSeconds: seconds(waited),
			CreatedBy:    newJSONFrame(first.CreatedBy),
			Stack:        first.Stack,
			GoroutineIDs: make([]uint64, len(gr.goroutines)),
			Profile:      profilePath,
		}
		if len(first.Frames) > 0 {
			rec.Top = newJSONFrame(first.Frames[0])
		}
		for i, g := range gr.goroutines {
			rec.GoroutineIDs[i] = g.ID
		}
		records = append(records, rec)
	}
	return records
}

// jsonMu serializes this process's appends; O_APPEND and a single write
// per check keep the records of concurrent test binaries whole.
var jsonMu sync.Mutex

// appendJSONLines appends the records to the file at path, one JSON object
// a line, in one write call. The file and its directory are created if
// missing.
func appendJSONLines(path string, records []jsonRecord) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, r := range records {
		if err := enc.Encode(r); err != nil { // Encode ends each with '\n'
			return err
		}
	}
	jsonMu.Lock()
	defer jsonMu.Unlock()
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return err
	}
	_, err = f.Write(buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
