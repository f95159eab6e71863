package leakcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// The child's side of a rerun (see rerun.go). A test binary started with
// rerunEnv is a rerun: it never asks the runtime for proofs, so that its
// heap dump stays possible, runs no deadlock watcher, and writes none of
// the user's files (profiles, JSON lines, baseline). Its checks do
// nothing but the one the request names, which, instead of waiting for a
// verdict, measures as soon as goroutines of every kind the parent found
// are there, and writes what they hold to the request's result file.

// childRerun is the request this process serves when it is a rerun, nil
// otherwise; childRerunErr says why rerunEnv could not be read. Both are
// read once, at start-up, and rerunEnv is then removed from the
// environment so that processes the tests start are not reruns.
var childRerun, childRerunErr = readRerunRequest()

// rerunPoll bounds the pause between two looks of the child for the
// leaks: a look is one goroutine dump of a small process.
const rerunPoll = 20 * time.Millisecond

func readRerunRequest() (*rerunRequest, error) {
	path, ok := os.LookupEnv(rerunEnv)
	if !ok {
		return nil, nil
	}
	os.Unsetenv(rerunEnv)
	f, err := os.Open(path)
	if err != nil {
		return nil, rerunEnvError(path, err)
	}
	defer f.Close()
	req, err := parseRerunRequest(f)
	if err != nil {
		return nil, rerunEnvError(path, err)
	}
	return req, nil
}

func rerunEnvError(path string, err error) error {
	return fmt.Errorf("leakcheck: %s=%q: %v (leakcheck sets this variable in the test binaries it reruns to measure leaks; unset it)", rerunEnv, path, err)
}

// rerunResultWritten makes the child answer once, whatever checks run.
var rerunResultWritten sync.Once

// checkScope is the check of scope s in a rerun: the test the request
// names measures its leaks, other checks do nothing.
func (req *rerunRequest) checkScope(t testing.TB, s *scope, cfg *config) {
	if req.Test == "" || t.Name() != req.Test {
		return
	}
	req.measureWhenSeen(t, func(snap *snapshot) ([]*Goroutine, []*Goroutine) {
		return s.classify(cfg, snap)
	})
}

// checkPackage is the package check of VerifyTestMain in a rerun: it
// measures the leaks when the request is the package check's.
func (req *rerunRequest) checkPackage(classify classifier) {
	if req.Test == "" {
		req.measureWhenSeen(nil, classify)
	}
}

// measureWhenSeen looks at the goroutines until classify blames, for
// every kind of the request, at least as many goroutines as the parent
// saw, then measures what they hold and writes the result; after the
// request's wait, it writes that the rerun did not reproduce the leak. t
// is nil for the package check.
func (req *rerunRequest) measureWhenSeen(t testing.TB, classify classifier) {
	deadline := time.Now().Add(req.wait())
	pause := time.Millisecond
	for {
		snap, err := takeSnapshot()
		if err != nil {
			req.write(&rerunResult{Skipped: "in the rerun, " + err.Error()})
			return
		}
		leaks, _ := classify(snap)
		leaks, _ = splitSingletons(leaks)
		groups, missing := req.match(publishedGroups(t, verdict{leaks: leaks, snap: snap}))
		if missing == "" {
			req.write(resultOf(groups))
			return
		}
		if !time.Now().Before(deadline) {
			req.write(&rerunResult{Skipped: "the rerun did not reproduce the leak" + missing})
			return
		}
		time.Sleep(pause)
		pause = min(2*pause, rerunPoll)
	}
}

// match returns the groups of the request's kinds, or, when a kind is
// missing or has fewer goroutines than the parent saw, says which.
func (req *rerunRequest) match(groups []*pubGroup) (matched []*pubGroup, missing string) {
	byKey := make(map[string]*pubGroup, len(groups))
	for _, gr := range groups {
		byKey[kindOf(gr).key()] = gr
	}
	for _, k := range req.Kinds {
		gr := byKey[k.key()]
		switch {
		case gr == nil:
			return nil, fmt.Sprintf(" (no goroutine of kind %s after %v)", k.Fingerprint, req.wait())
		case len(gr.goroutines) < k.Count:
			return nil, fmt.Sprintf(" (%d of the %d goroutines of kind %s after %v)", len(gr.goroutines), k.Count, k.Fingerprint, req.wait())
		}
		matched = append(matched, gr)
	}
	return matched, ""
}

// resultOf measures the groups in a heap dump of this process.
func resultOf(groups []*pubGroup) *rerunResult {
	m, proven := measureInProcess(groups)
	switch {
	case proven:
		return &rerunResult{Skipped: "in the rerun too, " + provenReason}
	case m.skipped != "":
		return &rerunResult{Skipped: "in the rerun, " + m.skipped}
	}
	res := &rerunResult{HeapBytes: m.all.heap}
	for _, gr := range groups {
		h := m.byGroup[gr]
		res.Kinds = append(res.Kinds, rerunHeld{
			rerunKind:  kindOf(gr),
			StackBytes: h.stack,
			HeapBytes:  h.heap,
			Largest:    objectsOf(h.largest),
		})
	}
	return res
}

// write writes the result file once, through a temporary file, so that
// the parent never reads half of it.
func (req *rerunRequest) write(res *rerunResult) {
	rerunResultWritten.Do(func() {
		data, err := json.Marshal(res)
		if err != nil {
			return
		}
		tmp := req.Result + ".tmp"
		if os.WriteFile(tmp, data, 0o600) == nil {
			os.Rename(tmp, req.Result)
		}
	})
}
