package heapdump

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryRecordKind(t *testing.T) {
	e := newEncoder()
	e.everyRecord()
	e.object(arenaLo, 64, nil)
	_, err := Measure(bytes.NewReader(e.eof()), nil)
	require.NoError(t, err)
}

func TestMalformed(t *testing.T) {
	withParams := func(f func(e *encoder)) []byte {
		e := newEncoder()
		f(e)
		return e.Bytes()
	}
	for _, tc := range []struct {
		name, want string
		dump       []byte
	}{
		{"empty", "not a go1.7 heap dump", nil},
		{"not a dump", "not a go1.7 heap dump", []byte("goroutine 1 [running]:\n")},
		{"no EOF record", "truncated: input ends at offset", withParams(func(*encoder) {})},
		{"unknown tag", "unknown record tag 99", withParams(func(e *encoder) { e.u(99) })},
		{"object before params", "object record at offset 16 comes before the params record", []byte(header + "\x01\x00\x00\x00")},
		{"second params", "a second params record", withParams(func(e *encoder) { e.u(tagParams, 0, 8, 0, 0) })},
		{"pointer size", "pointer size 5", []byte(header + "\x06\x00\x05\x00\x00")},
		{"huge string", "string length 1099511627776 exceeds", withParams(func(e *encoder) { e.u(tagOtherRoot, 1<<40) })},
		{"huge range", "memory range length 1125899906842624 exceeds", withParams(func(e *encoder) { e.u(tagObject, arenaLo, 1<<50) })},
		{"range longer than the input", "unexpected EOF", withParams(func(e *encoder) { e.u(tagObject, arenaLo, 1<<40); e.WriteString("tiny") })},
		{"field outside the object", "pointer field at offset 16 of a 16-byte range", withParams(func(e *encoder) {
			e.u(tagObject, arenaLo, 16)
			e.Write(make([]byte, 16))
			e.u(fieldPtr, 16)
		})},
		{"field kind", "unknown field kind 7", withParams(func(e *encoder) { e.u(tagData, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 7) })},
		{"frame first", "stack frame record at offset", withParams(func(e *encoder) { e.u(tagStackFrame, 0, 0, 0, 0) })},
		{"goroutine twice", "goroutine 7 dumped twice", withParams(func(e *encoder) { e.goroutine(gDesc1, 7, stack1); e.goroutine(gDesc2, 7, stack2) })},
		{"varint overflow", "uvarint overflows", append(withParams(func(*encoder) {}), bytes.Repeat([]byte{0xff}, 11)...)},
		{"huge stack", "stack length 100000 exceeds", withParams(func(e *encoder) { e.u(tagMemProf, 0, 0, 100000) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Measure(bytes.NewReader(tc.dump), [][]uint64{{1}})
			assert.Nil(t, r)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestEveryTruncation cuts a dump at every byte: each prefix is an
// error, none a panic.
func TestEveryTruncation(t *testing.T) {
	d := syntheticDump()
	for n := range len(d) {
		_, err := Measure(bytes.NewReader(d[:n]), [][]uint64{{1}, {2}})
		require.Error(t, err, "prefix of %d bytes", n)
	}
}

// TestLengthsDoNotAllocate feeds lengths far beyond the input and checks
// that memory does not follow them.
func TestLengthsDoNotAllocate(t *testing.T) {
	e := newEncoder()
	e.u(tagObject, arenaLo, 1<<45)
	e.Write(bytes.Repeat(binary.LittleEndian.AppendUint64(nil, arenaLo), 1000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Measure(bytes.NewReader(e.Bytes()), nil)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(2<<20))
}

func TestErrorSaysWhere(t *testing.T) {
	d := syntheticDump()
	_, err := Measure(bytes.NewReader(d[:len(d)/2]), nil)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "heapdump: "), err.Error())
	assert.Contains(t, err.Error(), "at offset")
}
