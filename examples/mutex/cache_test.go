package mutex_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/mutex"
	"github.com/stretchr/testify/assert"
)

// load fails for the key "missing" and upper-cases every other key.
func load(key string) (string, error) {
	if key == "missing" {
		return "", errors.New("not found")
	}
	return strings.ToUpper(key), nil
}

func TestFixedCache(t *testing.T) {
	leakcheck.Verify(t)

	c := mutex.NewCache(load)
	_, err := c.GetFixed("missing")
	assert.Error(t, err)

	var wg sync.WaitGroup
	for _, key := range []string{"a", "b", "a"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.GetFixed(key)
			assert.NoError(t, err)
			assert.Equal(t, strings.ToUpper(key), v)
		}()
	}
	wg.Wait()
}

func TestLeakyCache(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	c := mutex.NewCache(load)
	_, err := c.Get("missing")
	assert.Error(t, err)

	// A request served in the background: it blocks in Get forever.
	go c.Get("a")
}
