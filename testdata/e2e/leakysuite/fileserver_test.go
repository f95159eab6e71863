package leakysuite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each file server's cache cleaner, started under its sync.Once, runs
// until CleanStop is closed, which these tests do not do: a leak per
// test, though started once per server.
func TestFileServer(t *testing.T) {
	dir := t.TempDir()
	for name, size := range map[string]int{"a.txt": 1, "b.txt": 100, "c.txt": 10000} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("x", size)), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ req, want string }{
		{"GET a.txt", "SIZE 1"},
		{"GET b.txt", "SIZE 100"},
		{"GET c.txt", "SIZE 10000"},
		{"GET ../c.txt", "SIZE 10000"},
	} {
		t.Run(c.req, func(t *testing.T) {
			verify(t)
			fs := &FileServer{Root: dir}
			addr := serve(t, fs.Handler())
			hc := &HostClient{Addr: addr}
			defer hc.CloseIdleConnections()
			for range 200 {
				if got, err := hc.Do(c.req); err != nil || got != c.want {
					t.Fatalf("%s = %q, %v; want %q", c.req, got, err, c.want)
				}
			}
		})
	}
}
