package stack

import "strings"

// A Memo parses the successive dumps of one process, as [Parse] does,
// reusing what it parsed of the dumps before. Most goroutines of a
// process with many of them wait where they waited at the last dump, and
// their blocks are the same text, byte for byte: a Memo keeps each
// goroutine's block and what it parsed from it, by goroutine ID, and
// parses again only the blocks that changed. It keeps the goroutines of
// the last dump only, so its memory follows the goroutines alive.
//
// For the same text, Memo.Parse returns what Parse returns. The
// goroutines it returns share their strings and slices with the Memo's
// and each other's: like Parse's, they are read-only. Their strings are
// substrings of a copy of their block, never of the dump: a kept
// goroutine keeps its block alive, not the whole dump, and the dump may
// be read in place from a buffer that is overwritten once Parse returns.
// A Memo is not safe for concurrent use; the zero value is ready to use.
type Memo struct {
	byID map[uint64]*memoEntry
	// order holds the last dump's goroutines in dump order, which the
	// runtime keeps from dump to dump: the next dump is compared with it
	// block by block, and looked up by ID only where they differ.
	order []*memoEntry
	dump  uint64 // the how-manieth dump is being parsed
}

// A memoEntry is one goroutine's block, as the last dump that showed it
// wrote it, and what it parses into.
type memoEntry struct {
	block string // the block's text, from its header to the next one
	g     Goroutine
	seen  uint64 // the last dump that showed it
	at    int    // its index in that dump's order
	alone bool   // the block is a header alone, which may introduce the next
}

// Parse parses dump, the text of runtime.Stack(buf, true), into
// goroutines in dump order, as [Parse] does.
func (m *Memo) Parse(dump string) []Goroutine {
	if m.byID == nil {
		m.byID = make(map[uint64]*memoEntry)
	}
	m.dump++
	prev := m.order
	m.order = make([]*memoEntry, 0, len(prev)+len(prev)/8+8)
	gs := make([]Goroutine, 0, cap(m.order))
	rest := dump
	if !isHeader(rest) {
		rest = rest[nextHeader(rest):]
	}
	next := 0 // where in prev this dump's next goroutine is expected
	for rest != "" {
		var e *memoEntry
		if next < len(prev) && startsBlock(rest, prev[next].block) &&
			!(prev[next].alone && introduces(prev[next].block, rest[len(prev[next].block):])) {
			e = prev[next] // the common case: no scan for the block's end
		} else {
			end := len(rest)
			if i := nextHeader(rest[1:]); i < len(rest)-1 {
				end = 1 + i
			}
			if introduces(rest[:end], rest[end:]) {
				rest = rest[end:]
				continue
			}
			e = m.entry(rest[:end])
		}
		rest = rest[len(e.block):]
		if e.seen == m.dump-1 {
			next = e.at + 1
		}
		e.seen, e.at = m.dump, len(m.order)
		m.order = append(m.order, e)
		gs = append(gs, e.g)
	}
	m.forget()
	return gs
}

// entry returns the entry of block, one goroutine's whole block, parsing
// it unless the goroutine's last block was the same text.
func (m *Memo) entry(block string) *memoEntry {
	id := headerID(block)
	e := m.byID[id]
	if e != nil && e.block == block {
		return e
	}
	if e == nil {
		e = &memoEntry{}
		m.byID[id] = e
	}
	// A copy of the block, so that what is kept keeps only the block.
	e.block = strings.Clone(block)
	e.g = Goroutine{}
	parseBlock(&e.g, e.block, nil)
	_, after, _ := strings.Cut(e.block, "\n")
	e.alone = strings.TrimSpace(after) == ""
	return e
}

// forget drops the goroutines the last dump did not show, once they are
// a quarter of those kept: they have exited (IDs are never reused), and
// sweeping at every dump would cost a pass over all of them each time.
func (m *Memo) forget() {
	if stale := len(m.byID) - len(m.order); stale <= len(m.order)/4 {
		return
	}
	for id, e := range m.byID {
		if e.seen != m.dump {
			delete(m.byID, id)
		}
	}
}

// startsBlock reports whether block, a whole block of an earlier dump,
// is also the whole first block of dump: dump starts with it, and the
// next block, if any, starts right after it. A block holds no header
// but its first line, so the first header after dump's first line is
// where block ends.
func startsBlock(dump, block string) bool {
	if !strings.HasPrefix(dump, block) {
		return false
	}
	rest := dump[len(block):]
	return rest == "" || strings.HasSuffix(block, "\n") && isHeader(rest)
}

// nextHeader returns the index in s of the first header that starts a
// line after s's first byte, or len(s) when there is none.
func nextHeader(s string) int {
	const prefix = "\ngoroutine "
	for at := 0; ; {
		i := strings.Index(s[at:], prefix)
		if i < 0 {
			return len(s)
		}
		at += i + 1
		if isHeader(s[at:]) {
			return at
		}
	}
}

// headerID returns the goroutine ID in block's header, zero when it has
// none that fits in uint64 (as parseHeader reads it).
func headerID(block string) uint64 {
	id := block[len("goroutine "):]
	if i := strings.IndexByte(id, ' '); i >= 0 {
		id = id[:i]
	}
	return parseID(id)
}
