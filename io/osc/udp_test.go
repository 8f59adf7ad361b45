package osc

import (
	"bufio"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tool returns the path of one of liblo's command-line tools, skipping the test when it
// is not installed, unless CI is set: CI must install liblo-tools.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (apt-get install liblo-tools): %v", name, err)
		}
		t.Skipf("%s is not installed (apt-get install liblo-tools)", name)
	}
	return path
}

// giveUp bounds each wait of these tests: they check what arrives, not how fast, so it
// only keeps a broken build from hanging until go test's own timeout.
const giveUp = 30 * time.Second

// listen starts a receiver on a free port of 127.0.0.1 that passes copies of its messages
// to the returned channel.
func listen(t *testing.T, opt ...Option) (*Receiver, <-chan Message) {
	t.Helper()
	ch := make(chan Message, 16)
	r, err := Listen(":0", func(m Message) { ch <- m.Clone() }, opt...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if !r.Addr().Addr().IsLoopback() {
		t.Errorf("Listen(\":0\") listens on %v, not on the loopback interface", r.Addr())
	}
	return r, ch
}

func receive(t *testing.T, ch <-chan Message) Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(giveUp):
		t.Fatal("no message arrived")
		return Message{}
	}
}

func TestOscsendToReceiver(t *testing.T) {
	oscsend := tool(t, "oscsend")
	r, ch := listen(t)
	port := strconv.Itoa(int(r.Addr().Port()))
	for _, args := range [][]string{
		{"/separatrix/a/current", "f", "10"},
		{"/x", "ifsTF", "-3", "0.5", "hello"},
	} {
		if out, err := exec.Command(oscsend, append([]string{"127.0.0.1", port}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("oscsend %v: %v\n%s", args, err, out)
		}
	}
	got := []Message{receive(t, ch), receive(t, ch)}
	want := []Message{
		{"/separatrix/a/current", []Arg{Float(10)}},
		{"/x", []Arg{Int(-3), Float(0.5), String("hello"), Bool(true), Bool(false)}},
	}
	if !equalMessages(got, want) {
		t.Fatalf("received %v, want %v", got, want)
	}
	a, err := Route(load(t, "hysteresis"), got[0])
	if err != nil || a.Kind != ActionSet || a.Value != 10 {
		t.Errorf("routed to %+v, %v", a, err)
	}
	if s := r.Stats(); s.Received != 2 || s.Messages != 2 || s.Malformed != 0 {
		t.Errorf("stats %+v", s)
	}
}

// oscsend addresses "localhost", as a user would type it.
func TestOscsendLocalhost(t *testing.T) {
	oscsend := tool(t, "oscsend")
	r, ch := listen(t)
	if out, err := exec.Command(oscsend, "localhost", strconv.Itoa(int(r.Addr().Port())), "/separatrix/program", "i", "2").CombinedOutput(); err != nil {
		t.Fatalf("oscsend: %v\n%s", err, out)
	}
	if m := receive(t, ch); m.Address != "/separatrix/program" {
		t.Fatalf("received %v", m)
	}
}

// freePort returns a UDP port of 127.0.0.1 that nothing listens on (as far as anyone
// can know without holding it).
func freePort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	return port
}

func TestSenderToOscdump(t *testing.T) {
	oscdump := tool(t, "oscdump")
	port := strconv.Itoa(freePort(t))
	cmd := exec.Command(oscdump, "-L", port)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	s, err := Dial(port)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := Message{"/separatrix/a/state", []Arg{Float(-65.5), Float(0.25), Int(7), String("x y"), Bool(true), Bool(false)}}
	// oscdump may not be listening yet: send until it prints (datagrams before that are
	// lost, as UDP allows).
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(giveUp)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("oscdump ended without printing")
			}
			// "TIMETAG /address tags args...", the timetag first.
			_, got, _ := strings.Cut(line, " ")
			if want := `/separatrix/a/state ffisTF -65.500000 0.250000 7 "x y" #T #F`; got != want {
				t.Fatalf("oscdump printed %q, want %q", got, want)
			}
			if st := s.Stats(); st.Sent == 0 {
				t.Errorf("stats %+v", st)
			}
			return
		case <-tick.C:
			if err := s.Send(m); err != nil && !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("oscdump printed nothing")
		}
	}
}

func TestMalformedCounted(t *testing.T) {
	type bad struct {
		from netip.AddrPort
		err  error
	}
	bads := make(chan bad, 4)
	r, ch := listen(t, OnMalformed(func(from netip.AddrPort, err error) { bads <- bad{from, err} }))
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(r.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range [][]byte{
		[]byte("garbage"),
		[]byte("/a\x00\x00,b\x00\x00\x00\x00\x00\x00"),
		AppendMessage(nil, Message{"/after", nil}),
	} {
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	// Datagrams on the loopback interface arrive in order: once /after is handled,
	// both bad ones have been counted.
	if m := receive(t, ch); m.Address != "/after" {
		t.Fatalf("received %v", m)
	}
	if s := r.Stats(); s.Received != 3 || s.Malformed != 2 || s.Messages != 1 {
		t.Errorf("stats %+v, want 3 received, 2 malformed, 1 message", s)
	}
	b := <-bads
	if b.from.Port() != uint16(c.LocalAddr().(*net.UDPAddr).Port) || !strings.Contains(b.err.Error(), "not a multiple of 4") {
		t.Errorf("OnMalformed got %v, %v", b.from, b.err)
	}
}

// Close returns while datagrams keep arriving, and nothing is handled after it.
func TestReceiverClose(t *testing.T) {
	handled := make(chan struct{}, 1)
	closed := false
	r, err := Listen("127.0.0.1:0", func(Message) {
		if closed {
			panic("handle called after Close returned")
		}
		select {
		case handled <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Dial(r.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				s.Send(Message{"/flood", nil})
			}
		}
	}()
	select {
	case <-handled:
	case <-time.After(giveUp):
		t.Fatal("nothing handled")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true // Close has waited for the receiver's goroutine: no race
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	close(stop)
	<-done
}

// A sender to a port nobody listens on sees its sends refused (ICMP port unreachable)
// and keeps working: once somebody listens, messages arrive.
func TestSenderSurvivesRefusal(t *testing.T) {
	port := freePort(t)
	s, err := Dial("127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	refused := false
	for range 20 {
		if err := s.Send(Message{"/nobody", nil}); err != nil {
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatal(err)
			}
			refused = true
			break
		}
	}
	if !refused {
		t.Log("no send was refused (the ICMP reply did not come back in time); the rest still holds")
	}
	ch := make(chan Message, 16)
	r, err := Listen("127.0.0.1:"+strconv.Itoa(port), func(m Message) { ch <- m.Clone() })
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	defer r.Close()
	if err := s.Send(Message{"/somebody", nil}); err != nil {
		t.Fatalf("a send after a refusal: %v", err)
	}
	if m := receive(t, ch); m.Address != "/somebody" {
		t.Fatalf("received %v", m)
	}
	st := s.Stats()
	if refused && st.Failed == 0 || st.Sent == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestSenderRefusesInvalid(t *testing.T) {
	s, err := Dial(strconv.Itoa(freePort(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Send(Message{"no-slash", nil}); err == nil {
		t.Error("Send of an invalid message succeeded")
	}
	if err := s.SendPacket(make([]byte, MaxPacket+4)); err == nil {
		t.Error("SendPacket of an oversize packet succeeded")
	}
	if st := s.Stats(); st.Failed != 2 || st.Sent != 0 {
		t.Errorf("stats %+v, want 2 failed", st)
	}
}

func TestHostPort(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"9000", "127.0.0.1:9000"},
		{":9000", "127.0.0.1:9000"},
		{"0.0.0.0:9000", "0.0.0.0:9000"},
		{"localhost:9000", "localhost:9000"},
		{"[::1]:9000", "[::1]:9000"},
		{"192.168.1.20:8000", "192.168.1.20:8000"},
	} {
		if got, err := hostPort(c.in); err != nil || got != c.want {
			t.Errorf("hostPort(%q) = %q, %v, want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "::1", "a:b:c"} {
		if got, err := hostPort(in); err == nil {
			t.Errorf("hostPort(%q) = %q, want an error", in, got)
		}
	}
}
