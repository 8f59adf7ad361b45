package live

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/osc"
	"github.com/separatrix-audio/separatrix/patches"
)

// oscPeer is the other end: a controller that sends, and a listener that keeps what the
// session sends.
type oscPeer struct {
	mu   sync.Mutex
	got  []osc.Message
	recv *osc.Receiver
}

func newOSCPeer(t *testing.T) *oscPeer {
	t.Helper()
	p := &oscPeer{}
	r, err := osc.Listen("127.0.0.1:0", func(m osc.Message) {
		p.mu.Lock()
		p.got = append(p.got, m.Clone())
		p.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	p.recv = r
	return p
}

// wait waits up to 5 s for a message that match accepts.
func (p *oscPeer) wait(t *testing.T, what string, match func(osc.Message) bool) osc.Message {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		for _, m := range p.got {
			if match(m) {
				p.mu.Unlock()
				return m
			}
		}
		n := len(p.got)
		p.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 5 s (%d messages came)", what, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func address(a string) func(osc.Message) bool {
	return func(m osc.Message) bool { return m.Address == a }
}

func floatArg(m osc.Message, k int) float64 {
	if k >= len(m.Args) {
		return -1e9
	}
	v, _ := m.Args[k].Number()
	return v
}

// OSC steers a session as MIDI does, and hears from it: a control set (echoed raw and
// normalized), spikes, rates and states, a kick, a program change; a message it cannot
// use is refused and counted, and the session plays on.
func TestOSCSteersAndReports(t *testing.T) {
	peer := newOSCPeer(t)
	out, err := osc.Dial(peer.recv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	listening := make(chan netip.AddrPort, 1)
	m := &Monitor{}
	stop := startSession(t, Options{
		Patches: []*patches.Patch{mustLoad(t, "snic"), mustLoad(t, "hysteresis")},
		OSC: &OSC{
			Listen: func(h func(osc.Message)) (func(), error) {
				r, err := osc.Listen("127.0.0.1:0", h)
				if err != nil {
					return nil, err
				}
				listening <- r.Addr()
				return func() { r.Close() }, nil
			},
			Out: out, StateRate: 50,
		},
		Monitor: m,
	})
	in, err := osc.Dial((<-listening).String())
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	send := func(addr string, args ...osc.Arg) {
		if err := in.Send(osc.Message{Address: addr, Args: args}); err != nil {
			t.Fatal(err)
		}
	}
	send("/separatrix/a/current", osc.Float(5)) // snic fires above about 4.5
	echo := peer.wait(t, "the echo of a.current", address("/separatrix/a/current"))
	if v := floatArg(echo, 0); v != 5 {
		t.Errorf("echo %v, want 5", echo)
	}
	norm := peer.wait(t, "the normalized echo", address("/separatrix/a/current/normalized"))
	if v := floatArg(norm, 0); !(v > 0 && v < 1) {
		t.Errorf("normalized echo %v, want within 0..1", norm)
	}
	peer.wait(t, "a spike", address("/separatrix/a/spike"))
	peer.wait(t, "a firing rate", func(m osc.Message) bool { return m.Address == "/separatrix/a/rate" && floatArg(m, 0) > 1 })
	st := peer.wait(t, "a state", address("/separatrix/a/state"))
	if v := floatArg(st, 0); v < -100 || v > 60 || len(st.Args) != 2 {
		t.Errorf("state %v: want V (mV) and n", st)
	}
	send("/separatrix/nobody/current", osc.Float(1)) // no such neuron
	send("/separatrix/program", osc.Int(1))          // hysteresis
	waitSnapshot(t, m, "the program change and the refusal", func(s MonitorSnapshot) bool {
		return s.Patch == "hysteresis" && s.OSC.Refused == 1 && s.InputFrom == "osc"
	})
	// A kick at rest (hysteresis starts at -2): one spike at least.
	time.Sleep(100 * time.Millisecond)
	peer.mu.Lock()
	peer.got = nil
	peer.mu.Unlock()
	send("/separatrix/a/kick", osc.Float(1))
	peer.wait(t, "a spike from the kick", address("/separatrix/a/spike"))
	// A normalized fader to the top: hysteresis's current goes to the top of its range.
	send("/separatrix/a/current/normalized", osc.Float(1))
	peer.wait(t, "hysteresis's echo at the top of the range", func(m osc.Message) bool {
		return m.Address == "/separatrix/a/current/normalized" && floatArg(m, 0) == 1
	})
	waitSnapshot(t, m, "all 5 OSC messages counted", func(s MonitorSnapshot) bool { return s.OSC.Received == 5 })
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
}
