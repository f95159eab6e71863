package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// A ProfileGroup is goroutines that share the labels given here, such as
// a fingerprint and the test or verdict; each sample of theirs also gets
// the labels state, proven and created_by.
type ProfileGroup struct {
	Labels     map[string]string
	Goroutines []*stack.Goroutine
	// Weights, when not nil, holds for each goroutine the number of
	// goroutines it stands for, as in a group of an [Aggregator].
	Weights []int
	// Held is the memory the group's goroutines hold, in bytes, when it
	// was measured; see [BuildProfile].
	Held int64
}

// BuildProfile renders goroutines as a goroutine profile in the pprof
// format, the format of runtime/pprof's "goroutine" profile: one sample
// per distinct stack of each group, its value the number of goroutines
// with that stack. Stacks hold the function, file and line of every frame
// the goroutine dump shows; frames the runtime elided from very deep
// stacks are missing from it too. comment says what the profile shows.
//
// When some group's Held is set, samples have a second value, "held" in
// bytes: the group's Held shared among its samples in proportion to
// their goroutines, so that "go tool pprof -sample_index=held" ranks
// leaks by the memory they hold. The default sample type stays
// "goroutine".
func BuildProfile(groups []ProfileGroup, comment string, now time.Time) *profile.Profile {
	p := &profile.Profile{
		SampleType:        []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		DefaultSampleType: "goroutine",
		PeriodType:        &profile.ValueType{Type: "goroutine", Unit: "count"},
		Period:            1,
		TimeNanos:         now.UnixNano(),
		Comments:          []string{comment},
	}
	held := false
	for _, gr := range groups {
		held = held || gr.Held > 0
	}
	if held {
		p.SampleType = append(p.SampleType, &profile.ValueType{Type: "held", Unit: "bytes"})
	}
	type funcKey struct{ name, file string }
	type locKey struct {
		fn   uint64
		line int
	}
	funcs := make(map[funcKey]*profile.Function)
	locs := make(map[locKey]*profile.Location)
	location := func(f stack.Frame) *profile.Location {
		fk := funcKey{f.Function, f.File}
		fn := funcs[fk]
		if fn == nil {
			fn = &profile.Function{ID: uint64(len(p.Function) + 1), Name: f.Function, SystemName: f.Function, Filename: f.File}
			funcs[fk] = fn
			p.Function = append(p.Function, fn)
		}
		lk := locKey{fn.ID, f.Line}
		loc := locs[lk]
		if loc == nil {
			loc = &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn, Line: int64(f.Line)}}}
			locs[lk] = loc
			p.Location = append(p.Location, loc)
		}
		return loc
	}

	for _, gr := range groups {
		// One sample per stack (frames and proof), in order of first
		// appearance.
		samples := make(map[string]*profile.Sample)
		var order []*profile.Sample
		total := int64(0)
		for i, g := range gr.Goroutines {
			weight := int64(1)
			if i < len(gr.Weights) {
				weight = int64(gr.Weights[i])
			}
			key := sampleKey(g)
			s := samples[key]
			if s == nil {
				s = &profile.Sample{
					Value: make([]int64, len(p.SampleType)),
					Label: map[string][]string{
						"state":      {g.State},
						"proven":     {strconv.FormatBool(g.Proven)},
						"created_by": {g.CreatedBy.String()},
					},
				}
				for k, v := range gr.Labels {
					s.Label[k] = []string{v}
				}
				for _, f := range g.Frames {
					s.Location = append(s.Location, location(f))
				}
				samples[key] = s
				order = append(order, s)
				p.Sample = append(p.Sample, s)
			}
			s.Value[0] += weight
			total += weight
		}
		if held && total > 0 {
			// Shares in proportion to the goroutines; the first sample
			// takes what integer division leaves, so the group's samples
			// add up to Held.
			rest := gr.Held
			for _, s := range order {
				s.Value[1] = gr.Held * s.Value[0] / total
				rest -= s.Value[1]
			}
			order[0].Value[1] += rest
		}
	}
	return p
}

// sampleKey identifies goroutines that make one sample: same frames, same
// state, same proof.
func sampleKey(g *stack.Goroutine) string {
	var b strings.Builder
	b.WriteString(g.State)
	b.WriteString("|")
	b.WriteString(strconv.FormatBool(g.Proven))
	for _, f := range g.Frames {
		b.WriteString("|")
		b.WriteString(f.Function)
		b.WriteString("@")
		b.WriteString(f.Location())
	}
	return b.String()
}
