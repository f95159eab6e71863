//go:build go1.25

package waitgroup_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/waitgroup"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fetch fails for the key "missing" and echoes every other key.
func fetch(key string) (string, error) {
	if key == "missing" {
		return "", errors.New("not found")
	}
	return key, nil
}

func TestFixedFetchAll(t *testing.T) {
	leakcheck.Verify(t)

	// The deadline is only a safety net: FetchAllFixed returns as soon as
	// every worker is done.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := waitgroup.FetchAllFixed(ctx, []string{"a", "missing", "b"}, fetch)
	require.NoError(t, err)
	slices.Sort(got)
	assert.Equal(t, []string{"a", "b"}, got)
}

func TestLeakyFetchAll(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	// With a failing key FetchAll returns only at the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := waitgroup.FetchAll(ctx, []string{"a", "missing", "b"}, fetch)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
