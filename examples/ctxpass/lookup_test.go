package ctxpass_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/ctxpass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unresponsive is a resolver whose server never answers: it returns only
// when ctx is done.
func unresponsive(ctx context.Context, name string) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

func answering(ctx context.Context, name string) (string, error) {
	return "192.0.2.1", nil
}

func TestFixedLookup(t *testing.T) {
	leakcheck.Verify(t)

	addr, err := ctxpass.LookupFixed(context.Background(), time.Second, answering, "example.com")
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.1", addr)

	_, err = ctxpass.LookupFixed(context.Background(), time.Millisecond, unresponsive, "example.com")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestLeakyLookup(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	_, err := ctxpass.Lookup(context.Background(), time.Millisecond, unresponsive, "example.com")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
