package main

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A day of floors at a 2-minute step, as -since 24h reads them.
const (
	testStep  = 2 * time.Minute
	testSteps = 720
)

// poissonish returns a count around mean that varies as requests in
// flight do.
func poissonish(r *rand.Rand, mean float64) float32 {
	return float32(math.Max(0, math.Round(mean+r.NormFloat64()*math.Sqrt(mean))))
}

func floorsOf(n int, f func(i int) float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func judgeOne(floors []float32) *fleetInstance {
	in := &fleetInstance{floors: floors, job: "j", name: "i"}
	fleetJudge{step: testStep, grow: defaultGrow, growSamples: defaultGrowSamples}.judge([]*fleetInstance{in})
	return in
}

func TestFleetJudgeShapes(t *testing.T) {
	perStep := func(perHour float64) float64 { return perHour * testStep.Hours() }
	for _, tc := range []struct {
		name    string
		floors  func(r *rand.Rand) []float32
		verdict string
		lives   int // 0: any
		shifts  int // -1: any
	}{
		{"steady", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(int) float32 { return poissonish(r, 120) })
		}, verdictOK, 1, 0},
		{"bursty floors", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(int) float32 {
				if r.Intn(5) == 0 {
					return poissonish(r, 300) // a burst spans the whole step
				}
				return poissonish(r, 40)
			})
		}, verdictOK, 0, -1},
		{"slow leak, +40/h", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 { return poissonish(r, 100+perStep(40)*float64(i)) })
		}, verdictSuspect, 1, 0},
		{"leak reset by restarts every 6h", func(r *rand.Rand) []float32 {
			per6h := int(6 * time.Hour / testStep)
			return floorsOf(testSteps, func(i int) float32 { return poissonish(r, 50+perStep(20)*float64(i%per6h)) })
		}, verdictSuspect, 4, -1},
		{"deploy: a step from 50 to 150", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 {
				if i < testSteps/2 {
					return poissonish(r, 50)
				}
				return poissonish(r, 150)
			})
		}, verdictOK, 1, 1},
		{"two deploys, up then up", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 { return poissonish(r, 50+80*float64(i/(testSteps/3))) })
		}, verdictOK, 1, -1},
		{"steady, restarted", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 {
				if i%200 < 3 {
					return poissonish(r, 20) // starting up
				}
				return poissonish(r, 120)
			})
		}, verdictOK, 0, -1}, // each life begins with a step up, its warm-up
		{"steady with gaps", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 {
				if i%100 > 80 {
					return float32(math.NaN()) // scrapes failed
				}
				return poissonish(r, 120)
			})
		}, verdictOK, 1, 0},
		{"leak with gaps", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 {
				if i%100 > 60 {
					return float32(math.NaN())
				}
				return poissonish(r, 100+perStep(30)*float64(i))
			})
		}, verdictSuspect, 1, -1},
		{"a leak that grows in many jumps", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 { return poissonish(r, 100+50*float64(i/60)) })
		}, verdictSuspect, 1, 0},
		{"a pool filling up, then holding", func(r *rand.Rand) []float32 {
			return floorsOf(testSteps, func(i int) float32 { return poissonish(r, 20+math.Min(float64(i), 100)) })
		}, verdictOK, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := int64(1); seed <= 5; seed++ {
				in := judgeOne(tc.floors(rand.New(rand.NewSource(seed))))
				assert.Equal(t, tc.verdict, in.verdict, "seed %d: %s", seed, in.note)
				if tc.lives > 0 {
					assert.Len(t, in.lives, tc.lives, "seed %d", seed)
				}
				shifts := 0
				for _, l := range in.lives {
					shifts += len(l.shifts)
				}
				if tc.shifts >= 0 {
					assert.Equal(t, tc.shifts, shifts, "seed %d: level shifts", seed)
				}
			}
		})
	}
}

// A fleet of a thousand healthy instances, steady and bursty, restarted
// and redeployed, flags none: the significance is shared among all the
// lives judged.
func TestFleetJudgeNoFalseFlags(t *testing.T) {
	r := rand.New(rand.NewSource(28))
	var fleet []*fleetInstance
	for i := 0; i < 1000; i++ {
		mean := 20 + r.Float64()*400
		deployAt := r.Intn(testSteps)
		fleet = append(fleet, &fleetInstance{name: fmt.Sprint(i), floors: floorsOf(testSteps, func(k int) float32 {
			m := mean
			switch i % 4 {
			case 1: // bursty
				if r.Intn(4) == 0 {
					m *= 3
				}
			case 2: // restarted daily-ish
				if k%300 < 2 {
					m = 10
				}
			case 3: // redeployed with more workers
				if k >= deployAt {
					m += 100
				}
			}
			return poissonish(r, m)
		})})
	}
	fleetJudge{step: testStep, grow: defaultGrow, growSamples: defaultGrowSamples}.judge(fleet)
	for _, in := range fleet {
		assert.Equal(t, verdictOK, in.verdict, "instance %s: %s", in.name, in.note)
	}
}

// Growth per hour is read off the trend, whatever the step.
func TestFleetJudgeRate(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	in := judgeOne(floorsOf(testSteps, func(i int) float32 { return poissonish(r, 100+float64(i)*40*testStep.Hours()) }))
	assert.InDelta(t, 40, in.perHour, 4, in.note)
}

// The selection gives the median a sort gives, ties and all.
func TestMedianInPlace(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for n := 0; n < 200; n++ {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(r.Intn(7)) // many ties
			if r.Intn(3) == 0 {
				xs[i] = r.NormFloat64()
			}
		}
		want := median(xs)
		assert.Equal(t, want, medianInPlace(xs), "n=%d", n)
	}
}
