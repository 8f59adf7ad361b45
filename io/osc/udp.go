package osc

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SendTimeout is the longest Sender.Send waits for the operating system to take a
// datagram; past it the send fails (and is counted) rather than hold up its caller.
const SendTimeout = 20 * time.Millisecond

// hostPort completes an address given to Listen or Dial: a bare port ("9000") or a
// port with an empty host (":9000") means 127.0.0.1, so that nothing is reachable from
// the network unless a host (such as 0.0.0.0) is written out.
func hostPort(addr string) (string, error) {
	if addr == "" {
		return "", errors.New("osc: no address given (a port, like 9000, or host:port)")
	}
	if !strings.Contains(addr, ":") {
		addr = ":" + addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("osc: address %q is neither a port nor host:port: %v", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// Receiver reads OSC packets from a UDP port on its own goroutine and hands each message
// to a function. Build one with Listen.
type Receiver struct {
	conn        *net.UDPConn
	handle      func(Message)
	deliver     func(Message) // handle, counting
	onMalformed func(from netip.AddrPort, err error)
	parser      Parser
	buf         []byte
	done        chan struct{}
	closeOnce   sync.Once
	closeErr    error

	received, messages, malformed, readErrors atomic.Uint64
}

// ReceiverStats counts what a Receiver has read.
type ReceiverStats struct {
	Received   uint64 // datagrams read, well-formed or not
	Messages   uint64 // messages handed to handle (a bundle holds several)
	Malformed  uint64 // datagrams dropped because Parse refused them
	ReadErrors uint64 // reads the operating system failed (the receiver reads on)
}

// An Option changes how Listen sets up a Receiver.
type Option func(*Receiver)

// OnMalformed has f called with the sender and the reason whenever a datagram is
// dropped as malformed, on the receiver's goroutine (so, like handle, it must not
// block): for a log a technician can read. Without it malformed datagrams are only
// counted.
func OnMalformed(f func(from netip.AddrPort, err error)) Option {
	return func(r *Receiver) { r.onMalformed = f }
}

// Listen opens a UDP port and starts a goroutine that reads OSC packets from it and
// calls handle with each message in each well-formed packet.
//
// addr is host:port. A bare port ("9000") or an empty host (":9000") listens on
// 127.0.0.1 only, so that only programs on this computer can play; a controller on
// the network (a tablet running TouchOSC) needs the host written out: "0.0.0.0:9000"
// for every interface, or one interface's address. Port 0 picks a free port (Addr).
//
// handle runs on the receiver's goroutine, one message at a time, in packet order. It
// must not block: while it runs no datagram is read, and the operating system drops
// what overflows its socket buffer. It must not keep m.Args (see Parser.Parse). Turn
// messages into engine events (Route) and push them into the engine's ring there, never
// wait for the engine.
//
// A malformed packet is dropped whole and counted (Stats); nothing a sender does stops
// the receiver, only Close does.
func Listen(addr string, handle func(Message), opt ...Option) (*Receiver, error) {
	if handle == nil {
		panic("osc: Listen with a nil handle")
	}
	hp, err := hostPort(addr)
	if err != nil {
		return nil, err
	}
	ua, err := net.ResolveUDPAddr("udp", hp)
	if err != nil {
		return nil, fmt.Errorf("osc: cannot listen on %s: %v", hp, err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("osc: cannot listen on %s: %v", hp, err)
	}
	r := &Receiver{conn: conn, handle: handle, buf: make([]byte, MaxPacket), done: make(chan struct{})}
	r.deliver = func(m Message) {
		r.messages.Add(1)
		r.handle(m)
	}
	for _, o := range opt {
		o(r)
	}
	go r.run()
	return r, nil
}

func (r *Receiver) run() {
	defer close(r.done)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(r.buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Not expected on an unconnected socket; pause so that an error that
			// repeats cannot spin a core.
			r.readErrors.Add(1)
			time.Sleep(time.Millisecond)
			continue
		}
		r.received.Add(1)
		if err := r.parser.Parse(r.buf[:n], r.deliver); err != nil {
			r.malformed.Add(1)
			if r.onMalformed != nil {
				r.onMalformed(from, err)
			}
		}
	}
}

// Addr is the address the receiver listens on (with the port picked, for port 0).
func (r *Receiver) Addr() netip.AddrPort {
	return r.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Stats returns the receiver's counters; any goroutine may call it.
func (r *Receiver) Stats() ReceiverStats {
	return ReceiverStats{
		Received:   r.received.Load(),
		Messages:   r.messages.Load(),
		Malformed:  r.malformed.Load(),
		ReadErrors: r.readErrors.Load(),
	}
}

// Close closes the port and waits for the receiver's goroutine to end: after Close
// returns, handle is not called again. It returns as soon as a handle call under way
// returns (at once, when handle obeys the rule not to block). Calling it again returns
// the first call's result.
func (r *Receiver) Close() error {
	r.closeOnce.Do(func() {
		r.closeErr = r.conn.Close()
		<-r.done
	})
	return r.closeErr
}

// Sender sends OSC messages to one UDP host and port. Build one with Dial. Its methods
// may be called from several goroutines (a mutex guards its buffer); none waits longer
// than SendTimeout. Send from a goroutine of its own, never from the audio callback.
type Sender struct {
	conn *net.UDPConn
	mu   sync.Mutex
	buf  []byte

	sent, failed atomic.Uint64
}

// SenderStats counts a Sender's datagrams.
type SenderStats struct {
	Sent   uint64 // datagrams the operating system took
	Failed uint64 // sends that returned an error (nobody listening, timeout, invalid message)
}

// Dial returns a Sender to hostport (host:port; a bare port or an empty host means
// 127.0.0.1, as for Listen). It resolves a host name once, here, so that no send waits
// for DNS. Nothing needs to listen there: a datagram to a closed port is lost, and the
// error the operating system may report for it on a later send is returned by that send
// and counted, but the Sender keeps working.
func Dial(hostport string) (*Sender, error) {
	hp, err := hostPort(hostport)
	if err != nil {
		return nil, err
	}
	ua, err := net.ResolveUDPAddr("udp", hp)
	if err != nil {
		return nil, fmt.Errorf("osc: cannot send to %s: %v", hp, err)
	}
	conn, err := net.DialUDP("udp", nil, ua)
	if err != nil {
		return nil, fmt.Errorf("osc: cannot send to %s: %v", hp, err)
	}
	return &Sender{conn: conn, buf: make([]byte, 0, 512)}, nil
}

// Send encodes m and sends it as one datagram. It returns an error, and counts a
// failure, if m is not valid (Message.Validate), encodes to more than MaxPacket bytes,
// or the operating system refuses or times out the send. Once its buffer has grown to
// m's size it does not allocate.
func (s *Sender) Send(m Message) error {
	if err := m.Validate(); err != nil {
		s.failed.Add(1)
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = AppendMessage(s.buf[:0], m)
	return s.write(s.buf)
}

// SendPacket sends packet, an encoded message or bundle (AppendMessage, AppendSpike,
// ...), as one datagram. It does not check the encoding. Errors and counts are Send's.
func (s *Sender) SendPacket(packet []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.write(packet)
}

func (s *Sender) write(p []byte) error {
	if len(p) > MaxPacket {
		s.failed.Add(1)
		return fmt.Errorf("osc: a packet of %d bytes is longer than the %d a datagram may carry here", len(p), MaxPacket)
	}
	if err := s.conn.SetWriteDeadline(time.Now().Add(SendTimeout)); err != nil {
		s.failed.Add(1)
		return fmt.Errorf("osc: send to %s: %w", s.conn.RemoteAddr(), err)
	}
	if _, err := s.conn.Write(p); err != nil {
		s.failed.Add(1)
		return fmt.Errorf("osc: send to %s: %w", s.conn.RemoteAddr(), err)
	}
	s.sent.Add(1)
	return nil
}

// Stats returns the sender's counters; any goroutine may call it.
func (s *Sender) Stats() SenderStats {
	return SenderStats{Sent: s.sent.Load(), Failed: s.failed.Load()}
}

// Close closes the sender's socket; sends after it fail.
func (s *Sender) Close() error { return s.conn.Close() }
