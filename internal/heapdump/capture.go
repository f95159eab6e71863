package heapdump

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

// Write collects garbage and writes a heap dump of the running program
// to f, which should be a regular file open for writing. It stops the
// world for as long as the dump takes (see [Estimate]).
//
// The collection is not needed for correctness: the runtime dumps every
// object allocated since the last collection's sweep, garbage included,
// and [Measure] computes reachability itself. It keeps the dump small
// and fast, and leaves fewer stale objects for a conservatively scanned
// word to point to. One collection is enough: it frees everything
// unreachable when it started, and queues the finalizers of
// unreachable objects, which [Measure] then counts as roots.
//
// The runtime ignores write errors, so a full disk gives a truncated
// dump; Write reports one that does not end with the EOF record.
func Write(f *os.File) error {
	runtime.GC()
	debug.WriteHeapDump(f.Fd())
	runtime.KeepAlive(f) // f's finalizer would close the descriptor
	var last [1]byte
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() < int64(len(header))+1 {
		return fmt.Errorf("heapdump: %s: only %d bytes written", f.Name(), st.Size())
	}
	if _, err := f.ReadAt(last[:], st.Size()-1); err != nil {
		// Opened write-only: trust the runtime.
		return nil
	}
	if last[0] != tagEOF {
		return fmt.Errorf("heapdump: %s: truncated after %d bytes (disk full?)", f.Name(), st.Size())
	}
	return nil
}

// Capture writes a heap dump (see [Write]) to a new file in dir (the
// default temporary directory if dir is empty) and returns its name.
// The caller removes the file; on error there is none.
func Capture(dir string) (path string, err error) {
	f, err := os.CreateTemp(dir, "leakcheck-*.heapdump")
	if err != nil {
		return "", err
	}
	werr := Write(f)
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
