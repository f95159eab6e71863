package leakysuite

import (
	"bytes"
	"compress/flate"
	"io"
	"strconv"
	"strings"
	"testing"
)

// The first test to compress starts the worker pool, which lives as long
// as the process: a singleton.
func TestCompress(t *testing.T) {
	for _, size := range []int{0, 1, 1000, 100000, 1000000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			verify(t)
			in := []byte(strings.Repeat("leakcheck ", size/10+1)[:size])
			out := Compress(in)
			back, err := io.ReadAll(flate.NewReader(bytes.NewReader(out)))
			if err != nil || !bytes.Equal(back, in) {
				t.Fatalf("round trip of %d bytes: %d bytes, %v", size, len(back), err)
			}
		})
	}
}
