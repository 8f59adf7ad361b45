package emu

import "math"

// spikeDetection is each neuron's spike detector (spike.go), by engine index.
type spikeDetection struct {
	spikeHigh, spikeLo []float64
	armed              []bool
	spikeExt           []float64 // the extreme V the detector tracks
	lastSpike          []int64
}

// mixer turns voltages into the output: each neuron's voltage-to-sound map, then the DC
// blockers and the limiter.
type mixer struct {
	centre, invSpan []float64 // per neuron
	dc              [2]dcBlocker
	lim             limiter
	scratch         [2][]float64
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
		if e.coupled {
			e.stepCoupled()
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

// loadInputs computes each neuron's input current and synaptic coupling for this
// sample. Gap junctions are not among them: they couple neurons within a step, so
// stepCoupled evaluates them at every RK4 stage.
func (e *Engine) loadInputs() {
	for i := range e.synGTotal {
		e.synGTotal[i], e.synGE[i] = 0, 0
	}
	for s := range e.syn {
		g := e.synG[s] * e.synDecay[s]
		e.synG[s] = g
		to := e.syn[s].To
		e.synGTotal[to] += g
		e.synGE[to] += g * e.syn[s].Reversal
	}
	for i := 0; i < e.n; i++ {
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		in := e.current[i] + e.held[i]
		if e.pulsesLeft[i] > 0 && e.frame >= e.nextPulse[i] {
			e.kickLeft[i] = e.kickWidth[i] // the train's next pulse
			e.pulsesLeft[i]--
			e.nextPulse[i] += e.trainStep[i]
		}
		if e.kickLeft[i] > 0 {
			in += e.kick[i]
			e.kickLeft[i]--
		}
		if e.noiseB[i] != 0 {
			e.noise[i] = e.noise[i]*e.noiseA[i] + e.noiseB[i]*e.rng.NormFloat64()
			in += e.noise[i]
		}
		lim := 4 * max(-e.curMin[i], e.curMax[i])
		b.in[k] = max(-lim, min(lim, in))
		if g := e.synGTotal[i]; g > 0 {
			b.ec[k] = e.synGE[i] / g
			b.gc[k] = min(g, e.synCap[i])
		} else {
			b.gc[k], b.ec[k] = 0, 0
		}
	}
}

// detectAndMix finds spikes on this sample and returns the stereo mix before DC blocking.
// The spike rule (spike.go) re-arms on each cycle's own trough, so a fast cycle that
// never falls below SpikeLow still counts every period.
func (e *Engine) detectAndMix() (l, r float64) {
	for i := 0; i < e.n; i++ {
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		v := b.x[0][k]
		if b.reset[k] {
			// A blow-up put it back to rest: that is not a spike.
			b.reset[k] = false
			e.armed[i], e.spikeExt[i] = spikeStart(v, e.spikeHigh[i])
		} else {
			var spike bool
			spike, e.armed[i], e.spikeExt[i] = spikeStep(v, e.spikeHigh[i], e.spikeLo[i], e.armed[i], e.spikeExt[i])
			if spike {
				isi := 0.0
				if e.lastSpike[i] >= 0 {
					isi = float64(e.frame-e.lastSpike[i]) * e.dtModel
				}
				e.lastSpike[i] = e.frame
				e.stats.spikes[i].Add(1)
				e.spikes.Push(Spike{Frame: e.frame, Neuron: int32(i), ISI: isi})
				for s := e.synStart[i]; s < e.synStart[i+1]; s++ {
					e.synG[s] = min(e.synG[s]+e.syn[s].G, MaxCoupling)
				}
			}
		}
		x := (v - e.centre[i]) * e.invSpan[i]
		l += x * e.gainL[i]
		r += x * e.gainR[i]
	}
	return l, r
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
