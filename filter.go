package leakcheck

import (
	"errors"
	"fmt"
	"strings"

	"github.com/leakcheck/leakcheck/internal/check"
)

// This file holds the ignore options. Some goroutines no check ever
// reports, whatever the options: the testing package's own, the runtime's
// services (os/signal, finalizers, runtime/trace) and the goroutines of a
// testing/synctest bubble, which synctest itself waits for.

// IgnoreTopFunction ignores goroutines whose innermost frame is the
// function name, fully qualified as it appears in a stack trace, e.g.
// "internal/poll.runtime_pollWait". A goroutine that has not run yet
// shows only the compiler's wrapper for its go statement (such as
// "pkg.F.gowrap1"); a check that waits sees its real frames once it runs.
func IgnoreTopFunction(name string) Option {
	return ignoreName("IgnoreTopFunction", name)
}

// IgnoreAnyFunction ignores goroutines with the function name in any
// frame of their stack, or as their creator.
func IgnoreAnyFunction(name string) Option {
	return ignoreName("IgnoreAnyFunction", name)
}

// IgnoreCreatedBy ignores goroutines started by a go statement in the
// function name, e.g. "go.opencensus.io/stats/view.NewMeter".
func IgnoreCreatedBy(name string) Option {
	return ignoreName("IgnoreCreatedBy", name)
}

// IgnoreIf ignores the goroutines for which match returns true. Match is
// called with a read-only view of each [Goroutine] that would otherwise be
// reported, possibly several times and from the checking goroutine.
func IgnoreIf(match func(g *Goroutine) bool) Option {
	if match == nil {
		return optionError(errors.New("leakcheck: IgnoreIf: nil match function"))
	}
	return optionFunc(func(c *check.Config) { c.Ignores = append(c.Ignores, match) })
}

// IgnoreCurrent ignores the goroutines alive when IgnoreCurrent is called,
// which costs one goroutine dump. Goroutines they start later are not
// ignored.
func IgnoreCurrent() Option {
	snap, err := check.TakeSnapshot()
	if err != nil {
		return optionError(fmt.Errorf("%w (in IgnoreCurrent)", err))
	}
	ids := make(map[uint64]bool, len(snap.Goroutines))
	for _, g := range snap.Goroutines {
		ids[g.ID] = true
	}
	return optionFunc(func(c *check.Config) {
		if c.IgnoreIDs == nil {
			c.IgnoreIDs = make(map[uint64]bool, len(ids))
		}
		for id := range ids {
			c.IgnoreIDs[id] = true
		}
	})
}

func ignoreName(option, name string) Option {
	if strings.TrimSpace(name) == "" {
		return optionError(fmt.Errorf("leakcheck: %s: empty function name", option))
	}
	if strings.ContainsAny(name, " \t\n") {
		return optionError(fmt.Errorf("leakcheck: %s(%q): a function name has no spaces; use the name as printed in a stack trace, e.g. \"net/http.(*persistConn).readLoop\"", option, name))
	}
	match := check.FunctionRule(option, name)
	return optionFunc(func(c *check.Config) { c.Ignores = append(c.Ignores, match) })
}
