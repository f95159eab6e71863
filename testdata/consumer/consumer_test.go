package consumer

import (
	"testing"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
)

func TestSamples(t *testing.T) {
	assert.Equal(t, 1, Samples(&profile.Profile{Sample: []*profile.Sample{{}}}))
}
