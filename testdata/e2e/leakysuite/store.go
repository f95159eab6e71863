package leakysuite

import (
	"strconv"
	"strings"
	"sync"
)

// A Store keeps counters by key; its Handle method serves requests.
type Store struct {
	mu     sync.Mutex
	counts map[string]int
}

// Handle serves one request line.
func (s *Store) Handle(line string) (string, error) {
	r, err := ParseRequest(line)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = make(map[string]int)
	}
	switch r.Verb {
	case "GET":
		return strconv.Itoa(s.counts[r.Key]), nil
	case "DEL":
		delete(s.counts, r.Key)
		return "OK", nil
	case "INCR":
		s.counts[r.Key] += r.N
		return strconv.Itoa(s.counts[r.Key]), nil
	default: // REPEAT
		return strings.Repeat(r.Key, r.N), nil
	}
}
