//go:build go1.24

package adopt

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// TestMain configures leakcheck once for the binary when E2E_CONFIGURED
// is set, as a team adopting it would.
func TestMain(m *testing.M) {
	var opts []leakcheck.Option
	if os.Getenv("E2E_CONFIGURED") != "" {
		opts = append(opts, leakcheck.MaxWait(time.Second), leakcheck.MaxWaitSleeping(3*time.Second))
	}
	leakcheck.VerifyTestMain(m, opts...)
}

func TestServerNeverStopped(t *testing.T) {
	leakcheck.Verify(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go Serve(ln) // never closed: a real leak
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestDaemonFirstUse(t *testing.T) {
	leakcheck.Verify(t)
	Daemon()
}

func TestDaemonAgain(t *testing.T) {
	leakcheck.Verify(t)
	Daemon()
}

func TestClientClosed(t *testing.T) {
	leakcheck.Verify(t)
	c := NewClient()
	c.Close() // the cleaner exits at its next wake-up, 1.5 s later
}

func TestLeakPerRequest(t *testing.T) {
	leakcheck.Verify(t)
	Handle(true)
}

func TestCacheCollected(t *testing.T) {
	leakcheck.Verify(t)
	c := NewCache()
	c.items["k"] = "v"
}

func TestClean(t *testing.T) {
	leakcheck.Verify(t)
	Handle(false)
	if os.Getenv("E2E_NEW_LEAK") != "" {
		go func() { select {} }() // a new kind of leak
	}
}
