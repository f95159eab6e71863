package leakysuite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var errBadRequest = errors.New("bad request")

// A Request is a parsed request line: "VERB key [n]".
type Request struct {
	Verb string
	Key  string
	N    int
}

// ParseRequest parses a request line.
func ParseRequest(line string) (Request, error) {
	fields := strings.Fields(line)
	if len(fields) < 2 || len(fields) > 3 {
		return Request{}, fmt.Errorf("%w: %q: want VERB key [n]", errBadRequest, line)
	}
	r := Request{Verb: fields[0], Key: fields[1]}
	switch r.Verb {
	case "GET", "DEL":
		if len(fields) == 3 {
			return Request{}, fmt.Errorf("%w: %q: %s takes no count", errBadRequest, line, r.Verb)
		}
	case "INCR", "REPEAT":
		if len(fields) != 3 {
			return Request{}, fmt.Errorf("%w: %q: %s needs a count", errBadRequest, line, r.Verb)
		}
		n, err := strconv.Atoi(fields[2])
		if err != nil || n < 0 {
			return Request{}, fmt.Errorf("%w: %q: bad count", errBadRequest, line)
		}
		r.N = n
	default:
		return Request{}, fmt.Errorf("%w: %q: unknown verb %q", errBadRequest, line, r.Verb)
	}
	return r, nil
}

// String formats r as a request line.
func (r Request) String() string {
	if r.Verb == "INCR" || r.Verb == "REPEAT" {
		return r.Verb + " " + r.Key + " " + strconv.Itoa(r.N)
	}
	return r.Verb + " " + r.Key
}
