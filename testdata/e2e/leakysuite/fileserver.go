package leakysuite

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fileCacheClean is how often a file server's cache cleaner looks.
const fileCacheClean = 500 * time.Millisecond

// A FileServer answers "GET name" with the size of the file name under
// Root, caching what it read. Its handler and cache cleaner start on
// first use; the cleaner stops only when CleanStop is closed, which most
// users never set.
type FileServer struct {
	Root      string
	CleanStop chan struct{}

	once  sync.Once
	mu    sync.Mutex
	sizes map[string]int64
}

// Handler returns the server's handler.
func (fs *FileServer) Handler() Handler {
	fs.once.Do(func() {
		fs.sizes = make(map[string]int64)
		go fs.cacheCleaner()
	})
	return fs.handle
}

func (fs *FileServer) handle(req string) (string, error) {
	name, ok := strings.CutPrefix(req, "GET ")
	if !ok {
		return "", errBadRequest
	}
	fs.mu.Lock()
	size, ok := fs.sizes[name]
	fs.mu.Unlock()
	if !ok {
		fi, err := os.Stat(filepath.Join(fs.Root, filepath.Clean("/"+name)))
		if err != nil {
			return "", err
		}
		size = fi.Size()
		fs.mu.Lock()
		fs.sizes[name] = size
		fs.mu.Unlock()
	}
	return "SIZE " + strconv.FormatInt(size, 10), nil
}

func (fs *FileServer) cacheCleaner() {
	for {
		select {
		case <-fs.CleanStop:
			return
		case <-time.After(fileCacheClean):
			fs.mu.Lock()
			clear(fs.sizes)
			fs.mu.Unlock()
		}
	}
}
