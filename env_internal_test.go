package leakcheck

import (
	"testing"

	"github.com/leakcheck/leakcheck/internal/baseline"
	"github.com/leakcheck/leakcheck/internal/check"
	"github.com/leakcheck/leakcheck/internal/deadlock"
	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/stretchr/testify/assert"
)

// The engine reads the environment variables and the default wait this
// package documents, under the same names and values.
func TestEngineReadsTheDocumentedSettings(t *testing.T) {
	assert.Equal(t, MaxWaitEnv, check.MaxWaitEnv)
	assert.Equal(t, ProfileDirEnv, publish.ProfileDirEnv)
	assert.Equal(t, JSONEnv, publish.JSONEnv)
	assert.Equal(t, MemoryEnv, check.MemoryEnv)
	assert.Equal(t, DeadlockEnv, deadlock.DeadlockEnv)
	assert.Equal(t, DefaultMaxWait, check.DefaultMaxWait)
	assert.Equal(t, BaselineEnv, baseline.BaselineEnv)
	assert.Equal(t, BaselineUpdateEnv, baseline.BaselineUpdateEnv)
}
