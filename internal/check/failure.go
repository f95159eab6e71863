package check

import (
	"testing"

	"github.com/leakcheck/leakcheck/internal/measure"
	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/publish"
)

// failureReport renders a failing verdict of subject: it measures the
// memory the leaks hold where this process can, writes the
// machine-readable outputs, and returns the human report, with extra
// (notes of the caller's) after the report itself. Where only a rerun of
// again can measure, it starts the rerun, which publishes the figures
// when it has them, and the report says so: the verdict never waits for
// it. t is nil for VerifyTestMain, Find and the deadlock watcher's tests
// that did not call Verify; cfg is nil for Find, which writes no files;
// again is nil where nothing can be rerun.
func failureReport(t testing.TB, cfg *Config, subject string, v verdict, extra string, again *measure.Rerun) string {
	mem, pub := measureAndPublish(t, cfg, subject, v, again)
	return formatReport(subject, v, mem) + extra + pub.Text
}

// measureAndPublish measures what the leaks of v hold, or starts the
// rerun that will, and writes the machine-readable outputs (none when cfg
// is nil): the memory report and publication that failureReport renders.
func measureAndPublish(t testing.TB, cfg *Config, subject string, v verdict, again *measure.Rerun) (*measure.Report, publish.Publication) {
	groups := publishedGroups(t, v)
	mem := process.measure.Measure(groups, subject, again)
	var pub publish.Publication
	if cfg != nil {
		pub = publish.Leaks(t, publishSettings(cfg), subject, v.waited, groups, mem)
	}
	if mem.Pending() {
		pub.Subject = subject
		if mem = mem.StartRerun(groups, pub); !mem.Pending() {
			pub.Records = publish.JSONRecords(groups, subject, v.waited, pub.ProfilePath, mem)
			pub.AppendRecords(&process.jsonFiles)
		}
	}
	return mem, pub
}

// publishedGroups splits the verdict's leaks by kind and owning test, for
// the outputs (see publish.Groups).
func publishedGroups(t testing.TB, v verdict) []*publish.Group {
	var r *owner.Resolver
	if t == nil && v.snap != nil {
		r = owner.NewResolver(v.snap, scopeName)
	}
	return publish.Groups(t, v.leaks, r)
}

// publishSettings says where a check configured by cfg publishes.
func publishSettings(cfg *Config) publish.Settings {
	return publish.Settings{ProfileDir: cfg.ProfileDir, JSONPath: cfg.JSONPath, BaselineGo: cfg.Baseline.RecordedWith(), Files: &process.jsonFiles}
}
