package osc

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits on what Parse accepts. Every size in a packet is checked against them before it
// is used, so a hostile or broken sender costs a bounded amount of work and memory.
const (
	// MaxPacket is the longest packet, in bytes (the largest UDP datagram fits).
	MaxPacket = 64 << 10
	// MaxArgs is the most arguments one message may carry.
	MaxArgs = 64
	// MaxAddress is the longest address, in bytes, not counting its NUL.
	MaxAddress = 255
	// MaxDepth is how deep bundles may nest: a bundle in a bundle is depth 2.
	MaxDepth = 8
)

// Type tags of the arguments Separatrix reads and writes (OSC 1.0 required types i, f,
// s, and the common extension T, F). Blobs (b), 64-bit types (h, d, t) and the rest are
// not read: a message carrying one is malformed.
const (
	TagInt    = 'i' // int32, big-endian two's complement
	TagFloat  = 'f' // float32, big-endian IEEE 754
	TagString = 's' // NUL-terminated, padded to a multiple of 4 bytes
	TagTrue   = 'T' // no data
	TagFalse  = 'F' // no data
)

// Arg is one argument of a message: a value of one of the tags above. It is a small
// value (no pointers but a string's), comparable with ==, and the zero Arg is invalid
// (its tag is 0). Build one with Int, Float, String or Bool.
//
// A float is kept as its bits, so == compares NaNs as equal when their bits are.
type Arg struct {
	tag  byte
	bits uint32 // int32 or float32 bits
	str  string
}

// Int returns an i argument.
func Int(v int32) Arg { return Arg{tag: TagInt, bits: uint32(v)} }

// Float returns an f argument.
func Float(v float32) Arg { return Arg{tag: TagFloat, bits: math.Float32bits(v)} }

// String returns an s argument. s must not contain a NUL byte (Message.Validate).
func String(s string) Arg { return Arg{tag: TagString, str: s} }

// Bool returns a T or an F argument.
func Bool(v bool) Arg {
	if v {
		return Arg{tag: TagTrue}
	}
	return Arg{tag: TagFalse}
}

// Tag is the argument's type tag: TagInt, TagFloat, TagString, TagTrue or TagFalse (0
// for the zero Arg).
func (a Arg) Tag() byte { return a.tag }

// Int returns an i argument's value; ok is false for any other tag.
func (a Arg) Int() (v int32, ok bool) { return int32(a.bits), a.tag == TagInt }

// Float returns an f argument's value; ok is false for any other tag.
func (a Arg) Float() (v float32, ok bool) { return math.Float32frombits(a.bits), a.tag == TagFloat }

// Str returns an s argument's value; ok is false for any other tag.
func (a Arg) Str() (s string, ok bool) { return a.str, a.tag == TagString }

// Bool returns a T or F argument's value; ok is false for any other tag.
func (a Arg) Bool() (v bool, ok bool) { return a.tag == TagTrue, a.tag == TagTrue || a.tag == TagFalse }

// Number returns an f or an i argument as a float64 (controllers such as TouchOSC send
// either where a number is meant); ok is false for any other tag.
func (a Arg) Number() (v float64, ok bool) {
	switch a.tag {
	case TagFloat:
		return float64(math.Float32frombits(a.bits)), true
	case TagInt:
		return float64(int32(a.bits)), true
	}
	return 0, false
}

// String formats the argument as oscdump does ("440", "hello", "true"), for logs and
// tests; it allocates.
func (a Arg) String() string {
	switch a.tag {
	case TagInt:
		return strconv.FormatInt(int64(int32(a.bits)), 10)
	case TagFloat:
		return strconv.FormatFloat(float64(math.Float32frombits(a.bits)), 'g', -1, 32)
	case TagString:
		return strconv.Quote(a.str)
	case TagTrue:
		return "true"
	case TagFalse:
		return "false"
	}
	return "invalid"
}

// Message is one OSC message: an address and its arguments.
type Message struct {
	Address string
	Args    []Arg
}

// String formats the message as "/foo ,if 1 2.5", for logs and tests; it allocates.
func (m Message) String() string {
	var b strings.Builder
	b.WriteString(m.Address)
	b.WriteString(" ,")
	for _, a := range m.Args {
		if a.tag == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte(a.tag)
		}
	}
	for _, a := range m.Args {
		b.WriteByte(' ')
		b.WriteString(a.String())
	}
	return b.String()
}

// Clone returns a copy of m whose Args the caller owns (a Message passed to a visit
// function shares its Args with the Parser).
func (m Message) Clone() Message {
	m.Args = append([]Arg(nil), m.Args...)
	return m
}

// Validate reports why m cannot be sent, or nil: the address breaks the rules of
// ValidAddress, there are more than MaxArgs arguments, an argument is the zero Arg, or a
// string argument contains a NUL byte.
func (m Message) Validate() error {
	if err := ValidAddress(m.Address); err != nil {
		return err
	}
	if len(m.Args) > MaxArgs {
		return fmt.Errorf("osc: message %s has %d arguments; at most %d will do", m.Address, len(m.Args), MaxArgs)
	}
	for i, a := range m.Args {
		switch a.tag {
		case TagInt, TagFloat, TagTrue, TagFalse:
		case TagString:
			if strings.IndexByte(a.str, 0) >= 0 {
				return fmt.Errorf("osc: argument %d of %s is a string with a NUL byte, which OSC strings cannot carry", i+1, m.Address)
			}
		default:
			return fmt.Errorf("osc: argument %d of %s is not set (build arguments with Int, Float, String or Bool)", i+1, m.Address)
		}
	}
	return nil
}

// ValidAddress reports why s cannot be an OSC address, or nil. An address starts with
// '/', is at most MaxAddress bytes long and holds printable ASCII only, no spaces.
// Pattern characters (* ? [ ] { }) pass: Separatrix does not expand patterns, so they
// simply match no route.
func ValidAddress(s string) error {
	if len(s) == 0 || s[0] != '/' {
		return fmt.Errorf("osc: address %q does not start with '/'", s)
	}
	if len(s) > MaxAddress {
		return fmt.Errorf("osc: address of %d bytes is longer than the %d allowed", len(s), MaxAddress)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("osc: address %q has %q at byte %d; only printable ASCII without spaces will do", s, c, i)
		}
	}
	return nil
}

// AppendMessage appends the encoding of m to dst and returns the extended slice. It
// allocates only when dst lacks room (at most 4 + len(Address) + len(Args) + 8 +
// 4·len(Args) + the padded string arguments bytes). It panics if m is not valid
// (Message.Validate): check anything built from outside input first.
func AppendMessage(dst []byte, m Message) []byte {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	dst = appendPadded(dst, m.Address, "", "", "")
	// The type tag string: ',' then one tag per argument, padded.
	start := len(dst)
	dst = append(dst, ',')
	for _, a := range m.Args {
		dst = append(dst, a.tag)
	}
	dst = pad(dst, len(dst)-start)
	for _, a := range m.Args {
		switch a.tag {
		case TagInt, TagFloat:
			dst = binary.BigEndian.AppendUint32(dst, a.bits)
		case TagString:
			dst = appendPadded(dst, a.str, "", "", "")
		}
	}
	return dst
}

// appendPadded appends the concatenation of a, b, c and d as one OSC string: a NUL and
// 1 to 3 more to reach a multiple of 4 bytes. Four parts let the builders write an
// address without concatenating (and allocating) it first.
func appendPadded(dst []byte, a, b, c, d string) []byte {
	dst = append(dst, a...)
	dst = append(dst, b...)
	dst = append(dst, c...)
	dst = append(dst, d...)
	return pad(dst, len(a)+len(b)+len(c)+len(d))
}

// pad appends the NUL that ends a string of n bytes and the NULs that bring it to a
// multiple of 4.
func pad(dst []byte, n int) []byte {
	for k := 4 - n%4; k > 0; k-- {
		dst = append(dst, 0)
	}
	return dst
}

// Parser decodes packets without allocating once it has seen the addresses and short
// strings a sender uses. The zero Parser is ready. A Parser belongs to one goroutine.
type Parser struct {
	args [MaxArgs]Arg
	// strs keeps the strings made from addresses and short string arguments, so that a
	// controller sending the same few addresses over and over costs no allocation. It
	// holds at most maxInterned entries: a sender of ever new strings costs one
	// allocation per string, never unbounded memory.
	strs map[string]string
}

const (
	maxInterned    = 1024
	maxInternedLen = 64 // string arguments longer than this are not kept
)

// Parse decodes a packet, a message or a bundle, and calls visit with each message in
// it, in packet order (bundles depth first). Bundle timetags are ignored: every message
// is meant "immediately".
//
// The packet is checked whole before visit is first called: a packet with any fault,
// in any element of any bundle, is malformed, Parse returns an error saying what and
// where, and visit is not called at all. (A bundle's messages are meant to take effect
// together, and a sender whose framing is wrong in one element cannot be trusted in the
// others.) Parse never panics, whatever the bytes.
//
// The Message given to visit has Args that point into p, valid until visit returns (use
// Message.Clone to keep them); its strings are ordinary strings the caller may keep.
// visit may be nil, which only checks the packet.
func (p *Parser) Parse(packet []byte, visit func(Message)) error {
	if len(packet) == 0 {
		return fmt.Errorf("osc: the packet is empty")
	}
	if len(packet) > MaxPacket {
		return fmt.Errorf("osc: the packet of %d bytes is longer than the %d allowed", len(packet), MaxPacket)
	}
	if len(packet)%4 != 0 {
		return fmt.Errorf("osc: the packet of %d bytes is not a multiple of 4 bytes long", len(packet))
	}
	if err := p.element(packet, 0, 1, nil); err != nil {
		return err
	}
	if visit == nil {
		return nil
	}
	return p.element(packet, 0, 1, visit)
}

// Parse decodes packet with a new Parser; see Parser.Parse. It allocates the Parser:
// a receiver of many packets keeps one Parser instead.
func Parse(packet []byte, visit func(Message)) error {
	var p Parser
	return p.Parse(packet, visit)
}

var bundleTag = [8]byte{'#', 'b', 'u', 'n', 'd', 'l', 'e', 0}

// element decodes a message or bundle b found at byte off of the packet, at bundle
// depth depth. With visit nil it only checks (and makes no strings).
func (p *Parser) element(b []byte, off, depth int, visit func(Message)) error {
	if len(b) > 0 && b[0] == '/' {
		return p.message(b, off, visit)
	}
	if len(b) < 8 || [8]byte(b[:8]) != bundleTag {
		return fmt.Errorf("osc: the element at byte %d is neither a message (which starts with '/') nor a bundle (which starts with \"#bundle\")", off)
	}
	if depth > MaxDepth {
		return fmt.Errorf("osc: the bundle at byte %d is nested %d deep; at most %d will do", off, depth, MaxDepth)
	}
	if len(b) < 16 {
		return fmt.Errorf("osc: the bundle at byte %d ends before its 8-byte timetag", off)
	}
	for i := 16; i < len(b); {
		if len(b)-i < 4 {
			return fmt.Errorf("osc: the bundle element size at byte %d is cut off", off+i)
		}
		size := int64(int32(binary.BigEndian.Uint32(b[i:])))
		i += 4
		switch {
		case size <= 0:
			return fmt.Errorf("osc: the bundle element at byte %d has size %d; it must be more than 0", off+i, size)
		case size%4 != 0:
			return fmt.Errorf("osc: the bundle element at byte %d has size %d, not a multiple of 4", off+i, size)
		case size > int64(len(b)-i):
			return fmt.Errorf("osc: the bundle element at byte %d claims %d bytes but only %d remain in the bundle", off+i, size, len(b)-i)
		}
		if err := p.element(b[i:i+int(size)], off+i, depth+1, visit); err != nil {
			return err
		}
		i += int(size)
	}
	return nil
}

// message decodes the message b found at byte off of the packet.
func (p *Parser) message(b []byte, off int, visit func(Message)) error {
	addr, i, err := readString(b, 0, off)
	if err != nil {
		return err
	}
	if len(addr) > MaxAddress {
		return fmt.Errorf("osc: the address at byte %d is %d bytes long; at most %d will do", off, len(addr), MaxAddress)
	}
	for k, c := range addr {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("osc: the address at byte %d has %q at byte %d; only printable ASCII without spaces will do", off, c, off+k)
		}
	}
	if i == len(b) {
		return fmt.Errorf("osc: the message %s at byte %d has no type tag string (it must follow the address and start with ',')", addr, off)
	}
	tagsAt := i
	tags, i, err := readString(b, i, off)
	if err != nil {
		return err
	}
	if len(tags) == 0 || tags[0] != ',' {
		return fmt.Errorf("osc: the message %s at byte %d has no type tag string (the string after the address at byte %d does not start with ',')", addr, off, off+tagsAt)
	}
	tags = tags[1:]
	if len(tags) > MaxArgs {
		return fmt.Errorf("osc: the message %s has %d arguments; at most %d will do", addr, len(tags), MaxArgs)
	}
	var m Message
	if visit != nil {
		m.Address = p.intern(addr)
		m.Args = p.args[:len(tags)]
	}
	for k, t := range tags {
		var a Arg
		switch t {
		case TagInt, TagFloat:
			if len(b)-i < 4 {
				return fmt.Errorf("osc: argument %d (%c) of %s at byte %d is cut off", k+1, t, addr, off+i)
			}
			a = Arg{tag: t, bits: binary.BigEndian.Uint32(b[i:])}
			i += 4
		case TagString:
			var s []byte
			if s, i, err = readString(b, i, off); err != nil {
				return err
			}
			if visit != nil {
				a = Arg{tag: t, str: p.stringArg(s)}
			}
		case TagTrue, TagFalse:
			a = Arg{tag: t}
		default:
			return fmt.Errorf("osc: argument %d of %s has type tag %q, which Separatrix does not read (it reads i, f, s, T and F)", k+1, addr, t)
		}
		if visit != nil {
			m.Args[k] = a
		}
	}
	if i != len(b) {
		return fmt.Errorf("osc: %d bytes follow the last argument of %s at byte %d", len(b)-i, addr, off+i)
	}
	if visit != nil {
		visit(m)
	}
	return nil
}

// readString reads the OSC string at b[i:] (b at byte off of the packet) and returns its
// bytes without the NUL and the index after its padding. b starts 4-aligned.
func readString(b []byte, i, off int) ([]byte, int, error) {
	n := -1
	for k, c := range b[i:] {
		if c == 0 {
			n = k
			break
		}
	}
	if n < 0 {
		return nil, 0, fmt.Errorf("osc: the string at byte %d has no terminating NUL", off+i)
	}
	end := i + (n+4)&^3
	if end > len(b) {
		return nil, 0, fmt.Errorf("osc: the string at byte %d is not padded to a multiple of 4 bytes", off+i)
	}
	for k := i + n; k < end; k++ {
		if b[k] != 0 {
			return nil, 0, fmt.Errorf("osc: the string at byte %d is padded with a byte that is not NUL", off+i)
		}
	}
	return b[i : i+n], end, nil
}

// intern returns b as a string, reusing one made before for the same bytes.
func (p *Parser) intern(b []byte) string {
	if s, ok := p.strs[string(b)]; ok { // the conversion in a map index does not allocate
		return s
	}
	s := string(b)
	if p.strs == nil {
		p.strs = make(map[string]string)
	}
	if len(p.strs) < maxInterned {
		p.strs[s] = s
	}
	return s
}

func (p *Parser) stringArg(b []byte) string {
	if len(b) > maxInternedLen {
		return string(b)
	}
	return p.intern(b)
}
