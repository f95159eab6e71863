package stack

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"
)

// A Record is one stack of a goroutine profile: the goroutines that share
// it, described by one Goroutine, and how many they are. Profiles carry
// no goroutine IDs, creators or wait times, so ID, ParentID, CreatedBy
// and Wait are zero; State is read from the runtime frames on top of the
// stack ([StateFromFrames]); Stack shows the frames in the dump's format.
type Record struct {
	Goroutine
	Count int
}

// ErrNotGoroutineProfile is returned for a valid profile of another kind,
// such as a heap or CPU profile.
var ErrNotGoroutineProfile = errors.New("not a goroutine profile")

// A Profile is a goroutine profile: its name and its records.
type Profile struct {
	// Name is the profile's name: "goroutine", or "goroutineleak" for the
	// runtime's goroutine leak profile, which lists only the goroutines
	// it proved leaked, and so is empty when nothing leaked.
	Name string
	// Records has one Record per sample, in the profile's order.
	Records []Record
}

// Profile names.
const (
	GoroutineProfile     = "goroutine"
	GoroutineLeakProfile = "goroutineleak"
)

// MaxProtoSize bounds the size of a profile [ReadProto] reads, before and
// after decompression: decoded, a profile takes several times its size
// in memory, and a goroutine profile of a million goroutines of a hundred
// distinct stacks is a few kilobytes (a sample per stack, not per
// goroutine).
const MaxProtoSize = 32 << 20

// ReadProto reads a goroutine profile in pprof's protocol buffer format,
// gzipped or not: /debug/pprof/goroutine?debug=0 or goroutineleak, "go
// tool pprof" and continuous profilers store them so. It returns one
// Record per sample, in the profile's order; samples of the same stack
// with different labels stay apart. It reads at most [MaxProtoSize]
// bytes, and inflates at most as many: a larger profile is an error, as
// is data that starts neither as gzip nor as a profile message.
func ReadProto(r io.Reader) (*Profile, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(4096)
	var data []byte
	var err error
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		zr, zerr := gzip.NewReader(io.LimitReader(br, MaxProtoSize))
		if zerr != nil {
			return nil, zerr
		}
		data, err = readAtMost(zr, MaxProtoSize, "inflates to")
	} else {
		if len(head) > 0 && !startsLikeProfile(head) {
			return nil, errors.New("binary data that is neither gzip nor a pprof profile")
		}
		data, err = readAtMost(br, MaxProtoSize, "is")
	}
	if err != nil {
		return nil, err
	}
	p, err := profile.ParseUncompressed(data)
	if err != nil {
		return nil, err
	}
	return FromProfile(p)
}

// readAtMost reads r whole, failing past max bytes.
func readAtMost(r io.Reader, max int64, verb string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("the profile %s more than %d MiB, the most a goroutine profile is read to", verb, max>>20)
	}
	return data, nil
}

// startsLikeProfile reports whether data, the first bytes of an input,
// can start a pprof Profile message: each field it holds whole (and the
// start of one it cuts) has a tag of the message (1 to 14) with the
// field's wire type, the messages among them hold fields in turn, and
// the string table starts with "", as the format requires. Random bytes
// fail within a few fields, so such data is refused without being read
// to the size limit.
func startsLikeProfile(data []byte) bool {
	return walkProto(data, profileFields, 0) && firstStringEmpty(data)
}

// profileFields gives the wire type of each field of a Profile message
// (profile.proto): 2 for messages and strings, 0 for varints; packed
// repeated varints (13, comment) may be either.
var profileFields = map[uint64]uint64{1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 0, 8: 0, 9: 0, 10: 0, 11: 2, 12: 0, 13: 2, 14: 0}

// messageFields lists the fields of a Profile that are messages, whose
// contents walkProto checks too (any tag of a small field number, as
// their own fields are).
var messageFields = map[uint64]bool{1: true, 2: true, 3: true, 4: true, 5: true, 11: true}

// walkProto checks the fields in data against fields (nil: any field
// from 1 to 16, as in the Profile's inner messages), to depth 2.
func walkProto(data []byte, fields map[uint64]uint64, depth int) bool {
	for len(data) > 0 {
		tag, n := binary.Uvarint(data)
		if n <= 0 {
			return n == 0 // a varint cut by the end of data
		}
		data = data[n:]
		field, wire := tag>>3, tag&7
		if fields != nil {
			want, ok := fields[field]
			if !ok || wire != want && !(field == 13 && wire == 0) {
				return false
			}
		} else if field < 1 || field > 16 || wire != 0 && wire != 2 {
			return false
		}
		if wire == 0 {
			_, n := binary.Uvarint(data)
			if n < 0 {
				return false
			}
			if n == 0 {
				return true
			}
			data = data[n:]
			continue
		}
		size, n := binary.Uvarint(data)
		if n < 0 || size > MaxProtoSize {
			return false
		}
		if n == 0 {
			return true
		}
		data = data[n:]
		body := data
		if uint64(len(body)) > size {
			body = body[:size]
		}
		if fields != nil && messageFields[field] && depth < 2 && !walkProto(body, nil, depth+1) {
			return false
		}
		if uint64(len(data)) < size {
			return true // the field runs past data
		}
		data = data[size:]
	}
	return true
}

// firstStringEmpty reports whether the first string of the string table
// (field 6) that data holds is "", or data holds none.
func firstStringEmpty(data []byte) bool {
	for len(data) > 0 {
		tag, n := binary.Uvarint(data)
		if n <= 0 {
			return true
		}
		data = data[n:]
		var size uint64
		if tag&7 == 0 {
			_, n = binary.Uvarint(data)
		} else {
			size, n = binary.Uvarint(data)
		}
		if n <= 0 {
			return true
		}
		if tag>>3 == 6 {
			return size == 0
		}
		data = data[n:]
		if uint64(len(data)) < size {
			return true
		}
		data = data[size:]
	}
	return true
}

// ParseProto reads a goroutine profile held in data, as [ReadProto] does.
func ParseProto(data []byte) (*Profile, error) {
	return ReadProto(bytes.NewReader(data))
}

// FromProfile converts a parsed goroutine profile, as [ReadProto] does.
func FromProfile(p *profile.Profile) (*Profile, error) {
	value := -1
	for i, st := range p.SampleType {
		if strings.HasPrefix(st.Type, "goroutine") {
			value = i
			break
		}
	}
	if value < 0 {
		var types []string
		for _, st := range p.SampleType {
			types = append(types, st.Type+"/"+st.Unit)
		}
		return nil, fmt.Errorf("%w: its samples count %s", ErrNotGoroutineProfile, strings.Join(types, ", "))
	}
	out := &Profile{Name: GoroutineProfile, Records: make([]Record, 0, len(p.Sample))}
	if p.SampleType[value].Type == GoroutineLeakProfile {
		out.Name = GoroutineLeakProfile
	}
	for _, s := range p.Sample {
		if value >= len(s.Value) || s.Value[value] <= 0 {
			continue
		}
		var r Record
		r.Count = int(min(s.Value[value], 1<<31-1))
		for _, loc := range s.Location {
			if loc == nil {
				continue
			}
			if len(loc.Line) == 0 {
				r.Frames = append(r.Frames, Frame{Function: fmt.Sprintf("0x%x", loc.Address)})
				continue
			}
			for _, ln := range loc.Line { // innermost (inlined) first
				f := Frame{Function: "?", Line: int(ln.Line)}
				if ln.Function != nil {
					f.Function, f.File = ln.Function.Name, ln.Function.Filename
				}
				r.Frames = append(r.Frames, f)
			}
		}
		for k, vs := range s.Label {
			if len(vs) > 0 {
				if r.Labels == nil {
					r.Labels = make(map[string]string)
				}
				r.Labels[k] = vs[0]
			}
		}
		finishRecord(&r)
		out.Records = append(out.Records, r)
	}
	return out, nil
}

// finishRecord reads a record's state from its frames, then leaves out
// the frames a goroutine dump does not show, so that a kind reads (and
// is fingerprinted) alike in a profile and in a dump, and fills Stack.
func finishRecord(r *Record) {
	r.State = StateFromFrames(r.Frames)
	r.Frames = dumpFrames(r.Frames)
	r.Stack = formatFrames(r.Frames)
}

// dumpFrames returns the frames a goroutine dump shows of a stack: the
// runtime hides its own unexported functions (runtime.gopark,
// runtime.chansend1, ...; runtime/traceback.go, showfuncinfo) and the
// runtime.goexit every goroutine returns to. A stack of hidden frames
// only (a runtime goroutine, which dumps leave out) is kept whole.
func dumpFrames(frames []Frame) []Frame {
	shown := frames[:0:0]
	for _, f := range frames {
		if !hiddenInDump(f.Function) {
			shown = append(shown, f)
		}
	}
	if len(shown) == 0 {
		if n := len(frames); n > 0 && frames[n-1].Function == "runtime.goexit" {
			return frames[:n-1]
		}
		return frames
	}
	return shown
}

// hiddenInDump reports whether a goroutine dump leaves out frames of
// function fn: the runtime's unexported functions, but for those it
// keeps as landmarks.
func hiddenInDump(fn string) bool {
	name, ok := strings.CutPrefix(fn, "runtime.")
	if !ok || name == "" {
		return false
	}
	switch name {
	case "gopanic", "runFinalizers", "runfinq", "runCleanups":
		return false
	}
	return !('A' <= name[0] && name[0] <= 'Z')
}

// ParseProfileText reads a goroutine profile in the text format of
// /debug/pprof/goroutine?debug=1 (or goroutineleak?debug=1), as
// [ScanProfileText] does, into a Profile.
func ParseProfileText(r io.Reader) (*Profile, error) {
	p := &Profile{}
	name, _, err := ScanProfileText(r, func(rec *Record) error {
		p.Records = append(p.Records, *rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.Name = name
	return p, nil
}

// ScanProfileText reads a goroutine profile in the text format of
// /debug/pprof/goroutine?debug=1 (or goroutineleak?debug=1), handing
// each record to each as it is read (the Record is each's to keep; an
// error from each stops the reading and is returned), and returns the
// profile's name and the total of goroutines from its first line (-1
// when the text has no such line):
//
//	goroutine profile: total 11
//	5 @ 0x48c1ea 0x419bce 0x419712 0x6842e7 0x493121
//	# labels: {"handler":"leak"}
//	#	0x6842e6	main.worker+0x46	/src/main.go:63
//
// Pasted text reads too: lines quoted with "> ", tabs turned into spaces,
// frame lines that lost their "#". A frame at address 0 (a sample the
// runtime recorded without a stack) is no frame.
// That format leaves out the runtime frames on top of each stack, so the
// state is known only for waits in the sync, time and poll packages and
// system calls; channel operations and select read as "unknown". Lines it
// does not understand are skipped; text with neither the first line nor
// a record is an error ([ErrNotGoroutineProfile]). Memory stays that of
// one record, whatever the input's size.
func ScanProfileText(r io.Reader, each func(*Record) error) (name string, total int, err error) {
	total = -1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxBlock)
	var cur *Record
	var eachErr error
	finish := func() {
		if cur == nil || eachErr != nil {
			return
		}
		finishRecord(cur)
		eachErr = each(cur)
		cur = nil
	}
	records := 0
	for eachErr == nil && sc.Scan() {
		line := unquote(strings.TrimSuffix(sc.Text(), "\r"))
		if cur != nil && strings.HasPrefix(strings.TrimLeft(line, " \t"), "0x") {
			line = "#\t" + strings.TrimLeft(line, " \t") // a frame that lost its "#"
		}
		switch {
		case name == "" && records == 0 && isProfileTextHeader(line):
			f := strings.Fields(line)
			name = f[0]
			if n, err := strconv.Atoi(f[3]); err == nil && n >= 0 {
				total = n
			}
		case strings.HasPrefix(line, "# labels: "):
			if cur != nil {
				cur.Labels = parseProfileLabels(strings.TrimPrefix(line, "# labels: "))
			}
		case strings.HasPrefix(line, "#"):
			if cur == nil {
				continue
			}
			fields := strings.FieldsFunc(line[1:], func(r rune) bool { return r == '\t' })
			if !strings.Contains(line, "\t") {
				// Pasted, tabs turned into spaces: the address, the
				// function, and the position (which may hold spaces).
				fields = strings.Fields(line[1:])
				if len(fields) > 3 {
					fields = append(fields[:2], strings.Join(fields[2:], " "))
				}
			}
			for i := range fields {
				fields[i] = strings.TrimSpace(fields[i])
			}
			f := Frame{Function: "?"}
			switch len(fields) {
			case 0:
				continue
			case 1: // "#\t0x4b9c24": a PC without symbol
				if pc, err := strconv.ParseUint(fields[0], 0, 64); err == nil && pc == 0 {
					continue // no code: a sample without a stack
				}
				f.Function = fields[0]
			default:
				f.Function = fields[1]
				if i := strings.LastIndex(f.Function, "+0x"); i > 0 {
					f.Function = f.Function[:i]
				}
				if len(fields) > 2 {
					f.File, f.Line = parseFileLine(fields[2])
				}
			}
			cur.Frames = append(cur.Frames, f)
		default:
			count, _, ok := strings.Cut(line, " @")
			n, err := strconv.Atoi(count)
			if !ok || err != nil || n <= 0 {
				if strings.TrimSpace(line) == "" {
					finish()
				}
				continue
			}
			finish()
			records++
			cur = &Record{Count: n}
		}
	}
	finish()
	if eachErr != nil {
		return name, total, eachErr
	}
	if err := sc.Err(); err != nil {
		return name, total, err
	}
	if name == "" && records == 0 {
		return "", total, ErrNotGoroutineProfile
	}
	if name == "" {
		name = GoroutineProfile
	}
	return name, total, nil
}

// parseProfileLabels parses runtime/pprof's label set of the debug=1
// format: {"k":"v", "k2":"v2"}, every string quoted.
func parseProfileLabels(s string) map[string]string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	labels := parseLabels(s)
	if len(labels) == 0 {
		return nil
	}
	return labels
}

// StateFromFrames infers a goroutine's state from the functions on top of
// its stack, for profiles, which record no state: the channel, select,
// lock, sleep, network and system call functions the runtime parks in
// give the wait reason the goroutine dump would print ("chan receive",
// "sync.Mutex.Lock", "IO wait", ...). It returns "unknown" when the
// frames do not tell, as for a running goroutine or one whose runtime
// frames the debug=1 format left out.
func StateFromFrames(frames []Frame) string {
	for _, f := range frames {
		switch f.Function {
		case "runtime.chanrecv", "runtime.chanrecv1", "runtime.chanrecv2":
			return "chan receive"
		case "runtime.chansend", "runtime.chansend1":
			return "chan send"
		case "runtime.selectgo":
			return "select"
		case "runtime.block":
			return "select (no cases)"
		case "sync.runtime_SemacquireMutex", "internal/sync.runtime_SemacquireMutex":
			return "sync.Mutex.Lock"
		case "sync.runtime_SemacquireRWMutexR":
			return "sync.RWMutex.RLock"
		case "sync.runtime_SemacquireRWMutex":
			return "sync.RWMutex.Lock"
		case "sync.runtime_SemacquireWaitGroup":
			return "sync.WaitGroup.Wait"
		case "sync.runtime_Semacquire", "internal/poll.runtime_Semacquire":
			return "semacquire"
		case "sync.runtime_notifyListWait":
			return "sync.Cond.Wait"
		case "time.Sleep":
			return "sleep"
		case "internal/poll.runtime_pollWait":
			return "IO wait"
		case "syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6",
			"internal/runtime/syscall.Syscall6", "runtime.entersyscall", "runtime.exitsyscall":
			return "syscall"
		case "runtime/pprof.writeRuntimeProfile", "runtime.goroutineProfileWithLabels",
			"runtime.goroutineProfileWithLabelsConcurrent", "runtime/pprof.runtime_goroutineProfileWithLabels":
			return "running" // the goroutine writing the profile
		}
		if !strings.HasPrefix(f.Function, "runtime.") && !strings.HasPrefix(f.Function, "internal/runtime/") {
			break
		}
	}
	return "unknown"
}

// formatFrames renders frames as a goroutine dump shows them, a function
// line and a tab-indented position for each, so that a record's Stack
// reads like the stacks of a dump.
func formatFrames(frames []Frame) string {
	var b strings.Builder
	for i, f := range frames {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.Function)
		b.WriteString("(...)\n\t")
		b.WriteString(f.Location())
	}
	return b.String()
}

// Kinds of input that [Sniff] tells apart.
const (
	FormatDump        = "dump"         // a goroutine dump, alone or in other output
	FormatProfileText = "profile text" // a debug=1 goroutine profile
	FormatProto       = "proto"        // a protocol buffer profile, maybe gzipped
)

// Sniff tells from the first bytes of an input which format it is in:
// [FormatProto] for gzip data, or for binary data (control characters in
// the first 512 bytes),
// [FormatProfileText] for a text profile's "goroutine profile: total N"
// first line, and [FormatDump] for any other text (which may or may not
// hold a dump).
func Sniff(head []byte) string {
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		return FormatProto
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	if isProfileTextHeader(unquote(string(first))) {
		return FormatProfileText
	}
	// Text never holds the control bytes a protocol buffer message is
	// full of (field tags such as 0x0a, 0x08, 0x10).
	if len(head) > 512 {
		head = head[:512]
	}
	for _, c := range head {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return FormatProto
		}
	}
	return FormatDump
}

// unquote drops the "> " quoting and the indentation of a line of a text
// profile pasted into an issue.
func unquote(line string) string {
	return strings.TrimLeft(line, "> ")
}

// isProfileTextHeader reports whether line is the first line of a text
// profile: "goroutine profile: total 11".
func isProfileTextHeader(line string) bool {
	f := strings.Fields(line)
	return len(f) == 4 && f[1] == "profile:" && f[2] == "total"
}
