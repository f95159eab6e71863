package selectloop_test

import (
	"os"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/selectloop"
	"github.com/stretchr/testify/assert"
)

func TestFixedHub(t *testing.T) {
	leakcheck.Verify(t)

	h := selectloop.NewHubFixed()
	defer h.Close()
	ch := make(chan string, 1)
	h.Subscribe(ch)
	h.Publish("hello")
	assert.Equal(t, "hello", <-ch)
}

func TestLeakyHub(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	h := selectloop.NewHub()
	ch := make(chan string, 1)
	h.Subscribe(ch)
	h.Publish("hello")
	assert.Equal(t, "hello", <-ch)
}
