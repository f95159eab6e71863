package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// A snapshot is the goroutines of one source at one moment, grouped by
// kind. Groups hold counts and one goroutine each, never the whole dump.
type snapshot struct {
	name   string // the source as the user gave it
	format string // what it turned out to be, for the report
	// perGoroutine reports whether the source listed each goroutine (a
	// dump: IDs, wait times, creators) rather than counts per stack.
	perGoroutine bool
	groups       []*report.Group
	total        int
	partial      string   // why the snapshot is incomplete, "" if whole
	leakNote     string   // how leaks were proven, or why they could not be
	tests        *testRun // what "go test" output said, nil for other input
	leakProfile  bool     // whether it is the runtime's goroutine leak profile
	crash        string   // the panic or fatal error of a crash's output
	unwrapped    string   // the wrapping of a log's lines removed, "" if none
	notes        []string // what the reader doubts, for the report's header
	// goleak counts the goroutines goleak's failure message listed, by
	// the fingerprint of their kind.
	goleak map[string]int
	// died is what the runtime said when the program died, if it did.
	died *crash
	took time.Duration
	at   time.Time
}

// load reads a source: a URL, a file, or "-" for standard input.
func load(ctx context.Context, o *options, src string) (*snapshot, error) {
	start := time.Now()
	var snap *snapshot
	var err error
	if isURL(src) {
		snap, err = loadURL(ctx, o, src, o.source, o.leakProfile)
	} else {
		snap, err = loadFile(o, src)
	}
	if err != nil {
		return nil, err
	}
	snap.took = time.Since(start)
	snap.at = start
	return snap, nil
}

// loadFile reads a file or standard input, in any format it finds.
func loadFile(o *options, name string) (*snapshot, error) {
	var r io.Reader
	if name == "-" {
		r = o.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			// *PathError: "open x: no such file or directory"
			if hint := schemeHint(name); hint != "" && errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%w%s", err, hint)
			}
			return nil, err
		}
		defer f.Close()
		r = f
	}
	label := name
	if name == "-" {
		label = "standard input"
	}
	return readAny(o, label, r)
}

// readAny reads a source of unknown format: it sniffs the first bytes.
func readAny(o *options, name string, r io.Reader) (*snapshot, error) {
	lr := &limitedReader{r: r, max: o.maxSize}
	br := bufio.NewReaderSize(lr, 64<<10)
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readError(name, lr, err)
	}
	if len(bytes.TrimSpace(head)) == 0 && len(head) < 4096 {
		return nil, fmt.Errorf("%s is empty: no goroutines to read", name)
	}
	if isHTML(head) {
		return nil, fmt.Errorf("%s is an HTML page (a login page, or a proxy's?), not goroutines", name)
	}
	return readFormat(o, name, br, lr, head)
}

// readFormat reads a source whose first bytes are head, undoing the
// wrapping of a log first.
func readFormat(o *options, name string, br *bufio.Reader, lr *limitedReader, head []byte) (*snapshot, error) {
	// Two wrappings at most: "go test -json" in a CI log.
	var removed []string
	for range 2 {
		if stack.Sniff(head) == stack.FormatProto {
			break
		}
		r, what := unwrap(br)
		if what == "" {
			break
		}
		removed = append(removed, what)
		br = bufio.NewReaderSize(r, 64<<10)
		head, _ = br.Peek(4096)
	}
	unwrapped := strings.Join(removed, ", then ")
	snap, err := readUnwrapped(o, name, br, lr, head)
	if err != nil {
		if unwrapped != "" {
			err = fmt.Errorf("%w (after removing %s)", err, unwrapped)
		}
		return nil, err
	}
	snap.unwrapped = unwrapped
	return snap, nil
}

// readUnwrapped reads a source in the format its first bytes, head, say.
func readUnwrapped(o *options, name string, br *bufio.Reader, lr *limitedReader, head []byte) (*snapshot, error) {
	switch stack.Sniff(head) {
	case stack.FormatProto:
		p, err := stack.ReadProto(br)
		if err != nil {
			return nil, profileError(name, lr, err)
		}
		var agg report.Aggregator
		for i := range p.Records {
			if err := addKind(name, &agg, &p.Records[i].Goroutine, p.Records[i].Count); err != nil {
				return nil, err
			}
		}
		return fromProfile(name, "goroutine profile (pprof)", p.Name, &agg)
	case stack.FormatProfileText:
		var agg report.Aggregator
		profileName, total, err := stack.ScanProfileText(br, func(r *stack.Record) error { return addKind(name, &agg, &r.Goroutine, r.Count) })
		if errors.Is(err, errTooManyKinds) {
			return nil, err
		}
		if err != nil {
			return nil, profileError(name, lr, err)
		}
		snap, err := fromProfile(name, "goroutine profile (debug=1 text)", profileName, &agg)
		if err == nil && total >= 0 && total != agg.Total() {
			snap.notes = append(snap.notes, fmt.Sprintf("the profile's first line says total %d, but its records add up to %d: lines are missing or garbled", total, agg.Total()))
		}
		return snap, err
	}
	return readDump(o, name, br, lr)
}

// maxKept bounds the memory the groups of one source take: a real dump
// of a million goroutines has at most a few thousand kinds, a few MiB.
const maxKept = 64 << 20

// errTooManyKinds is returned when the kinds of one source outgrow
// maxKept.
var errTooManyKinds = errors.New("more kinds of goroutine than leakcheck keeps")

// addKind adds a goroutine or record to agg, failing once the kinds kept
// outgrow maxKept.
func addKind(name string, agg *report.Aggregator, g *stack.Goroutine, count int) error {
	agg.Add(g, count)
	if agg.Kept() > maxKept {
		return fmt.Errorf("%s: %w (%d kinds in the first %d goroutines, %d MiB of stacks): not the goroutines of one program?", name, errTooManyKinds, len(agg.Groups()), agg.Total(), maxKept>>20)
	}
	return nil
}

// readDump streams a goroutine dump, alone or inside other output such
// as that of "go test", into groups.
func readDump(o *options, name string, r io.Reader, lr *limitedReader) (*snapshot, error) {
	tr := &testRun{}
	sc := stack.NewScanner(r)
	sc.Outside = tr.line
	sc.EndsDump = endsDump
	agg := report.Aggregator{LongWait: o.wait}
	var goleak map[string]int
	garbled, example := 0, ""
	lastWhole := true // whether the last goroutine's block ends as the runtime ends one
	for sc.Scan() {
		g := sc.Goroutine()
		lastWhole = endsWhole(g.Stack)
		if stack.Garbled(g) > 0 {
			if garbled++; example == "" {
				example = clip(strings.SplitN(g.Stack, "\n", 2)[0], 120)
			}
		}
		tr.goroutine(g)
		tr.crash.goroutine(g)
		if sc.Framed() {
			if goleak == nil {
				goleak = make(map[string]int)
			}
			goleak[report.Fingerprint(g)]++
		}
		if err := addKind(name, &agg, g, 1); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, readError(name, lr, err)
	}
	if agg.Total() == 0 {
		return nil, fmt.Errorf("%s: no goroutine dump or goroutine profile found in it (%d bytes)", name, sc.Bytes())
	}
	if tr.mixedHeader != "" || garbled >= 2 && garbled*20 >= agg.Total() {
		why := fmt.Sprintf("%d of %s have broken lines, such as the goroutine %q", garbled, report.Plural(agg.Total(), "goroutine"), example)
		if tr.mixedHeader != "" {
			why = fmt.Sprintf("a goroutine header is mixed into other text: %q", tr.mixedHeader)
		}
		return nil, fmt.Errorf("%s: the text is garbled (%s): two outputs written at once, or a bad copy? Refusing to report it as goroutines", name, why)
	}
	snap := &snapshot{
		name:         name,
		format:       "goroutine dump",
		perGoroutine: true,
		groups:       agg.Groups(),
		total:        agg.Total(),
		goleak:       goleak,
		died:         &tr.crash,
	}
	if tr.seen() {
		snap.tests = tr
	}
	switch {
	case goleak != nil:
		snap.format = "goleak report"
		if tr.seen() {
			snap.format = `"go test" output with a goleak report`
		}
	case tr.seen():
		snap.format = `"go test" output`
	case tr.crash.message != "":
		snap.format = "crash dump"
		snap.crash = tr.crash.message
	}
	if !lastWhole && !sc.EndedMidLine() {
		snap.notes = append(snap.notes, "the last goroutine ends with a frame without its position: the dump may have been cut after a complete line")
	}
	if sc.EndedMidLine() || sc.Clipped() {
		why := "it ends in the middle of a line"
		if sc.Clipped() {
			why = "it has a line or goroutine longer than 4 MiB"
		}
		if !o.partial {
			return nil, fmt.Errorf("%s: the dump is cut short or garbled (%s): refusing to report part of it as the whole; -partial reports what is there", name, why)
		}
		snap.partial = why
	}
	for _, gr := range snap.groups {
		if proven(gr) {
			snap.leakNote = `the dump marks goroutines the runtime proved leaked, "(leaked)"`
			break
		}
	}
	return snap, nil
}

// endsWhole reports whether a goroutine's block ends as the runtime ends
// one, or with other text: not with a function line or a creator without
// the position that follows each ("main.f(0x1)", "created by main.g").
func endsWhole(block string) bool {
	i := strings.LastIndexByte(block, '\n')
	if i < 0 {
		return true
	}
	last := block[i+1:]
	if strings.HasPrefix(last, "created by ") {
		return false
	}
	open := strings.IndexByte(last, '(')
	return open <= 0 || !strings.HasSuffix(last, ")") || strings.ContainsAny(last[:open], " \t")
}

// profileError words a failure to read a profile.
func profileError(name string, lr *limitedReader, err error) error {
	switch {
	case errors.Is(err, errTooLarge), errors.Is(err, io.ErrUnexpectedEOF):
		return readError(name, lr, err)
	case errors.Is(err, stack.ErrNotGoroutineProfile):
		return fmt.Errorf("%s: %w", name, err)
	}
	return fmt.Errorf("%s: not a readable goroutine profile: %w", name, err)
}

// fromProfile makes the snapshot of a profile's groups. An empty
// goroutine leak profile is the runtime saying that nothing leaked; any
// other profile lists at least the goroutine that wrote it.
func fromProfile(name, format, profileName string, agg *report.Aggregator) (*snapshot, error) {
	leak := profileName == stack.GoroutineLeakProfile
	if leak {
		format = strings.Replace(format, "goroutine profile", "goroutine leak profile", 1)
	}
	if agg.Total() == 0 && !leak {
		return nil, fmt.Errorf("%s: the %s lists no goroutine", name, format)
	}
	snap := &snapshot{name: name, format: format, groups: agg.Groups(), total: agg.Total(), leakProfile: leak}
	if leak {
		// The leak profile lists only the goroutines it proves.
		for _, gr := range snap.groups {
			if provable(gr) {
				gr.Proven = gr.Size()
			}
		}
		snap.leakNote = "the goroutine leak profile lists only the goroutines the runtime proved leaked"
		if !slices.ContainsFunc(snap.groups, provable) {
			snap.leakNote = "the goroutine leak profile lists no goroutine with a stack: a sample without one proves nothing"
		}
		if agg.Total() == 0 {
			snap.leakNote = "the goroutine leak profile is empty: the runtime proved no goroutine leaked"
		}
	}
	return snap, nil
}

// provable reports whether the runtime's word on a group can be taken
// for a proof: a sample or goroutine with no stack proves nothing (no
// kind, no place), and cannot be matched with a kind of another source.
func provable(gr *report.Group) bool { return len(gr.First().Frames) > 0 }

// proven reports whether the runtime proved goroutines of gr leaked.
func proven(gr *report.Group) bool { return gr.Proven > 0 && provable(gr) }

// errTooLarge is returned by a limitedReader past its limit.
var errTooLarge = errors.New("too large")

// A limitedReader fails, rather than stopping quietly, past max bytes, so
// that no report is made of the first part of an input as if it were all.
type limitedReader struct {
	r    io.Reader
	max  int64
	read int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.read > l.max {
		return 0, errTooLarge
	}
	if rest := l.max - l.read; rest < int64(len(p))-1 {
		p = p[:rest+1] // one byte more than allowed tells too large from exactly max
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.max {
		return n, errTooLarge
	}
	return n, err
}

// readError words a failure to read a source.
func readError(name string, lr *limitedReader, err error) error {
	switch {
	case errors.Is(err, errTooLarge):
		return fmt.Errorf("%s is larger than -max-size=%d bytes: refusing to report part of it as the whole", name, lr.max)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s was cut short (unexpected end of data)", name)
	}
	return fmt.Errorf("reading %s: %w", name, err)
}

// isHTML reports whether text starts like an HTML page.
func isHTML(head []byte) bool {
	head = bytes.ToLower(bytes.TrimSpace(head))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}
