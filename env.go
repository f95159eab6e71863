package leakcheck

// The environment variables that configure every check of a test binary,
// the last word over the options (see the package documentation).

// BaselineEnv names the environment variable of a baseline file: the
// goroutines a team knows its tests leave behind and accepts for now, so
// that leakcheck can be turned on in a suite that already leaks. A check
// does not wait for goroutines of a kind the baseline knows, and passes
// with a note when only such goroutines are left; a goroutine of a new
// kind fails as usual; and [VerifyTestMain] notes the known kinds of its
// package that did not occur, so that the file can shrink. The variable
// wins over the [Baseline] option.
//
// The file has one kind of goroutine a line: its key, the import path of
// the package whose tests leave it, and free text for people (the test
// that showed it, whether it is a leak, a slow exit or a singleton, where
// it waits, and who starts it). The key is a hash of the innermost
// functions of the program's own code on the goroutine's stack and of its
// creator: not of the state, so that a goroutine caught running on its way
// to exit is of the kind it was asleep, and not of the runtime's and the
// standard library's frames, which change between releases of Go (a
// goroutine that runs no code of the program is named by its standard
// library frames outside the runtime). The file also records the versions
// of Go that wrote it; a check on another version says so once, in its
// report and in the JSON lines of [JSONEnv]. Blank lines and lines
// starting with "#" are ignored, but for the first line written, which
// names the format, and the lines naming the versions. A file of format
// 2, whose keys included the runtime's frames, is still read, and its
// recording goes on in its own keys; a file of format 1, whose keys
// included the state, is an error that says to record it again. With
// [BaselineUpdateEnv] set, the checks write it.
//
// Keep the file under a testdata directory, which Go's tools and a
// package's own tests leave alone: a test that lists or serves its
// package directory would otherwise find it there.
const BaselineEnv = "LEAKCHECK_BASELINE"

// BaselineUpdateEnv names the environment variable that, set to "1",
// makes every check add what it finds to the baseline file instead of
// failing, creating the file if needed: the leaks left at the end of its
// wait, the slow exits (goroutines still there 100 ms into the check that
// exited later), and the goroutines started once per process. Kinds
// already in the file are kept and not waited for, so several runs merge
// into one file; leaks that occur only in some runs need several, such
// as -count and -shuffle give:
//
//	LEAKCHECK_BASELINE=$PWD/testdata/leakcheck.baseline LEAKCHECK_BASELINE_UPDATE=1 go test -count=20 -shuffle=on ./...
//
// To refresh a baseline, remove the file and record it again.
const BaselineUpdateEnv = "LEAKCHECK_BASELINE_UPDATE"

// ProfileDirEnv names the environment variable of a directory where every
// failing check writes the leaked goroutines as a goroutine profile in the
// pprof format, for "go tool pprof -http=: FILE" to show as a flame graph.
// The directory is created if missing; a relative path is relative to the
// test's working directory, its package directory. The variable wins over
// the [ProfileDir] option, so that CI decides where files go. Without
// either, a test binary run with -artifacts (go test -artifacts) writes
// the profile to the test's ArtifactDir; otherwise no profile is written.
// The report names the file. Each sample is one leaked stack with its count
// of goroutines and, when the check measured it, the bytes its kind of
// leak holds (sample type "held"), and the labels test, state, proven
// ("true" when the runtime proved the goroutines leaked), fingerprint and
// created_by.
const ProfileDirEnv = "LEAKCHECK_PROFILE_DIR"

// JSONEnv names the environment variable of a file to which every failing
// check appends one JSON object per line for each kind of leak, for CI
// to collect. Appending is safe from parallel tests and from the several
// test binaries that "go test ./..." runs at once. The fields are stable:
//
//	time           RFC 3339 time of the record
//	package        import path of the test binary's package
//	test           name of the test that owns the goroutines, "" if unknown
//	check          what was checked: the test's name, or "the tests of PKG"
//	count          number of goroutines of this kind
//	fingerprint    16 hex digits naming the kind of leak across runs: a hash
//	               of the blocking state, the innermost function names and
//	               the creating function
//	state          what they wait for, e.g. "chan send", "select"
//	proven         true when the runtime proved every one of them leaked
//	wait_seconds   how long the runtime says the first one has been
//	               blocked; whole minutes, 0 below a minute
//	check_seconds  how long the check waited for them to finish
//	top            innermost frame: {"function", "file", "line"}
//	created_by     the go statement that started the first one, same form
//	stack          the first one's stack, verbatim from the goroutine dump
//	goroutine_ids  the IDs of all of them
//	profile        the profile written by the same check, if any
//	baseline_go    when the baseline ([BaselineEnv]) was recorded with
//	               other versions of Go than this run's, those versions:
//	               kinds whose stacks the change altered fail as new
//	stack_bytes    when measured, the stack memory they hold, as allocated
//	retained_heap_bytes
//	               when measured, the heap they alone hold: objects
//	               reachable from their frames and from nothing else
//	largest        when measured, up to three of the largest of those
//	               objects: {"bytes", "function", "file", "line"}, the
//	               allocation site when the memory profiler sampled it
//
//	measured_count when the memory was measured on fewer goroutines than
//	               count (a rerun reproduced only some of them), how many
//	memory_not_measured
//	               why the memory was not measured, when it was not
//
// Where the runtime has proven the leak, the memory is measured in a rerun
// of the test, which appends the check's records once it has the figures
// (see [MemoryEnv]): they may come after those of later checks.
//
// A relative path is relative to the test's working directory, its
// package directory: CI should give an absolute path. The variable wins
// over the [JSONFile] option, so that CI decides where files go.
const JSONEnv = "LEAKCHECK_JSON"

// MemoryEnv names the environment variable that turns off measuring the
// memory leaked goroutines hold: "off" (or "0", "false"). Measuring takes
// a heap dump, which stops the world for about a second per GiB of heap,
// on the failure path only; a suite with many failing checks and a large
// heap may prefer to go without. Values are read as for [DeadlockEnv].
//
// Once the runtime has proven goroutines of the process leaked (go1.27,
// or go1.26 with GOEXPERIMENT=goroutineleakprofile), the process cannot
// take a heap dump. A failing check of [Verify] then fails at once, its
// report saying that the memory is being measured, and runs its test
// again in a new process of the same test binary (-test.run naming the
// test alone, -test.count=1), which proves nothing, measures the
// goroutines of the same kinds once they show up after the test (those
// that came back, saying how many, when not all did), and publishes the
// figures itself when it has them: a block "leakcheck: memory held by the
// leaks of TestX" in the test binary's output, framed as the test's, the
// check's JSON lines, and the "held" values of its profile. go test
// reads the output until the rerun is done, even after the test binary
// has exited. [VerifyTestMain] runs the tests its report names again (all
// of its tests when a leak has no test's name). The rerun runs TestMain
// again, setup and teardown, and the test with the same environment and
// flags (but for the go command's own files: profiles, coverage, test
// log); its own output is discarded, and it never changes the verdict.
// Reruns take turns; each may take the test's own time, the check's wait,
// and 10 s to start, and all the reruns of a test binary end at most a
// minute after the first began, and before go test stops reading the
// output of a test binary that has exited (a tenth of -timeout, at least
// 5 s); when a rerun fails to start, runs out of time, or does not leak
// the same way, its block says "not measured" and why. Reruns need Unix.
// [Find], with no test to rerun, says why it could not measure. Turning
// MemoryEnv off turns the reruns off too.
const MemoryEnv = "LEAKCHECK_MEMORY"

// DeadlockEnv names the environment variable that turns the deadlock
// watcher off: "off" (or "0", "false"). The watcher, started by the first
// [Verify] or [VerifyTestMain] of a test binary where the runtime can
// prove leaks (go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile),
// ends the binary with a report, seconds after the goroutine of a running
// test is proven blocked forever, instead of letting it hang until
// -timeout. It never fires on a test that can still make progress: only
// the runtime's proof counts. "on", "1" and "true", like an empty or
// missing variable, keep it on; any other value is reported as an error
// by every check, and the watcher stays on.
const DeadlockEnv = "LEAKCHECK_DEADLOCK"

// MaxWaitEnv names the environment variable that sets the default wait,
// as a Go duration such as "10s", so that CI can allow slow machines more
// time without code changes.
const MaxWaitEnv = "LEAKCHECK_MAX_WAIT"
