//go:build unix

package measure

import (
	"errors"
	"os"
	"syscall"
)

// rerunFiles returns the files a child gets after standard error, in
// order: the parent's standard output, on which it publishes; the pipe
// on which it waits for its turn to measure; its own, on which the next
// child waits; the pipe that closes when the parent exits; the pipes of
// the turn to print, the one before's and its own.
func rerunFiles(out, measureAfter, measured, alive, printAfter, printed *os.File) []*os.File {
	return []*os.File{out, measureAfter, measured, alive, printAfter, printed}
}

// inheritRerunFiles returns, in a child, the files of rerunFiles, made
// close-on-exec so that processes the tests start do not hold them.
func inheritRerunFiles() ([]*os.File, error) {
	files := make([]*os.File, 6)
	for i := range files {
		fd := 3 + i
		if err := syscall.Fstat(fd, new(syscall.Stat_t)); err != nil {
			return nil, errors.New("started without the files of a rerun (leakcheck passes them itself)")
		}
		syscall.CloseOnExec(fd)
		files[i] = os.NewFile(uintptr(fd), "leakcheck-rerun")
	}
	return files, nil
}
