package osc

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// unhex decodes a hex dump with spaces, as the OSC 1.0 specification prints its examples.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bundle frames elements as an OSC bundle with an "immediately" timetag.
func bundle(elements ...[]byte) []byte {
	b := append([]byte("#bundle\x00"), 0, 0, 0, 0, 0, 0, 0, 1)
	for _, e := range elements {
		b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return b
}

// collect parses packet and returns copies of the messages it holds.
func collect(packet []byte) ([]Message, error) {
	var got []Message
	err := Parse(packet, func(m Message) { got = append(got, m.Clone()) })
	return got, err
}

func equalMessages(a, b []Message) bool {
	return slices.EqualFunc(a, b, func(x, y Message) bool {
		return x.Address == y.Address && slices.Equal(x.Args, y.Args)
	})
}

// The two examples of the OSC 1.0 specification, byte for byte.
var specExamples = []struct {
	name string
	hex  string
	want Message
}{
	{
		"oscillator",
		"2f6f7363 696c6c61 746f722f 342f6672 65717565 6e637900 2c660000 43dc0000",
		Message{"/oscillator/4/frequency", []Arg{Float(440)}},
	},
	{
		"foo",
		"2f666f6f 00000000 2c696973 66660000 000003e8 ffffffff 68656c6c 6f000000 3f9df3b6 40b5b22d",
		Message{"/foo", []Arg{Int(1000), Int(-1), String("hello"), Float(1.234), Float(5.678)}},
	},
}

func TestParseSpecExamples(t *testing.T) {
	for _, c := range specExamples {
		t.Run(c.name, func(t *testing.T) {
			packet := unhex(t, c.hex)
			got, err := collect(packet)
			if err != nil {
				t.Fatal(err)
			}
			if !equalMessages(got, []Message{c.want}) {
				t.Fatalf("Parse gave %v, want %v", got, c.want)
			}
			if enc := AppendMessage(nil, c.want); !bytes.Equal(enc, packet) {
				t.Fatalf("AppendMessage gave\n% x\nwant\n% x", enc, packet)
			}
		})
	}
}

func TestParseEveryType(t *testing.T) {
	m := Message{"/a/b", []Arg{Int(math.MinInt32), Float(float32(math.Inf(-1))), String(""), String("abc"), String("abcd"), Bool(true), Bool(false)}}
	got, err := collect(AppendMessage(nil, m))
	if err != nil {
		t.Fatal(err)
	}
	if !equalMessages(got, []Message{m}) {
		t.Fatalf("round trip gave %v, want %v", got, m)
	}
	if v, ok := got[0].Args[0].Int(); !ok || v != math.MinInt32 {
		t.Errorf("Int() = %v, %v", v, ok)
	}
	if v, ok := got[0].Args[6].Bool(); !ok || v {
		t.Errorf("Bool() of F = %v, %v", v, ok)
	}
	if _, ok := got[0].Args[3].Number(); ok {
		t.Errorf("a string argument reads as a number")
	}
}

func TestParseBundles(t *testing.T) {
	a := AppendMessage(nil, Message{"/a", []Arg{Int(1)}})
	b := AppendMessage(nil, Message{"/b", nil})
	c := AppendMessage(nil, Message{"/c", []Arg{String("x")}})
	got, err := collect(bundle(a, bundle(b, bundle()), c))
	if err != nil {
		t.Fatal(err)
	}
	want := []Message{{"/a", []Arg{Int(1)}}, {"/b", []Arg{}}, {"/c", []Arg{String("x")}}}
	if !equalMessages(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestParseNestingLimit(t *testing.T) {
	nest := func(depth int) []byte {
		p := AppendMessage(nil, Message{"/deep", nil})
		for range depth {
			p = bundle(p)
		}
		return p
	}
	if got, err := collect(nest(MaxDepth)); err != nil || len(got) != 1 {
		t.Fatalf("bundles %d deep: %v, %d messages", MaxDepth, err, len(got))
	}
	if _, err := collect(nest(MaxDepth + 1)); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("bundles %d deep: error %v, want one about nesting", MaxDepth+1, err)
	}
}

func TestParseMalformed(t *testing.T) {
	good := AppendMessage(nil, Message{"/ok", []Arg{Float(1)}})
	manyTags := "," + strings.Repeat("T", MaxArgs+1)
	long := []byte("/" + strings.Repeat("x", MaxAddress))
	long = append(long, make([]byte, 4-len(long)%4)...)
	long = append(long, ',', 0, 0, 0)
	cases := []struct {
		name   string
		packet []byte
		want   string // a fragment of the error
	}{
		{"empty", nil, "empty"},
		{"truncated", good[:len(good)-1], "not a multiple of 4"},
		{"truncated argument", good[:len(good)-4], "cut off"},
		{"oversize", AppendMessage(nil, Message{"/big", []Arg{String(strings.Repeat("x", MaxPacket))}}), "longer than"},
		{"address without NUL", []byte("/foo"), "no terminating NUL"},
		{"misaligned string", []byte("/foo\x00,f\x00\x00\x00\x00\x00"), "not NUL"},
		{"second argument cut off", []byte("/foo\x00\x00\x00\x00,iii\x00\x00\x00\x00\x00\x00\x00\x00"), "cut off"},
		{"no type tags", []byte("/foo\x00\x00\x00\x00"), "no type tag string"},
		{"type tags without ','", []byte("/foo\x00\x00\x00\x00f\x00\x00\x00\x43\xdc\x00\x00"), "no type tag string"},
		{"empty type tags", []byte("/foo\x00\x00\x00\x00\x00\x00\x00\x00"), "no type tag string"},
		{"blob", []byte("/foo\x00\x00\x00\x00,b\x00\x00\x00\x00\x00\x04abcd"), `type tag 'b'`},
		{"double", []byte("/foo\x00\x00\x00\x00,d\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), `type tag 'd'`},
		{"int64", []byte("/foo\x00\x00\x00\x00,ih\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00"), `argument 2 of /foo has type tag 'h'`},
		{"string argument without NUL", []byte("/foo\x00\x00\x00\x00,s\x00\x00abcd"), "no terminating NUL"},
		{"bytes after the arguments", append(bytes.Clone(good), 0, 0, 0, 0), "follow the last argument"},
		{"too many arguments", []byte("/foo\x00\x00\x00\x00" + manyTags + strings.Repeat("\x00", 4-len(manyTags)%4)), "arguments; at most"},
		{"address too long", long, "at most 255"},
		{"address with a space", []byte("/a b\x00\x00\x00\x00,\x00\x00\x00"), "printable ASCII"},
		{"address with a control byte", []byte("/a\x01\x00,\x00\x00\x00"), "printable ASCII"},
		{"neither message nor bundle", []byte("foo\x00,\x00\x00\x00"), "neither a message"},
		{"bundle without timetag", []byte("#bundle\x00\x00\x00\x00\x01"), "timetag"},
		{"bundle size cut off (the packet is no multiple of 4)", append(bundle(), 0, 0), "not a multiple of 4"},
		{"bundle size lies", bundle(good)[:16+4+len(good)-4], "claims"},
		{"bundle size too big", append(bundle(), 0, 0, 0, 64, '/', 'a', 0, 0, ',', 0, 0, 0), "claims 64 bytes"},
		{"bundle size negative", append(bundle(), 0xff, 0xff, 0xff, 0xf8, '/', 'a', 0, 0, ',', 0, 0, 0), "size -8"},
		{"bundle size zero", append(bundle(), 0, 0, 0, 0), "size 0"},
		{"bundle size unaligned", append(bundle(), 0, 0, 0, 6, '/', 'a', 0, 0, ',', 0, 0, 0), "size 6"},
		{"one bad element", bundle(good, []byte("/bad\x00\x00\x00\x00,x\x00\x00"), good), `type tag 'x'`},
		{"bad element deep down", bundle(good, bundle(bundle([]byte("/bad\x00\x00\x00\x00")))), "no type tag string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			visited := 0
			err := Parse(c.packet, func(Message) { visited++ })
			if err == nil {
				t.Fatalf("Parse(% x) succeeded", c.packet)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "osc: ") {
				t.Errorf("error %q, want one starting \"osc: \" that contains %q", err, c.want)
			}
			t.Log(err)
			if visited != 0 {
				t.Errorf("visit called %d times for a malformed packet", visited)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	bad := []Message{
		{"", nil},
		{"foo", nil},
		{"/a b", nil},
		{"/é", nil},
		{"/" + strings.Repeat("x", MaxAddress), nil},
		{"/a", make([]Arg, MaxArgs+1)},
		{"/a", []Arg{{}}},
		{"/a", []Arg{String("a\x00b")}},
	}
	for _, m := range bad {
		if err := m.Validate(); err == nil {
			t.Errorf("Validate(%q, %d args) = nil", m.Address, len(m.Args))
		}
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "osc: ") {
					t.Errorf("AppendMessage(%q) panicked with %v, want an osc: message", m.Address, r)
				}
			}()
			AppendMessage(nil, m)
		}()
	}
	if err := (Message{"/" + strings.Repeat("x", MaxAddress-1), make([]Arg, 0, MaxArgs)}).Validate(); err != nil {
		t.Errorf("a message at the limits: %v", err)
	}
}

func TestAppendMessageDoesNotAllocate(t *testing.T) {
	m := Message{"/separatrix/a/state", []Arg{Float(-65), Float(0.3), String("x"), Int(2)}}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = AppendMessage(buf[:0], m) }); n != 0 {
		t.Errorf("AppendMessage allocates %v times per call with room in dst", n)
	}
}

func TestParserDoesNotAllocate(t *testing.T) {
	packet := bundle(
		AppendMessage(nil, Message{"/separatrix/a/current", []Arg{Float(10)}}),
		AppendMessage(nil, Message{"/separatrix/a/kick", []Arg{String("hello")}}),
	)
	var p Parser
	n := 0
	visit := func(m Message) { n += len(m.Args) }
	if err := p.Parse(packet, visit); err != nil { // sees the strings once
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() { _ = p.Parse(packet, visit) }); a != 0 {
		t.Errorf("Parser.Parse allocates %v times per packet it has seen before", a)
	}
}

func TestArgString(t *testing.T) {
	m := Message{"/foo", []Arg{Int(3), Float(1.5), String("hi"), Bool(true), Bool(false), {}}}
	if got, want := m.String(), `/foo ,ifsTF? 3 1.5 "hi" true false invalid`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func BenchmarkParse(b *testing.B) {
	packet := AppendMessage(nil, Message{"/separatrix/a/current/normalized", []Arg{Float(0.5)}})
	var p Parser
	visit := func(Message) {}
	b.SetBytes(int64(len(packet)))
	for b.Loop() {
		if err := p.Parse(packet, visit); err != nil {
			b.Fatal(err)
		}
	}
}

// The strings a visit gets stay as they were when the packet's buffer is reused, and a
// sender of ever new addresses does not grow the Parser without bound.
func TestParserStrings(t *testing.T) {
	var p Parser
	packet := AppendMessage(nil, Message{"/keep/me", []Arg{String("and me")}})
	var addr, arg string
	if err := p.Parse(packet, func(m Message) { addr, _ = m.Args[0].Str(); addr, arg = m.Address, addr }); err != nil {
		t.Fatal(err)
	}
	for i := range packet {
		packet[i] = 'x'
	}
	if addr != "/keep/me" || arg != "and me" {
		t.Errorf("kept strings changed with the buffer: %q, %q", addr, arg)
	}
	for i := range 3 * maxInterned {
		packet = AppendMessage(packet[:0], Message{"/n/" + strconv.Itoa(i), nil})
		if err := p.Parse(packet, func(Message) {}); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.strs) > maxInterned {
		t.Errorf("the Parser keeps %d strings; at most %d", len(p.strs), maxInterned)
	}
}
