package runtimeread

import (
	"bytes"
	"maps"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// Leakcheck reads goroutines' pprof labels from the goroutine profile,
// never by switching GODEBUG=tracebacklabels=1 on around its dumps: that
// setting is the whole process's, so a debug.Stack or a panic's trace
// that another goroutine printed meanwhile would carry leakcheck's label
// ("{leakcheck: 32}") into the program's own output. The profile has the
// labels of each stack, with counts and without goroutine IDs; they are
// matched to the dump's goroutines by stack, and the goroutines of one
// stack with different labels through their creators.

// labelsProfile is the goroutine profile, read for its labels; nil if the
// runtime lacks it.
var labelsProfile = pprof.Lookup("goroutine")

// readLabelsName is the name of the function that reads the profile, by
// which its reader's own record is told apart.
const readLabelsName = "github.com/leakcheck/leakcheck/internal/runtimeread.readProfileLabels"

// profileLabels is what the goroutine profile says of labels: the label
// sets of each stack, and those of the goroutine that read it.
type profileLabels struct {
	byStack map[string][]labelCount
	self    map[string]string
}

// A labelCount is a label set and how many goroutines of one stack carry
// it.
type labelCount struct {
	labels map[string]string
	n      int
}

// readProfileLabels reads the goroutine profile's labels. It reports
// false when the profile cannot be read. The caller holds reading.
func readProfileLabels() (profileLabels, bool) {
	if labelsProfile == nil {
		return profileLabels{}, false
	}
	var buf bytes.Buffer
	if labelsProfile.WriteTo(&buf, 1) != nil {
		return profileLabels{}, false
	}
	pl := profileLabels{byStack: make(map[string][]labelCount)}
	_, _, err := stack.ScanProfileText(&buf, func(r *stack.Record) error {
		for _, f := range r.Frames {
			if f.Function == readLabelsName {
				pl.self = maps.Clone(r.Labels)
				return nil
			}
		}
		k := stackKey(r.Frames)
		pl.byStack[k] = append(pl.byStack[k], labelCount{maps.Clone(r.Labels), r.Count})
		return nil
	})
	return pl, err == nil
}

// keyFrames bounds the frames a stack's key holds: dumps elide frames
// past 100, profiles keep 128 or, before go1.23, 32.
const keyFrames = 32

// stackKey identifies a stack alike in a dump and in the profile's text:
// the profile leaves out the runtime frames on top of a stack, and the
// dump the runtime's unexported functions anywhere, so the key keeps
// neither.
func stackKey(frames []stack.Frame) string {
	var b strings.Builder
	n, top := 0, true
	for _, f := range frames {
		if top && (strings.HasPrefix(f.Function, "runtime.") || strings.HasPrefix(f.Function, "internal/runtime/")) {
			continue
		}
		top = false
		if hiddenRuntimeFrame(f.Function) {
			continue
		}
		if n++; n > keyFrames {
			break
		}
		b.WriteString(f.Function)
		b.WriteByte(' ')
		b.WriteString(f.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
		b.WriteByte('\n')
	}
	return b.String()
}

// hiddenRuntimeFrame reports whether a dump leaves out frames of fn: the
// runtime's unexported functions.
func hiddenRuntimeFrame(fn string) bool {
	name, ok := strings.CutPrefix(fn, "runtime.")
	return ok && name != "" && !('A' <= name[0] && name[0] <= 'Z')
}

// attachLabels gives the goroutines of a dump the labels the profile
// read after it says they have, but for those already decided; gs[0] is
// the goroutine that took the
// dump (runtime.Stack lists it first), which takes the profile's reader's
// labels. A goroutine whose stack carries one label set (or none) in the
// profile takes it; where goroutines of one stack carry different sets, each
// takes its creator's set when the creator is in the dump and its set is
// among them, and the rest, when a single set is left for them. A
// goroutine left undecided keeps no labels: the creator links (owner.go)
// still attribute it.
func attachLabels(gs []stack.Goroutine, decided []bool, pl profileLabels, testScope func(goid uint64) string) {
	if len(gs) == 0 {
		return
	}
	if !decided[0] {
		gs[0].Labels, decided[0] = pl.self, true
	}
	var ambiguous []int
	keys := make([]string, len(gs))
	for i := 1; i < len(gs); i++ {
		if decided[i] {
			// Known already: its set is not left for the others.
			if sets := pl.byStack[stackKey(gs[i].Frames)]; len(sets) > 1 {
				takeSet(sets, gs[i].Labels)
			}
		}
	}
	for i := 1; i < len(gs); i++ {
		if decided[i] {
			continue
		}
		keys[i] = stackKey(gs[i].Frames)
		switch sets := pl.byStack[keys[i]]; len(sets) {
		case 0: // gone, or its stack changed since: the next dump tells
		case 1:
			gs[i].Labels, decided[i] = sets[0].labels, true
		default:
			ambiguous = append(ambiguous, i)
		}
	}
	if len(ambiguous) == 0 {
		return
	}
	index := make(map[uint64]int, len(gs))
	for i := range gs {
		index[gs[i].ID] = i
	}
	// Creators first, over and over while that decides more: a creator
	// may itself be one of the undecided.
	for progress := true; progress; {
		progress = false
		rest := ambiguous[:0]
		for _, i := range ambiguous {
			if p, ok := index[gs[i].ParentID]; ok && decided[p] && takeSet(pl.byStack[keys[i]], gs[p].Labels) {
				gs[i].Labels, decided[i] = gs[p].Labels, true
				progress = true
				continue
			}
			rest = append(rest, i)
		}
		ambiguous = rest
	}
	// A test goroutine's labels change when its check begins (scope.go),
	// so a goroutine it started takes the set that names its scope.
	rest := ambiguous[:0]
	for _, i := range ambiguous {
		if id := testScope(gs[i].ParentID); id != "" {
			if set := takeScope(pl.byStack[keys[i]], id); set != nil {
				gs[i].Labels, decided[i] = set, true
				continue
			}
		}
		rest = append(rest, i)
	}
	ambiguous = rest
	for _, i := range ambiguous {
		var left []int
		for j, s := range pl.byStack[keys[i]] {
			if s.n > 0 {
				left = append(left, j)
			}
		}
		if len(left) == 1 {
			s := &pl.byStack[keys[i]][left[0]]
			gs[i].Labels, decided[i] = s.labels, true
			s.n--
			continue
		}
		// Nothing tells which of the sets is its: no later read would
		// either, so it stays without labels rather than costing every
		// dump a read of the profile.
		decided[i] = true
	}
}

// takeScope counts one goroutine against the set among sets whose scope
// label is id, and returns it; nil if none is left.
func takeScope(sets []labelCount, id string) map[string]string {
	for j := range sets {
		if sets[j].n > 0 && sets[j].labels[LabelKey] == id {
			sets[j].n--
			return sets[j].labels
		}
	}
	return nil
}

// takeSet counts one goroutine against the set equal to labels among
// sets, and reports whether there was one left.
func takeSet(sets []labelCount, labels map[string]string) bool {
	for j := range sets {
		if sets[j].n > 0 && maps.Equal(sets[j].labels, labels) {
			sets[j].n--
			return true
		}
	}
	return false
}

// LabelKey is the pprof label that marks every goroutine started, at any
// depth, by a test that called Verify. Its value is the scope ID.
const LabelKey = "leakcheck"

// labelMemory is what the reads of labels remember from read to read
// (the caller holds reading):
//
//   - known holds the labels of the goroutines of the last dump, as
//     readLabels found them, and those setLabels gave test goroutines: a
//     goroutine keeps the labels it was created with unless it sets
//     others itself, so most dumps need no profile. readLabels and
//     NoteLabels fill it;
//   - runner holds the labels of goroutines blocked in
//     testing.(*T).Run, as the tests they started found them at their
//     Verify: the next test one starts has the same.
type labelMemory struct {
	known  map[uint64]map[string]string
	runner map[uint64]map[string]string
}

// A ScopeIndex tells the labels that a Verify scope gives the goroutines
// its test goroutine starts (the package check's scopes).
type ScopeIndex interface {
	// TestScopeLabels returns the labels a goroutine started by the test
	// goroutine goid has, and false if goid is no test goroutine.
	TestScopeLabels(goid uint64) (map[string]string, bool)
	// ScopeOfTestGoroutine returns the ID of the newest scope whose test
	// goroutine is goid, or "".
	ScopeOfTestGoroutine(goid uint64) string
}

// startedByRunner reports whether g is a test's goroutine, which
// testing.(*T).Run started.
func startedByRunner(g *stack.Goroutine) bool {
	return g.CreatedBy.Function == "testing.(*T).Run"
}

// NoteLabels records the labels setLabels gave the goroutine goid.
func (r *Reader) NoteLabels(goid uint64, labels map[string]string) {
	r.Reading.Lock()
	defer r.Reading.Unlock()
	r.labels.known[goid] = labels
}

// readLabels gives the dump's goroutines their labels, unless the dump
// shows them itself (the runtime prints labels where the user asked it
// to, and by default from go1.27 in modules that say go 1.27). A
// goroutine seen before keeps the labels found then; one a test goroutine
// started has those its scope gave the test goroutine, and one whose
// creator is in the dump with its labels known has the creator's (a
// goroutine started inside pprof.Do had the labels pprof.Do gave, which
// then go unseen: its owner, leakcheck's label, is what matters, and a
// profile read for every goroutine a server starts would cost a check
// twice its dump). Only goroutines none of that decides cost a read of
// the goroutine profile. all tells a dump of
// every goroutine, after which goroutines no longer there are forgotten.
// The caller holds reading.
func (r *Reader) readLabels(gs []stack.Goroutine, all bool) {
	for i := range gs {
		if gs[i].Labels != nil {
			return
		}
	}
	decided := make([]bool, len(gs))
	left := len(gs)
	for i := range gs {
		if i == 0 && !all {
			continue // a goroutine may change its own labels: read them
		}
		if labels, ok := r.labels.known[gs[i].ID]; ok {
			gs[i].Labels, decided[i] = labels, true
			left--
		}
	}
	if all && !decided[0] {
		// The goroutine taking the dump is leakcheck's, in a check or
		// the watcher: its labels attribute nothing.
		decided[0] = true
		left--
	}
	var index map[uint64]int
	for progress := left > 0; progress; {
		progress = false
		for i := range gs {
			if decided[i] {
				continue
			}
			labels, ok := r.scopes().TestScopeLabels(gs[i].ParentID)
			if !ok && i == 0 && startedByRunner(&gs[0]) {
				labels, ok = r.labels.runner[gs[i].ParentID]
			}
			if !ok && all {
				if index == nil {
					index = make(map[uint64]int, len(gs))
					for j := range gs {
						index[gs[j].ID] = j
					}
				}
				var p int
				if p, ok = index[gs[i].ParentID]; ok && decided[p] && p != 0 {
					labels = gs[p].Labels
				} else {
					ok = false
				}
			}
			if ok {
				gs[i].Labels, decided[i] = labels, true
				left--
				progress = true
			}
		}
	}
	if left > 0 {
		if pl, ok := readProfileLabels(); ok {
			selfKnown := decided[0]
			attachLabels(gs, decided, pl, r.scopes().ScopeOfTestGoroutine)
			if !all && !selfKnown && startedByRunner(&gs[0]) {
				r.labels.runner[gs[0].ParentID] = gs[0].Labels
			}
		}
	}
	if all {
		clear(r.labels.known)
		for id := range r.labels.runner {
			if !containsGoroutine(gs, id) {
				delete(r.labels.runner, id)
			}
		}
	}
	for i := 1; i < len(gs); i++ {
		if decided[i] {
			r.labels.known[gs[i].ID] = gs[i].Labels
		}
	}
}

// containsGoroutine reports whether gs holds the goroutine id.
func containsGoroutine(gs []stack.Goroutine, id uint64) bool {
	for i := range gs {
		if gs[i].ID == id {
			return true
		}
	}
	return false
}

// scopes returns the Reader's ScopeIndex, or one without scopes when
// nobody set it (a Reader outside the checks, as in tests).
func (r *Reader) scopes() ScopeIndex {
	if r.Scopes == nil {
		return noScopes{}
	}
	return r.Scopes
}

// noScopes is a ScopeIndex without scopes.
type noScopes struct{}

func (noScopes) TestScopeLabels(uint64) (map[string]string, bool) { return nil, false }
func (noScopes) ScopeOfTestGoroutine(uint64) string               { return "" }
