package leakcheck

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBaseline(t *testing.T) {
	known, err := parseBaseline(strings.NewReader(`# known leaks
ad7a14899ffcaed6 example.com/pkg TestServer: 1 in "IO wait" at internal/poll.runtime_pollWait

48516bed1c6bf084 example.com/other TestX: 1 in "chan send"
0123456789abcdef example.com/pkg
`), "b", "example.com/pkg")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"ad7a14899ffcaed6": `ad7a14899ffcaed6 example.com/pkg TestServer: 1 in "IO wait" at internal/poll.runtime_pollWait`,
		"0123456789abcdef": "0123456789abcdef example.com/pkg",
	}, known)

	for _, bad := range []string{
		"ad7a14899ffcaed6\n",                        // no package
		"AD7A14899FFCAED6 example.com/pkg\n",        // not lower-case hex
		"ad7a14899ffcaed example.com/pkg\n",         // 15 digits
		`{"fingerprint":"ad7a14899ffcaed6"}` + "\n", // JSON is not a baseline
	} {
		_, err := parseBaseline(strings.NewReader(bad), "b", "example.com/pkg")
		assert.ErrorContains(t, err, "leakcheck: baseline b:1: want a 16-digit hex fingerprint and a package path", bad)
	}
}

// FuzzParseBaseline checks that any file content gives entries or an
// error naming a line, never a panic, and that every entry kept is a
// fingerprint of the package asked for.
//
//	go test -run '^$' -fuzz FuzzParseBaseline -fuzztime 1m .
func FuzzParseBaseline(f *testing.F) {
	f.Add("ad7a14899ffcaed6 example.com/pkg TestServer: 1 in \"IO wait\"\n# comment\n\n")
	f.Add("ad7a14899ffcaed6 example.com/pkg\r\n48516bed1c6bf084 example.com/other x\n")
	f.Add("\x00\xff garbage")
	f.Add(strings.Repeat("a", 70000))
	f.Fuzz(func(t *testing.T, data string) {
		known, err := parseBaseline(strings.NewReader(data), "b", "example.com/pkg")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "leakcheck: baseline b") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		for fp, line := range known {
			if !isFingerprint(fp) || !strings.HasPrefix(line, fp+" ") && line != fp {
				t.Fatalf("entry %q for line %q", fp, line)
			}
			if f := strings.Fields(line); len(f) < 2 || f[1] != "example.com/pkg" {
				t.Fatalf("line %q of another package kept", line)
			}
		}
	})
}
