package leakcheck

import "github.com/leakcheck/leakcheck/internal/stack"

// A Goroutine is one goroutine as a check sees it in the runtime's
// goroutine dump. [IgnoreIf] predicates receive it, and [LeakError]
// lists the goroutines of a failing [Find]. Its fields:
//
//   - ID: the runtime's goroutine ID.
//   - State: what it waits for, or its scheduling status, without
//     decorations: "chan receive", "select", "sync.Mutex.Lock",
//     "sleep", "IO wait", "running".
//   - Wait: how long it has been blocked, as the runtime says: in whole
//     minutes, and zero below one minute.
//   - Proven: whether the runtime proved it leaked, blocked on channels
//     or locks that nothing alive can reach (go1.27, or go1.26 with
//     GOEXPERIMENT=goroutineleakprofile).
//   - LockedToThread: whether it is wired to its OS thread.
//   - Labels: its pprof labels, nil when it has none; in a check they
//     include the label "leakcheck", whose value names the [Verify] call
//     that owns it.
//   - Frames: its call stack, innermost first, each a [Frame] with the
//     function and file:line; ElidedFrames counts those the runtime left
//     out of a very deep stack.
//   - CreatedBy: the go statement that started it (an empty Function for
//     the main goroutine), and ParentID the goroutine that ran it, zero
//     when the runtime did not say.
//   - Ancestors: the IDs of the creating goroutines, nearest first, when
//     the binary runs with GODEBUG=tracebackancestors=N.
//   - Stack: its block of the dump, verbatim.
//
// Its methods TopFunction, EntryFunction and HasFunction answer the
// questions ignore rules ask. Values handed to user code are shared:
// treat them, slices and maps included, as read-only.
type Goroutine = stack.Goroutine

// A Frame is one function call in a [Goroutine]'s stack: the fully
// qualified Function, as in "net/http.(*persistConn).readLoop" or
// "main.F[...]", and the File and Line of the call, File empty when
// unknown. Its String method formats it as "function at file:line".
type Frame = stack.Frame
