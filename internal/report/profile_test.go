package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// The memory a group holds is a second sample value, "held", shared among
// the group's samples by their goroutines and adding up to the group's;
// the default sample type stays the goroutine count.
func TestBuildProfileHeld(t *testing.T) {
	a1 := goroutine(1, "chan send", false, "pkg.send", "pkg.run")
	a2 := goroutine(2, "chan send", false, "pkg.send", "pkg.run")
	a3 := goroutine(3, "chan send", false, "pkg.send", "pkg.run")
	a3.Frames[1].Line = 99 // another sample of the same group
	b1 := goroutine(4, "select", false, "pkg.loop")
	p := BuildProfile([]ProfileGroup{
		{Labels: map[string]string{"fingerprint": "a"}, Goroutines: []*stack.Goroutine{a1, a2, a3}, Held: 1000},
		{Labels: map[string]string{"fingerprint": "b"}, Goroutines: []*stack.Goroutine{b1}, Held: 64},
	}, "test", time.Now())
	var buf bytes.Buffer
	require.NoError(t, p.Write(&buf))
	p, err := profile.Parse(&buf)
	require.NoError(t, err)
	require.Len(t, p.SampleType, 2)
	assert.Equal(t, "held", p.SampleType[1].Type)
	assert.Equal(t, "bytes", p.SampleType[1].Unit)
	assert.Equal(t, "goroutine", p.DefaultSampleType)
	var got [][]int64
	for _, s := range p.Sample {
		got = append(got, s.Value)
	}
	assert.Equal(t, [][]int64{{2, 667}, {1, 333}, {1, 64}}, got)

	// Without memory, one value, as runtime/pprof's goroutine profile.
	p = BuildProfile([]ProfileGroup{{Goroutines: []*stack.Goroutine{b1}}}, "test", time.Now())
	assert.Len(t, p.SampleType, 1)
	assert.Equal(t, []int64{1}, p.Sample[0].Value)
}
