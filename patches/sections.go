package patches

// The sections of a patch, checked in the order they are documented: the top level,
// [output], [[neuron]], [[gap]], [[synapse]] and [midi].

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// neuronRef is what the checker knows of a neuron when later tables name it.
type neuronRef struct {
	names  []string     // in patch order; "" for a neuron without a usable name
	models []*emu.Model // nil for a neuron whose model is unknown (already reported)
	paths  []string     // locator path of each neuron's table
	counts []int        // members of each neuron: 1, or its population's count
}

func (r *neuronRef) index(name string) int { return slices.Index(r.names, name) }

func (r *neuronRef) known() []string {
	var ns []string
	for _, n := range r.names {
		if n != "" {
			ns = append(ns, n)
		}
	}
	return ns
}

// refer resolves a neuron named by another table; what says who names it ("gap").
func (c *checker) refer(t table, key, what string, r *neuronRef, allowAll bool) (int32, bool) {
	if !t.has(key) {
		if allowAll {
			c.errorf(t.path, `this %s needs the neuron it plays: %s = "NAME" or %s = "all"%s`, t.name, key, key, hint("", r.known(), "neurons"))
		} else {
			c.errorf(t.path, `this %s needs the neuron it follows: %s = "NAME"%s`, t.name, key, hint("", r.known(), "neurons"))
		}
		return 0, false
	}
	s, ok := c.text(t, key)
	if !ok {
		return 0, false
	}
	return c.referName(t.at(key), s, what, r, allowAll)
}

func (c *checker) referName(path, name, what string, r *neuronRef, allowAll bool) (int32, bool) {
	if allowAll && name == "all" {
		return emu.AllNeurons, true
	}
	i := r.index(name)
	if i < 0 {
		if name == "all" {
			c.errorf(path, `a %s follows one neuron, not "all"%s`, what, hint("", r.known(), "neurons"))
		} else {
			c.errorf(path, "%s names neuron %q, but there is no such neuron%s", what, name, hint(name, r.known(), "neurons"))
		}
		return 0, false
	}
	return int32(i), true
}

func (c *checker) patch(raw map[string]any) *Patch {
	top := table{name: "the top level of the patch", m: raw}
	// The format comes first: in a file of another format every other message is noise.
	if !top.has("format") {
		c.errorf("", "a patch must say which format it is written in: add format = %d as its first line", Format)
		return nil
	}
	if f, ok := c.whole(top, "format"); !ok {
		return nil
	} else if f != Format {
		c.errorf("format", "format = %d is not a patch format this version of Separatrix reads: it reads format = %d", f, Format)
		return nil
	}
	c.onlyKeys(top, topKeys)

	p := &Patch{Source: c.source, Speed: 1}
	p.Name = strings.TrimSuffix(filepath.Base(c.source), filepath.Ext(c.source))
	if s, ok := c.text(top, "name"); ok {
		if strings.TrimSpace(s) == "" {
			c.errorf("name", "name is empty: leave it out to use the file's name, or give one")
		} else {
			p.Name = strings.TrimSpace(s)
		}
	}
	if s, ok := c.text(top, "description"); ok {
		p.Description = strings.TrimSpace(s)
	}
	if v, ok := c.number(top, "speed"); ok {
		if !(v > 0 && v <= emu.MaxSpeed) {
			c.errorf("speed", "speed = %g is outside the allowed range: more than 0, at most %d (1 plays the neuron in real time)", v, emu.MaxSpeed)
		} else {
			p.Speed = v
		}
	}
	if v, ok := c.whole(top, "seed"); ok {
		if v < 0 {
			c.errorf("seed", "seed = %d must not be negative", v)
		} else {
			p.Seed = uint64(v)
		}
	}

	cfg := &p.Engine
	cfg.Speed, cfg.Seed, cfg.CeilingDB, cfg.Channels = p.Speed, p.Seed, emu.DefaultCeilingDB, 2
	if out, ok := c.subtable(top, "output", "[output]"); ok {
		c.onlyKeys(out, outputKeys)
		cfg.CeilingDB = c.numberIn(out, "ceiling_db", emu.DefaultCeilingDB, emu.MinCeilingDB, emu.MaxCeilingDB, "dBFS")
		if v, ok := c.whole(out, "channels"); ok {
			if v != 1 && v != 2 {
				c.errorf(out.at("channels"), "channels = %d: a patch plays in 1 (mono) or 2 (stereo) channels", v)
			} else {
				cfg.Channels = int(v)
			}
		}
	}

	ref := &neuronRef{}
	if v, ok := top.m["neuron"]; !ok || isEmptyList(v) {
		c.errorf("neuron", `the patch has no neurons: add a [[neuron]] table with a name and a model, like name = "a" and model = "inapk"`)
	}
	neurons := c.tables(top, "neuron", "[[neuron]]")
	if c.tooMany(neurons, "neuron") {
		return nil // checking them one by one would cost as the square of their number
	}
	members := 0
	for _, t := range neurons {
		spec, m := c.neuron(t, ref)
		if members += max(spec.Population.Count, 1); members > emu.MaxNeurons && members-max(spec.Population.Count, 1) <= emu.MaxNeurons {
			at := t.path
			if t.has("count") {
				at = t.at("count")
			}
			c.errorf(at, "the patch's neurons reach %d here, counting each member of a population: a patch may have at most %d", members, emu.MaxNeurons)
		}
		cfg.Neurons = append(cfg.Neurons, spec)
		ref.names = append(ref.names, spec.Name)
		ref.models = append(ref.models, m)
		ref.paths = append(ref.paths, t.path)
		ref.counts = append(ref.counts, max(spec.Population.Count, 1))
	}
	p.NeuronNames = ref.names
	c.gaps(top, ref, cfg)
	c.synapses(top, ref, cfg)
	p.MIDI = c.midi(top, ref)
	p.Tour = c.tour(top, ref, p)

	if len(c.errs) == 0 {
		c.build(cfg, ref)
	}
	for i := range p.MIDI.CC {
		p.MIDI.CC[i].Start = startValue(cfg, p.MIDI.CC[i])
	}
	if len(c.errs) == 0 {
		if err := p.MIDI.Validate(); err != nil { // a bug here: the checks above cover its rules
			c.errorf("midi", "the MIDI mapping cannot be played: %s", strings.TrimPrefix(err.Error(), "midimap: "))
		}
	}
	return p
}

// startValue is the value a mapped control has when the patch starts (for soft
// takeover); for every neuron at once, the first neuron's.
func startValue(cfg *emu.Config, m midimap.CCMap) float64 {
	n := int(m.Neuron)
	if n < 0 || n >= len(cfg.Neurons) {
		n = 0
	}
	if len(cfg.Neurons) == 0 {
		return 0
	}
	return cfg.Neurons[n].ControlValue(m.Control)
}

// build gives the config to emu.New: each neuron alone first, so a refusal is reported at
// the neuron it concerns, then the whole circuit.
func (c *checker) build(cfg *emu.Config, ref *neuronRef) {
	probe := *cfg
	probe.EventCapacity, probe.SpikeCapacity = 1, 1 // validation only: keep it small
	for i, s := range cfg.Neurons {
		one := probe
		one.Neurons, one.Gaps, one.Synapses = []emu.NeuronSpec{s}, nil, nil
		if _, err := emu.New(one); err != nil {
			c.errorf(ref.paths[i], "the engine cannot play neuron %q: %s", s.Name, emuMessage(err, s.Name))
			return
		}
	}
	if _, err := emu.New(probe); err != nil {
		c.errorf("", "the engine cannot play this patch: %s", emuMessage(err, ""))
	}
}

func emuMessage(err error, name string) string {
	msg := strings.TrimPrefix(err.Error(), "emu: ")
	if name != "" {
		msg = strings.TrimPrefix(msg, fmt.Sprintf("neuron %q: ", name))
	}
	return msg
}

// tooMany reports more tables of key than the engine takes (headerLimits), at the first
// one beyond the limit.
func (c *checker) tooMany(ts []table, key string) bool {
	lim := headerLimits[key]
	if len(ts) <= lim.max {
		return false
	}
	c.errorf(ts[lim.max].path, "this %s is the %s, but a patch may have at most %d %s: use fewer",
		ts[lim.max].name, ordinal(lim.max+1), lim.max, lim.what)
	return true
}

func (c *checker) neuron(t table, ref *neuronRef) (emu.NeuronSpec, *emu.Model) {
	c.onlyKeys(t, neuronKeys)
	name := ""
	if !t.has("name") {
		c.errorf(t.path, `this [[neuron]] needs a name, like name = "a"`)
	} else if s, ok := c.text(t, "name"); ok {
		switch j := ref.index(s); {
		case !nameRE.MatchString(s) || len(s) > maxNameLen:
			c.errorf(t.at("name"), "neuron name %q will not do: use a short word of letters, digits, - and _ that starts with a letter, like \"a\" or \"cell-2\"", s)
		case s == "all":
			c.errorf(t.at("name"), `neuron name "all" is reserved (a kick with neuron = "all" plays every neuron): choose another`)
		case j >= 0:
			c.errorf(t.at("name"), "there is already a neuron named %q (line %d): each neuron needs its own name", s, c.loc.find(joinPath(ref.paths[j], "name")).line)
		default:
			name = s
		}
	}
	spec := emu.NeuronSpec{Name: name}
	if !t.has("model") {
		c.errorf(t.path, "this [[neuron]] needs a model (known: %s)", emu.KnownModels())
		return spec, nil
	}
	mname, ok := c.text(t, "model")
	if !ok {
		return spec, nil
	}
	m, ok := emu.LookupModel(mname)
	if !ok {
		c.errorf(t.at("model"), "unknown model %q (known: %s)", mname, emu.KnownModels())
		return spec, nil
	}
	preset := &m.Presets[0]
	if s, ok := c.text(t, "preset"); ok {
		if preset, ok = m.Preset(s); !ok {
			c.errorf(t.at("preset"), "unknown preset %q for model %s (known: %s)", s, m.Name, strings.Join(m.PresetNames(), ", "))
			return spec, m
		}
	}
	spec = emu.NewNeuronSpec(name, m, preset)

	// The ranges are the engine's (emu.ControlRange), which clamps a knob to the same.
	control := func(key string, c32 int32, def float64, unit string) float64 {
		lo, hi, _ := emu.ControlRange(m, c32)
		return c.numberIn(t, key, def, lo, hi, unit)
	}
	spec.Current = control("current", emu.ControlCurrent, 0, m.CurrentUnit)
	spec.Gain = control("gain", emu.ControlGain, 1, "")
	spec.Pan = control("pan", emu.ControlPan, 0, "")
	spec.Noise = control("noise", emu.ControlNoise, 0, m.CurrentUnit)
	spec.NoiseTau = c.numberIn(t, "noise_tau", spec.NoiseTau, emu.MinTimeConstant, emu.MaxTimeConstant, "ms")
	spec.Pulses = c.pulses(t, spec.Pulses, "each kick of this neuron fires")
	spec.Interval = control("interval", emu.ControlInterval, spec.Interval, "ms")
	if v, ok := c.number(t, "centre"); ok {
		spec.Centre = v
	}
	if v, ok := c.number(t, "span"); ok {
		if v == 0 {
			c.errorf(t.at("span"), "span = 0 will not do: it is the voltage swing that plays at full scale (the preset's is %g)", spec.Span)
		} else {
			spec.Span = v
		}
	}
	hi, hiOK := c.number(t, "spike_high")
	lo, loOK := c.number(t, "spike_low")
	if hiOK {
		spec.SpikeHigh = hi
	}
	if loOK {
		spec.SpikeLow = lo
	}
	if (hiOK || loOK) && !(spec.SpikeLow < spec.SpikeHigh) {
		key := "spike_low"
		if !loOK {
			key = "spike_high"
		}
		c.errorf(t.at(key), "spike_low (%g) must be below spike_high (%g): a spike is a rise through spike_high by at least spike_high - spike_low, counted again once V has fallen that much below its peak", spec.SpikeLow, spec.SpikeHigh)
	}

	if pt, ok := c.subtable(t, "params", "[neuron.params]"); ok {
		for _, k := range c.sortedKeys(pt) {
			i := m.Param(k)
			if i < 0 {
				c.errorf(pt.at(k), "unknown parameter %q for model %s%s", k, m.Name, hint(k, m.ParamNames(), "known"))
				continue
			}
			v, ok := c.number(pt, k)
			if !ok {
				continue
			}
			if err := m.CheckParam(i, v); err != nil {
				c.errorf(pt.at(k), "%v", err)
				continue
			}
			spec.Params[i] = v
		}
	}
	c.population(t, &spec, m)
	if it, ok := c.subtable(t, "init", "[neuron.init]"); ok {
		vars := make([]string, len(m.Vars))
		for i, v := range m.Vars {
			vars[i] = v.Name
		}
		for _, k := range c.sortedKeys(it) {
			i := m.Var(k)
			if i < 0 {
				c.errorf(it.at(k), "unknown state variable %q for model %s%s", k, m.Name, hint(k, vars, "known"))
				continue
			}
			if v, ok := c.number(it, k); ok {
				spec.Init[i] = v
			}
		}
	}
	return spec, m
}

func (c *checker) gaps(top table, ref *neuronRef, cfg *emu.Config) {
	total := map[int]float64{}
	gaps := c.tables(top, "gap", "[[gap]]")
	if c.tooMany(gaps, "gap") {
		return
	}
	for _, t := range gaps {
		c.onlyKeys(t, gapKeys)
		ends, ok := c.neuronPair(t, ref)
		if !t.has("g") {
			c.errorf(t.path, "this [[gap]] needs its conductance, like g = 0.5 (mS/cm²)")
			continue
		}
		g := c.numberIn(t, "g", -1, 0, emu.MaxCoupling, "mS/cm²")
		if !ok || g < 0 {
			continue
		}
		if p := slices.IndexFunc(ends[:], func(e int) bool { return ref.counts[e] > 1 }); p >= 0 {
			c.errorf(t.at("neurons"), "%q is a population (count = %d): a population cannot have gap junctions (they need each member's voltage at every step); use a [[synapse]]", ref.names[ends[p]], ref.counts[ends[p]])
			continue
		}
		for _, e := range ends {
			total[e] += g
			if total[e] > emu.MaxCoupling {
				c.errorf(t.at("g"), "neuron %q's gap junctions add up to %g mS/cm², more than the %d the engine allows", ref.names[e], total[e], emu.MaxCoupling)
			}
		}
		cfg.Gaps = append(cfg.Gaps, emu.Gap{A: ends[0], B: ends[1], G: g})
	}
}

func (c *checker) neuronPair(t table, ref *neuronRef) ([2]int, bool) {
	var ends [2]int
	v, ok := t.m["neurons"]
	if !ok {
		c.errorf(t.path, `this [[gap]] needs the two neurons it joins, like neurons = ["a", "b"]`)
		return ends, false
	}
	list, ok := v.([]any)
	if !ok || len(list) != 2 {
		c.errorf(t.at("neurons"), `neurons must list the two neurons the gap junction joins, like neurons = ["a", "b"]`)
		return ends, false
	}
	for k, e := range list {
		s, ok := e.(string)
		if !ok {
			c.errorf(t.at("neurons"), `neurons must list neuron names in quotes, like neurons = ["a", "b"], not %s`, describe(e))
			return ends, false
		}
		i, ok := c.referName(t.at("neurons"), s, "gap", ref, false)
		if !ok {
			return ends, false
		}
		ends[k] = int(i)
	}
	if ends[0] == ends[1] {
		c.errorf(t.at("neurons"), "a gap junction joins two different neurons, not %q to itself", ref.names[ends[0]])
		return ends, false
	}
	return ends, true
}

func (c *checker) synapses(top table, ref *neuronRef, cfg *emu.Config) {
	synapses := c.tables(top, "synapse", "[[synapse]]")
	if c.tooMany(synapses, "synapse") {
		return
	}
	for _, t := range synapses {
		c.onlyKeys(t, synapseKeys)
		from, okF := c.refer(t, "from", "synapse", ref, false)
		to, okT := c.refer(t, "to", "synapse", ref, false)
		s := emu.Synapse{From: int(from), To: int(to), G: -1, Tau: 5}
		if !t.has("g") {
			c.errorf(t.path, "this [[synapse]] needs its strength g, the conductance each spike opens (mS/cm²), like g = 0.5")
		} else {
			s.G = c.numberIn(t, "g", -1, 0, emu.MaxCoupling, "mS/cm²")
		}
		s.Tau = c.numberIn(t, "tau", 5, emu.MinTimeConstant, emu.MaxTimeConstant, "ms")
		if !t.has("reversal") {
			c.errorf(t.path, "this [[synapse]] needs its reversal potential: reversal = -80 inhibits, reversal = 0 excites (mV)")
			continue
		}
		s.Reversal = c.numberIn(t, "reversal", 0, emu.MinReversal, emu.MaxReversal, "mV")
		if okF && okT && s.G >= 0 {
			cfg.Synapses = append(cfg.Synapses, s)
		}
	}
}

func (c *checker) midi(top table, ref *neuronRef) midimap.Config {
	mc := midimap.Config{MaxNotesPerSecond: defaultNotesPerSecond}
	t, ok := c.subtable(top, "midi", "[midi]")
	if !ok {
		return mc
	}
	c.onlyKeys(t, midiKeys)
	mc.MaxNotesPerSecond = c.numberIn(t, "max_notes_per_second", defaultNotesPerSecond, 0, maxNotesPerSecond, "")
	for _, ct := range c.tables(t, "cc", "[[midi.cc]]") {
		if m, ok := c.ccMap(ct, ref, false); ok {
			mc.CC = append(mc.CC, m)
		}
	}
	for _, bt := range c.tables(t, "bend", "[[midi.bend]]") {
		if m, ok := c.ccMap(bt, ref, true); ok {
			mc.CC = append(mc.CC, m)
		}
	}
	for _, kt := range c.tables(t, "kick", "[[midi.kick]]") {
		if m, ok := c.kickMap(kt, ref); ok {
			mc.Kicks = append(mc.Kicks, m)
		}
	}
	var owners []table
	for _, st := range c.tables(t, "spike", "[[midi.spike]]") {
		m, ok := c.spikeMap(st, ref)
		if !ok {
			continue
		}
		for j, o := range mc.Spikes {
			if o.Channel == m.Channel && o.Note == m.Note {
				c.errorf(st.at("note"), "note %d on channel %d is already played by the [[midi.spike]] at line %d: give each mapping its own note or channel",
					m.Note, m.Channel, c.loc.find(owners[j].path).line)
				ok = false
			}
			if m.RateCC >= 0 && o.Channel == m.Channel && o.RateCC == m.RateCC {
				c.errorf(st.at("rate_cc"), "controller %d on channel %d already carries the rate of the [[midi.spike]] at line %d: give each mapping its own",
					m.RateCC, m.Channel, c.loc.find(owners[j].path).line)
				ok = false
			}
		}
		if ok {
			mc.Spikes = append(mc.Spikes, m)
			owners = append(owners, st)
		}
	}
	return mc
}

// controlUnit is the unit of control ctrl of a neuron of model m.
func controlUnit(m *emu.Model, ctrl int32) string {
	switch {
	case ctrl == emu.ControlCurrent || ctrl == emu.ControlNoise:
		return m.CurrentUnit
	case ctrl == emu.ControlInterval:
		return "ms"
	case ctrl >= emu.ControlParam && int(ctrl-emu.ControlParam) < len(m.Params):
		return m.Params[ctrl-emu.ControlParam].Unit
	}
	return ""
}

// targets lists the neurons an index names: one, or every one for emu.AllNeurons.
func targets(ref *neuronRef, neuron int32) []int {
	if neuron != emu.AllNeurons {
		return []int{int(neuron)}
	}
	all := make([]int, len(ref.names))
	for i := range all {
		all[i] = i
	}
	return all
}

// ccMap reads a [[midi.cc]] table, or with bend a [[midi.bend]] (pitch bend) table.
func (c *checker) ccMap(t table, ref *neuronRef, bend bool) (midimap.CCMap, bool) {
	m := midimap.CCMap{LSB: -1, Smoothing: defaultSmoothing, Bend: bend, Soft: true}
	ok := true
	header := "[[midi.cc]]"
	if bend {
		header = "[[midi.bend]]"
		c.onlyKeys(t, bendKeys)
	} else {
		c.onlyKeys(t, ccKeys)
		if !t.has("cc") {
			c.errorf(t.path, "this [[midi.cc]] needs its controller number, like cc = 1 (the mod wheel)")
			ok = false
		}
		m.CC = c.controller(t, "cc")
	}
	if s, isText := c.text(t, "takeover"); isText {
		switch s {
		case "soft":
		case "jump":
			m.Soft = false
		default:
			c.errorf(t.at("takeover"), `takeover = %q: use "soft" (the knob takes over when it passes the present value) or "jump"`, s)
			ok = false
		}
	}
	if !bend && t.has("lsb") {
		m.LSB = c.controller(t, "lsb")
		if m.LSB >= 0 && m.LSB == m.CC {
			c.errorf(t.at("lsb"), "lsb = %d is the same controller as cc: a 14-bit pair needs two controllers, usually lsb = cc + 32 (lsb = %d)", m.LSB, m.CC+32)
			ok = false
		}
	}
	m.Channel = c.channel(t, 0, true)

	resolved := false
	if !t.has("target") {
		c.errorf(t.path, `this %s needs a target, like target = "%s.current" or target = "current" (every neuron)`, header, first(ref.known(), "a"))
		ok = false
	} else if s, isText := c.text(t, "target"); isText {
		m.Target = s
		n, ctrl, err := resolveTarget(ref.names, ref.models, s)
		switch {
		case err == errSkip:
			ok = false
		case err != nil:
			c.errorf(t.at("target"), "%v", err)
			ok = false
		default:
			m.Neuron, m.Control, resolved = n, ctrl, true
		}
	} else {
		ok = false
	}
	for _, k := range []string{"min", "max"} {
		if !t.has(k) {
			c.errorf(t.path, "this %s needs min and max, the values the controller's two ends give", header)
			ok = false
			break
		}
	}
	lo, loOK := c.number(t, "min")
	hi, hiOK := c.number(t, "max")
	m.Min, m.Max = lo, hi
	ok = ok && loOK && hiOK
	if loOK && hiOK && lo == hi {
		c.errorf(t.at("max"), "min and max are both %g: the controller would do nothing", lo)
		ok = false
	}
	if resolved {
		for _, k := range []string{"min", "max"} {
			v, isNum := c.numberQuiet(t, k)
			if !isNum {
				continue
			}
			for _, i := range targets(ref, m.Neuron) {
				nm := ref.models[i]
				if nm == nil {
					continue
				}
				clo, chi, _ := emu.ControlRange(nm, m.Control)
				if v < clo || v > chi {
					ctrlName := strings.TrimPrefix(m.Target, ref.names[i]+".")
					c.errorf(t.at(k), "%s = %g is outside the range of %s.%s: %g to %g%s", k, v, ref.names[i], ctrlName, clo, chi, withSpace(controlUnit(nm, m.Control)))
					ok = false
					break
				}
			}
		}
	}
	if s, isText := c.text(t, "curve"); isText {
		cv, err := midimap.ParseCurve(s)
		if err != nil {
			c.errorf(t.at("curve"), "%v", err)
			ok = false
		}
		m.Curve = cv
	}
	m.Smoothing = c.numberIn(t, "smoothing", defaultSmoothing, 0, maxSeconds, "s")
	return m, ok
}

// numberQuiet is number without reporting: for a second look at a value already checked.
func (c *checker) numberQuiet(t table, key string) (float64, bool) {
	v, ok := t.m[key]
	if !ok {
		return 0, false
	}
	return asNumber(v)
}

func (c *checker) kickMap(t table, ref *neuronRef) (midimap.KickMap, bool) {
	if t.has("interval") {
		// The interval is the neuron's, so that a knob can turn it like any control.
		c.errorf(t.at("interval"), `interval belongs to the neuron the kick plays: write interval = ... in its [[neuron]] table, `+
			`and map a knob to it with a [[midi.cc]] whose target is "NEURON.interval" (or "interval" for every neuron)`)
		t = table{path: t.path, name: t.name, m: withoutKey(t.m, "interval")}
	}
	c.onlyKeys(t, kickKeys)
	k := midimap.KickMap{Duration: 1}
	ok := true
	switch {
	case t.has("note") && t.has("notes"):
		c.errorf(t.at("notes"), "give note or notes, not both")
		ok = false
	case t.has("note"):
		k.NoteLow = c.midiNumber(t, "note", -1, 0, 127, "a MIDI note")
		k.NoteHigh = k.NoteLow
		ok = k.NoteLow >= 0
	case t.has("notes"):
		lo, hi, good := c.noteRange(t)
		k.NoteLow, k.NoteHigh, ok = lo, hi, good
	default:
		c.errorf(t.path, "this [[midi.kick]] needs the notes that play it: note = 60, or notes = [36, 84] for a range")
		ok = false
	}
	k.Channel = c.channel(t, 0, true)
	n, good := c.refer(t, "neuron", "kick", ref, true)
	k.Neuron = n
	ok = ok && good
	if !t.has("amplitude") {
		c.errorf(t.path, "this [[midi.kick]] needs its amplitude, the current pulse a note gives: amplitude = 20, or amplitude = [2, 40] from softest to hardest")
		ok = false
	} else if a, b, good := c.amplitude(t); !good {
		ok = false
	} else {
		k.MinAmp, k.MaxAmp = a, b
		if ok {
			for _, i := range targets(ref, k.Neuron) {
				m := ref.models[i]
				if m == nil {
					continue
				}
				span := m.CurrentMax - m.CurrentMin
				if math.Abs(a) > span || math.Abs(b) > span {
					c.errorf(t.at("amplitude"), "amplitude reaches %g, but a kick on neuron %q (%s) can be at most ±%g%s",
						math.Max(math.Abs(a), math.Abs(b)), ref.names[i], m.Name, span, withSpace(m.CurrentUnit))
					ok = false
					break
				}
			}
		}
	}
	if h, isBool := c.boolean(t, "hold"); isBool {
		k.Hold = h
	} else if t.has("hold") {
		ok = false
	}
	switch {
	case k.Hold && t.has("duration"):
		c.errorf(t.at("duration"), "a kick with hold = true lasts as long as the note is held: leave out duration")
		ok = false
	case k.Hold && t.has("pulses"):
		c.errorf(t.at("pulses"), "a kick with hold = true is one current held with the note: leave out pulses")
		ok = false
	case k.Hold:
		k.Duration = 0
	default:
		k.Duration = c.positive(t, "duration", 1, emu.MaxKickDuration, "ms")
		k.Pulses = c.pulses(t, 0, "each note fires")
	}
	return k, ok
}

// pulses reads a pulse count, 1 to emu.MaxPulses; what says whose pulses they are.
func (c *checker) pulses(t table, def int, what string) int {
	v, ok := c.whole(t, "pulses")
	if !ok {
		return def
	}
	if v < 1 || v > emu.MaxPulses {
		c.errorf(t.at("pulses"), "pulses = %d is outside the allowed range 1 to %d (the pulses %s; 2 is a pair)", v, emu.MaxPulses, what)
		return def
	}
	return int(v)
}

func (c *checker) noteRange(t table) (lo, hi int, ok bool) {
	list, isList := t.m["notes"].([]any)
	if !isList || len(list) != 2 {
		c.errorf(t.at("notes"), "notes must be the lowest and highest note of a range, like notes = [36, 84] (for one note write note = 60)")
		return 0, 0, false
	}
	var n [2]int64
	for i, e := range list {
		v, ok := c.wholeValue(t.at("notes"), "notes", e)
		if !ok {
			return 0, 0, false
		}
		if v < 0 || v > 127 {
			c.errorf(t.at("notes"), "notes = [%v, %v]: %d is not a MIDI note (0 to 127)", list[0], list[1], v)
			return 0, 0, false
		}
		n[i] = v
	}
	if n[0] > n[1] {
		c.errorf(t.at("notes"), "notes = [%d, %d] runs backwards: write the lowest note first", n[0], n[1])
		return 0, 0, false
	}
	return int(n[0]), int(n[1]), true
}

func (c *checker) amplitude(t table) (a, b float64, ok bool) {
	switch v := t.m["amplitude"].(type) {
	case []any:
		if len(v) != 2 {
			c.errorf(t.at("amplitude"), "amplitude must be one number, or two: [softest, hardest], like amplitude = [2, 40]")
			return 0, 0, false
		}
		a, okA := c.numberValue(t.at("amplitude"), "amplitude", v[0])
		if !okA {
			return 0, 0, false
		}
		b, okB := c.numberValue(t.at("amplitude"), "amplitude", v[1])
		return a, b, okB
	default:
		a, ok := c.numberValue(t.at("amplitude"), "amplitude", v)
		return a, a, ok
	}
}

func (c *checker) spikeMap(t table, ref *neuronRef) (midimap.SpikeMap, bool) {
	c.onlyKeys(t, spikeKeys)
	s := midimap.SpikeMap{Channel: 1, Velocity: 100, Duration: 0.05, RateCC: -1, RateMax: 100}
	n, ok := c.refer(t, "neuron", "spike mapping", ref, false)
	named := ok && n >= 0 && ref.models[n] != nil // a neuron whose size is known
	s.Neuron = n
	if m, isText := c.text(t, "mode"); isText {
		mode, err := midimap.ParseSpikeMode(m)
		if err != nil {
			c.errorf(t.at("mode"), "%v", err)
			ok = false
		}
		s.Mode = mode
	}
	s.Channel = c.channel(t, 1, false)
	if named {
		if s.Members = ref.counts[n]; s.Members == 1 {
			s.Members = 0
		}
	}
	switch {
	case t.has("notes") && t.has("note"):
		c.errorf(t.at("notes"), "give note = N (every spike plays it) or notes = [LOW, HIGH] (a population's members spread over the keys), not both")
		ok = false
	case t.has("notes"):
		lo, hi, rangeOK := c.noteRange(t)
		switch {
		case !rangeOK || !named:
			ok = false // the neuron's own error is reported already
		case s.Members < 2:
			c.errorf(t.at("notes"), "notes = [%d, %d] spreads a population's members over a range of keys, but this neuron is one neuron (count = 1): write note = %d", lo, hi, lo)
			ok = false
		case lo == hi:
			s.Note = lo
		default:
			s.Note, s.NoteTop = lo, hi
		}
	case !t.has("note"):
		c.errorf(t.path, "this [[midi.spike]] needs the note it plays, like note = 60")
		ok = false
	default:
		s.Note = c.midiNumber(t, "note", 60, 0, 127, "a MIDI note")
	}
	s.Velocity = c.midiNumber(t, "velocity", 100, 1, 127, "a note-on velocity")
	switch s.Mode {
	case midimap.ModeSpike:
		if t.has("release") {
			c.errorf(t.at("release"), `release only applies in mode = "gate"; in spike mode each note lasts duration seconds`)
		}
		s.Duration = c.positive(t, "duration", 0.05, maxSeconds, "s")
	case midimap.ModeGate:
		if s.NoteTop != 0 {
			c.errorf(t.at("mode"), `a range of notes plays a note per member's spike: it needs mode = "spike"`)
			ok = false
		}
		if t.has("duration") {
			c.errorf(t.at("duration"), `duration only applies in mode = "spike"; in gate mode the note lasts while the neuron fires (see release)`)
		}
		s.Duration = 0
		s.Release = c.numberIn(t, "release", 0, 0, maxSeconds, "s")
	}
	if t.has("rate_cc") {
		s.RateCC = c.controller(t, "rate_cc")
		s.RateMax = c.positive(t, "rate_max", 100, maxRate, "Hz")
	} else if t.has("rate_max") {
		c.errorf(t.at("rate_max"), "rate_max needs rate_cc, the controller that carries the firing rate")
	}
	return s, ok
}

// withoutKey returns a copy of m without key, for a key already reported.
func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// spreadDists are the distributions a [neuron.spread] entry may name.
var spreadDists = map[string]emu.SpreadDist{"even": emu.SpreadEven, "uniform": emu.SpreadUniform, "normal": emu.SpreadNormal}

// population reads a neuron's count, seed and [neuron.spread]: a population of count
// members, each with the neuron's values plus its offsets.
func (c *checker) population(t table, spec *emu.NeuronSpec, m *emu.Model) {
	count := int64(1)
	if v, ok := c.whole(t, "count"); !ok && t.has("count") {
		count = 0 // wrong, and said so: check the rest as for a population
	} else if ok {
		if v < 1 || v > emu.MaxNeurons {
			count = 0
			c.errorf(t.at("count"), "count = %d is outside the allowed range 1 to %d (members of this population; every member counts towards the %d neurons of a patch)", v, emu.MaxNeurons, emu.MaxNeurons)
		} else {
			count = v
		}
	}
	if v, ok := c.whole(t, "seed"); ok {
		if v < 0 {
			c.errorf(t.at("seed"), "seed = %d must not be negative", v)
		} else {
			spec.Population.Seed = uint64(v)
		}
	}
	if count > 1 {
		spec.Population.Count = int(count)
	} else if t.has("seed") && count == 1 {
		c.errorf(t.at("seed"), "seed draws the members of a population: it needs count = 2 or more")
	}
	st, ok := c.subtable(t, "spread", "[neuron.spread]")
	if !ok {
		return
	}
	if count == 1 {
		c.errorf(t.at("spread"), "[neuron.spread] spreads the members of a population: it needs count = 2 or more in this [[neuron]]")
		return
	}
	for _, k := range c.sortedKeys(st) {
		ctrl := emu.ControlCurrent
		if k != "current" {
			p := m.Param(k)
			if p < 0 {
				c.errorf(st.at(k), "cannot spread %q: spread current or a parameter of %s%s", k, m.Name, hint(k, m.ParamNames(), "parameters"))
				continue
			}
			ctrl = emu.ControlParam + int32(p)
		}
		dt, ok := c.subtable(st, k, k+" = { even = WIDTH }")
		if !ok {
			continue
		}
		keys := c.sortedKeys(dt)
		if len(keys) != 1 || spreadDists[keys[0]] == 0 && keys[0] != "even" {
			c.errorf(st.at(k), "%s = { ... } must name one distribution with its width: { even = W } (members evenly across ±W), { uniform = W } (drawn in ±W) or { normal = SD }", k)
			continue
		}
		w, ok := c.number(dt, keys[0])
		if !ok {
			continue
		}
		lo, hi, _ := emu.ControlRange(m, ctrl)
		if !(w >= 0 && w <= hi-lo) {
			c.errorf(dt.at(keys[0]), "a spread of %s %s = %g will not do: it must be between 0 and the width of its range, %g", k, keys[0], w, hi-lo)
			continue
		}
		spec.Population.Spread = append(spec.Population.Spread, emu.Spread{Control: ctrl, Dist: spreadDists[keys[0]], Width: w})
	}
}
