package emu

import "math"

// spikeDetection is what the engine keeps of each neuron's spikes, by engine index; the
// detectors themselves are the batches' (batch.detectAndMix).
type spikeDetection struct {
	spikedNow []spikeRef // the spikes of this sample, in engine and member order
	popDirty  []bool     // per population: its members' inputs must all be loaded again
}

// spikeRef is a spike found on this sample: member k of batch b, which is neuron i's.
type spikeRef struct {
	neuron, k int32
	b         *batch
}

// mixer turns the batches' mixes into the output: the DC blockers and the limiter.
type mixer struct {
	dc      [2]dcBlocker
	lim     limiter
	scratch [2][]float64
}

// Process renders len(out[0]) frames (0 is allowed, at most the Prepare block size) into
// the channel buffers out, applying due events and pushing spikes. It never allocates,
// locks or blocks, and every sample it writes is finite and within the ceiling.
func (e *Engine) Process(out [][]float32) {
	if !e.prepared {
		panic("emu: Process before Prepare")
	}
	if len(out) != e.cfg.Channels {
		panic("emu: Process given the wrong number of channels")
	}
	frames := len(out[0])
	if frames > e.maxBlock {
		panic("emu: Process block larger than the Prepare block size")
	}
	mixL, mixR := e.scratch[0][:frames], e.scratch[1][:frames]
	for f := 0; f < frames; f++ {
		e.applyDueEvents()
		if len(e.ramps) > 0 {
			e.stepRamps()
		}
		e.loadInputs()
		for _, b := range e.batches {
			b.spiked = b.spiked[:0]
		}
		if e.coupled {
			e.stepCoupled()
			for _, b := range e.batches { // populations have no gaps: their own kernel
				if b.pop {
					b.kernel(b, b.h, b.nsub)
				}
			}
		} else {
			for _, b := range e.batches {
				b.kernel(b, b.h, b.nsub)
			}
		}
		l, r := e.detectAndMix()
		mixL[f], mixR[f] = l, r
		if e.tap != nil {
			e.tapFrame()
		}
		e.frame++
	}
	e.finishBlock(out, mixL, mixR)
}

// loadInputs computes the input current and synaptic coupling of every neuron whose
// input may differ from the last sample's: those on the live list (inputs.go). Every
// other neuron's input is held in its batch as it was.
func (e *Engine) loadInputs() {
	for s := range e.syn {
		e.synG[s] *= e.synDecay[s]
	}
	for j := 0; j < len(e.live); {
		i := int(e.live[j])
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		in := e.current[i] + e.held[i]
		if e.pulsesLeft[i] > 0 && e.frame >= e.nextPulse[i] {
			e.kickLeft[i] = e.kickWidth[i] // the train's next pulse
			e.pulsesLeft[i]--
			e.nextPulse[i] += e.trainStep[i]
		}
		kicking := e.kickLeft[i] > 0
		if kicking {
			in += e.kick[i]
			e.kickLeft[i]--
		}
		lim := 4 * max(-e.curMin[i], e.curMax[i])
		g, E := 0.0, 0.0
		if e.synTarget[i] {
			ge := 0.0
			for _, s := range e.synInto[e.synIntoStart[i]:e.synIntoStart[i+1]] {
				g += e.synG[s]
				ge += e.synG[s] * e.syn[s].Reversal
			}
			if g > 0 {
				E = ge / g
				g = min(g, e.synCap[i])
			}
		}
		if b.pop {
			e.loadPopulation(i, b, max(-lim, min(lim, in)), g, E)
		} else {
			if e.noiseB[i] != 0 {
				e.noise[i] = e.noise[i]*e.noiseA[i] + e.noiseB[i]*e.rng.NormFloat64()
				in += e.noise[i]
			}
			b.in[k] = max(-lim, min(lim, in))
			b.gc[k], b.ec[k] = g, E
			if b.input != nil {
				b.input(b, k)
			}
		}
		// A neuron stays live while its input can change by itself: a pulse running
		// (its end must be loaded too), a train waiting, noise, synapses.
		if kicking || e.pulsesLeft[i] > 0 || e.noiseB[i] != 0 || e.synTarget[i] {
			j++
			continue
		}
		e.isLive[i] = false
		last := len(e.live) - 1
		e.live[j] = e.live[last]
		e.live = e.live[:last]
	}
}

// loadPopulation loads population i's input: bias for the whole batch (added by the
// kernel, or to each member where the kernel does not), and, when its noise runs, it
// has synapses or it was reset, every member's own input. A knob moving costs one value
// a sample; noise costs a draw per member.
func (e *Engine) loadPopulation(i int, b *batch, bias, g, E float64) {
	folded := 0.0
	if b.takesBias {
		b.bias = bias
	} else if bias != b.bias {
		b.bias, e.popDirty[i] = bias, true // folded into in below
	}
	if !b.takesBias {
		folded = b.bias
	}
	if e.noiseB[i] == 0 && !e.synTarget[i] && !e.popDirty[i] {
		return
	}
	e.popDirty[i] = false
	a, sd := e.noiseA[i], e.noiseB[i]
	for k := range b.in {
		if sd != 0 {
			b.noise[k] = b.noise[k]*a + sd*e.rng.NormFloat64()
		} else {
			b.noise[k] = 0
		}
		b.in[k] = b.offset[k] + b.noise[k] + folded
		b.gc[k], b.ec[k] = g, E
		if b.input != nil {
			b.input(b, k)
		}
	}
}

// markLive puts neuron i on the live list: its input is loaded again on the next sample.
// Every change to a neuron's current, held note, kick or noise calls it.
func (e *Engine) markLive(i int) {
	if !e.isLive[i] {
		e.isLive[i] = true
		e.live = append(e.live, int32(i)) // within capacity: one slot per neuron
	}
}

// detectAndMix finds this sample's spikes and returns the stereo mix before DC blocking.
func (e *Engine) detectAndMix() (l, r float64) {
	e.spikedNow = e.spikedNow[:0]
	for _, b := range e.batches {
		bl, br := b.detectAndMix()
		l += bl
		r += br
		for _, k := range b.spiked {
			e.spikedNow = append(e.spikedNow, spikeRef{neuron: int32(b.neuron[k]), k: k, b: b})
		}
	}
	if len(e.batches) > 1 {
		sortSmall(e.spikedNow)
	}
	for _, s := range e.spikedNow {
		e.spike(int(s.neuron), s.b, int(s.k))
	}
	return l, r
}

// spike records a spike of member k of batch b, which is neuron i's, on this sample.
func (e *Engine) spike(i int, b *batch, k int) {
	isi := 0.0
	if last := b.lastSpike[k]; last >= 0 {
		isi = float64(e.frame-last) * e.dtModel
	}
	b.lastSpike[k] = e.frame
	e.stats.spikes[i].Add(1)
	member := int32(0)
	if b.pop {
		member = int32(k) // a population's batch is its own: members are 0 to count-1
	}
	e.spikes.Push(Spike{Frame: e.frame, Neuron: int32(i), Member: member, ISI: isi})
	for s := e.synStart[i]; s < e.synStart[i+1]; s++ {
		e.synG[s] = min(e.synG[s]+e.syn[s].G, MaxCoupling)
	}
}

// sortSmall sorts a sample's spikes by neuron, then member, in place (insertion sort: no
// allocation, no call; each batch's are in order already).
func sortSmall(a []spikeRef) {
	less := func(x, y spikeRef) bool { return x.neuron < y.neuron || x.neuron == y.neuron && x.k < y.k }
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && less(a[j], a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func (e *Engine) finishBlock(out [][]float32, mixL, mixR []float64) {
	for _, b := range e.batches {
		if b.resets > 0 {
			e.stats.resets.Add(uint64(b.resets))
			b.resets = 0
		}
	}
	peak := e.lim.process(out, mixL, mixR, &e.dc)
	if old := math.Float64frombits(e.stats.peakBits.Load()); peak > old {
		e.stats.peakBits.Store(math.Float64bits(peak))
	}
	for i := 0; i < e.n; i++ {
		e.stats.current[i].Store(math.Float64bits(e.current[i]))
	}
	e.stats.frames.Store(e.frame)
}
