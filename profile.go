package leakcheck

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/pprof/profile"
)

// buildProfile renders leaked goroutines as a goroutine profile in the
// pprof format, the format of runtime/pprof's "goroutine" profile: one
// sample per distinct stack of each kind of leak, its value the number of
// goroutines with that stack, labelled with test, state, proven,
// fingerprint and created_by. Stacks hold function, file and line of
// every frame the goroutine dump shows; frames the runtime elided from
// very deep stacks are missing from it too.
func buildProfile(groups []*pubGroup, subject string, now time.Time) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		PeriodType: &profile.ValueType{Type: "goroutine", Unit: "count"},
		Period:     1,
		TimeNanos:  now.UnixNano(),
		Comments:   []string{"leakcheck: goroutines leaked by " + subject},
	}
	type funcKey struct{ name, file string }
	type locKey struct {
		fn   uint64
		line int
	}
	funcs := make(map[funcKey]*profile.Function)
	locs := make(map[locKey]*profile.Location)
	location := func(f Frame) *profile.Location {
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
		for _, g := range gr.goroutines {
			key := stackKey(g)
			s := samples[key]
			if s == nil {
				s = &profile.Sample{
					Value: []int64{0},
					Label: map[string][]string{
						"test":        {gr.test},
						"state":       {g.State},
						"proven":      {strconv.FormatBool(g.Leaked)},
						"fingerprint": {gr.fingerprint},
						"created_by":  {g.CreatedBy.String()},
					},
				}
				for _, f := range g.Frames {
					s.Location = append(s.Location, location(f))
				}
				samples[key] = s
				p.Sample = append(p.Sample, s)
			}
			s.Value[0]++
		}
	}
	return p
}

// stackKey identifies goroutines that make one sample: same frames, same
// state, same proof.
func stackKey(g *Goroutine) string {
	key := fmt.Sprintf("%s|%t", g.State, g.Leaked)
	for _, f := range g.Frames {
		key += "|" + f.Function + "@" + f.File + ":" + strconv.Itoa(f.Line)
	}
	return key
}

// writeProfile writes the profile of groups to a new file in dir and
// returns its path.
func writeProfile(dir, base string, groups []*pubGroup, subject string) (string, error) {
	f, err := createUnique(dir, base, ".pb.gz")
	if err != nil {
		return "", err
	}
	path := f.Name()
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	err = buildProfile(groups, subject, time.Now()).Write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return path, nil
}
