package report

import (
	"slices"
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

	var groupOf []int
	held := make([]int64, len(groups))
	for gi, gr := range groups {
		// One sample per stack (frames and proof), in order of first
		// appearance.
		samples := make(map[string]*profile.Sample)
		first := len(p.Sample)
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
				p.Sample = append(p.Sample, s)
			}
			s.Value[0] += weight
		}
		for range p.Sample[first:] {
			groupOf = append(groupOf, gi)
		}
		held[gi] = gr.Held
	}
	AddHeld(p, groupOf, held)
	return p
}

// AddHeld adds to p the sample value "held", in bytes, unless p has
// it already or every group holds 0: sample i belongs to group
// groupOf[i], which holds held[groupOf[i]] bytes, shared among its
// samples in proportion to their goroutines (their first value); the
// group's first sample takes what integer division leaves, so that its
// samples add up to what it holds.
func AddHeld(p *profile.Profile, groupOf []int, held []int64) {
	some := false
	for _, h := range held {
		some = some || h > 0
	}
	if !some || len(p.SampleType) != 1 || len(groupOf) != len(p.Sample) {
		return
	}
	p.SampleType = append(p.SampleType, &profile.ValueType{Type: "held", Unit: "bytes"})
	total := make([]int64, len(held))
	for i, s := range p.Sample {
		total[groupOf[i]] += s.Value[0]
	}
	first := make(map[int]*profile.Sample)
	rest := slices.Clone(held)
	for i, s := range p.Sample {
		g := groupOf[i]
		share := int64(0)
		if total[g] > 0 {
			share = held[g] * s.Value[0] / total[g]
		}
		s.Value = append(s.Value, share)
		rest[g] -= share
		if first[g] == nil {
			first[g] = s
		}
	}
	for g, s := range first {
		s.Value[1] += rest[g]
	}
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
