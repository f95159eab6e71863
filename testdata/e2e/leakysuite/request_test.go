package leakysuite

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	cases := []struct {
		line string
		want Request
		err  string
	}{
		{"GET a", Request{Verb: "GET", Key: "a"}, ""},
		{"DEL key", Request{Verb: "DEL", Key: "key"}, ""},
		{"INCR n 3", Request{Verb: "INCR", Key: "n", N: 3}, ""},
		{"REPEAT ab 10", Request{Verb: "REPEAT", Key: "ab", N: 10}, ""},
		{"  GET   spaced  ", Request{Verb: "GET", Key: "spaced"}, ""},
		{"GET", Request{}, "want VERB key [n]"},
		{"GET a 1", Request{}, "GET takes no count"},
		{"INCR n", Request{}, "INCR needs a count"},
		{"INCR n x", Request{}, "bad count"},
		{"INCR n -1", Request{}, "bad count"},
		{"PUT a", Request{}, `unknown verb "PUT"`},
		{"GET a b c d", Request{}, "want VERB key [n]"},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			verify(t)
			got, err := ParseRequest(c.line)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, errBadRequest) {
					t.Fatalf("ParseRequest(%q) = %v, want an error with %q", c.line, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseRequest(%q) = %+v, %v; want %+v", c.line, got, err, c.want)
			}
			if again, err := ParseRequest(got.String()); err != nil || again != got {
				t.Fatalf("round trip of %+v: %+v, %v", got, again, err)
			}
		})
	}
}

func TestStore(t *testing.T) {
	verify(t)
	var s Store
	for i := range 1000 {
		if _, err := s.Handle("INCR k 2"); err != nil {
			t.Fatal(i, err)
		}
	}
	if got, _ := s.Handle("GET k"); got != "2000" {
		t.Fatalf("GET k = %s, want 2000", got)
	}
	s.Handle("DEL k")
	if got, _ := s.Handle("GET k"); got != "0" {
		t.Fatalf("GET k after DEL = %s, want 0", got)
	}
}
