package live

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/osc"
)

// OSC steers a session and reports on it over OSC (see io/osc for the addresses).
type OSC struct {
	// Listen starts delivering incoming messages to handle (on a goroutine of its own;
	// handle never blocks) and returns the function that stops it. Nil: no OSC in.
	Listen func(handle func(osc.Message)) (stop func(), err error)
	// Out, if not nil, receives spikes, rates, states and the echo of every control the
	// session sets (so a TouchOSC layout follows MIDI, the page and the tour).
	Out *osc.Sender
	// StateRate is how many rate and state messages a second go out for each neuron of
	// the patch playing (default 30, at most 200).
	StateRate float64
}

// OSCStats counts what came in over OSC.
type OSCStats struct {
	Received uint64 // messages taken
	Dropped  uint64 // lost to a full queue
	Refused  uint64 // not understood: an unknown address, neuron or control, a bad value
	Spikes   uint64 // spike messages not sent: more than maxOSCSpikes a second
	Unsent   uint64 // outgoing packets dropped: the network could not take them fast enough
}

// oscSetRamp is the ramp of an OSC set, in seconds of sound: a fader sends steps, which
// a few tens of ms keep from clicking, as a knob's smoothing does.
const oscSetRamp = 0.03

// maxOSCSpikes bounds the spike messages a second of one neuron (a population fires
// thousands): the rest are counted, not sent.
const maxOSCSpikes = 200

// handleOSC takes a message from the receiver's goroutine: copied (the receiver reuses
// its arguments), queued for the control loop, dropped and counted when the queue is full.
func (s *session) handleOSC(m osc.Message) {
	select {
	case s.oscIn <- m.Clone():
		s.oscStats.received.Add(1)
	default:
		s.oscStats.dropped.Add(1)
	}
}

type oscCounters struct {
	received, dropped, refused, spikes, unsent atomic.Uint64
}

// routeOSC resolves a message against the patch playing (or asked for: a program change
// in the same bundle counts), or refuses and counts it; the first few refusals go to the
// log, so a technician setting up a layout sees why, while a controller sending garbage
// all day does not flood the journal.
func (s *session) routeOSC(m osc.Message, logged *int) (osc.Action, bool) {
	a, err := osc.Route(s.opt.Patches[s.player.Wanted()], m)
	if err == nil && a.Kind == osc.ActionNone {
		return a, false // a push button let go: nothing to do, and no visitor's move
	}
	if err != nil {
		s.oscStats.refused.Add(1)
		if *logged < 10 {
			*logged++
			fmt.Fprintf(s.opt.Log, "OSC %s: %v\n", m.Address, err)
		}
		return a, false
	}
	return a, true
}

// applyOSC carries out a routed message, in the control loop, as MIDI's moves are.
func (s *session) applyOSC(a osc.Action) {
	active := s.player.Wanted()
	e := s.player.Engine(active)
	switch a.Kind {
	case osc.ActionProgram:
		s.switchTo(a.Program)
	case osc.ActionSet:
		ev, _ := a.Event(e.Frame(), oscSetRamp)
		e.Events().Push(ev)
		s.controls[active].Sync(ev.Neuron, ev.Control, ev.Value)
		s.noteValue(active, ev.Neuron, ev.Control, ev.Value)
		s.view.noteSet(active, ev.Neuron, ev.Control, ev.Value)
	case osc.ActionKick:
		ev, _ := a.Event(e.Frame(), 0)
		e.Events().Push(ev)
	}
}

// echo sends the value a control of patch i was set to, raw and normalized over the
// control's range, when the patch plays and an OSC output is set. The control loop's.
func (s *session) echo(i int, neuron, control int32, v float64) {
	o := s.opt.OSC
	if o == nil || o.Out == nil || i != s.player.Wanted() {
		return
	}
	p := s.opt.Patches[i]
	k := controlKey{neuron, control}
	name, ok := controlName(p, k)
	if !ok {
		return
	}
	neuronName, control0 := p.NeuronNames[neuron], name[len(p.NeuronNames[neuron])+1:]
	s.oscBuf = osc.AppendEcho(s.oscBuf[:0], neuronName, control0, float32(v))
	s.sendOSC(s.oscBuf)
	if lo, hi, ok := emu.ControlRange(p.Engine.Neurons[neuron].Model, control); ok && hi > lo {
		norm := math.Min(math.Max((v-lo)/(hi-lo), 0), 1)
		s.oscBuf = osc.AppendMessage(s.oscBuf[:0], osc.Message{
			Address: osc.Prefix + neuronName + "/" + control0 + "/normalized", Args: []osc.Arg{osc.Float(float32(norm))}})
		s.sendOSC(s.oscBuf)
	}
}

func (c *oscCounters) stats() OSCStats {
	return OSCStats{Received: c.received.Load(), Dropped: c.dropped.Load(), Refused: c.refused.Load(), Spikes: c.spikes.Load(),
		Unsent: c.unsent.Load()}
}

// oscQueueLength bounds the packets waiting for the OSC send goroutine.
const oscQueueLength = 1024

// sendOSC queues a copy of packet for the OSC send goroutine, or drops and counts it
// when the queue is full: the control and spike-note loops never wait on the network.
func (s *session) sendOSC(packet []byte) {
	select {
	case s.oscOut <- append([]byte(nil), packet...):
	default:
		s.oscStats.unsent.Add(1)
	}
}

// oscSendLoop sends the queued packets (a peer that is not there fails, counted by the
// sender).
func (s *session) oscSendLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-s.oscOut:
			s.opt.OSC.Out.SendPacket(b)
		}
	}
}

// oscSpike sends a spike of neuron n of patch i, at most maxOSCSpikes a second a neuron.
// The spike-note loop's.
func (s *session) oscSpike(i int, n int32, now time.Time) {
	o := s.opt.OSC
	if o == nil || o.Out == nil || int(n) >= len(s.opt.Patches[i].NeuronNames) {
		return
	}
	if s.spikeWindow.IsZero() || now.Sub(s.spikeWindow) >= time.Second {
		s.spikeWindow = now
		clear(s.spikesSent)
	}
	if s.spikesSent[n]++; s.spikesSent[n] > maxOSCSpikes {
		s.oscStats.spikes.Add(1)
		return
	}
	s.spikeBuf = osc.AppendSpike(s.spikeBuf[:0], s.opt.Patches[i].NeuronNames[n])
	s.sendOSC(s.spikeBuf)
}

// oscStateLoop sends each neuron's rate and state at the set rate, for the patch
// playing: the state as of the player's last block, the rate over the sound played
// since the last message (a population's per member).
func (s *session) oscStateLoop(ctx context.Context) {
	o := s.opt.OSC
	rate := o.StateRate
	if !(rate > 0) {
		rate = 30
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / math.Min(rate, 200)))
	defer tick.Stop()
	var buf []byte
	var since rateWindow
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		i := s.player.Playing()
		p := s.opt.Patches[i]
		for n, name := range p.NeuronNames {
			v, w, patch, ok := s.player.Published(n)
			if !ok || patch != i {
				break
			}
			buf = osc.AppendState(buf[:0], name, float32(v), float32(w))
			o.Out.SendPacket(buf)
		}
		st := s.player.Engine(i).Stats()
		if last, dt, ok := since.next(i, st, s.opt.SampleRate); ok {
			for n, name := range p.NeuronNames {
				hz := float64(st.Spikes[n]-last[n]) / dt / float64(max(p.Engine.Neurons[n].Population.Count, 1))
				buf = osc.AppendRate(buf[:0], name, float32(hz))
				o.Out.SendPacket(buf)
			}
		}
	}
}
