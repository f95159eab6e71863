package check

import (
	"time"

	"github.com/leakcheck/leakcheck/internal/measure"
)

// The environment variables and the default wait of the package
// leakcheck, which documents them; its tests check that the values agree.
const (
	MaxWaitEnv  = "LEAKCHECK_MAX_WAIT"
	MemoryEnv   = measure.MemoryEnv
	DeadlockEnv = "LEAKCHECK_DEADLOCK"

	DefaultMaxWait = 5 * time.Second
)
