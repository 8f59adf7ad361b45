// Package patches reads Separatrix instruments: TOML files that say which neurons play,
// how they are coupled, and how MIDI plays them.
//
// # Overview
//
// A patch is parsed once, before any sound, into a Patch: an emu.Config ready for
// emu.New and a midimap.Config with every name resolved to an index. Parse checks every
// value against the metadata the emu package declares (models, presets, parameter
// ranges, current ranges, the limits on gain, coupling and the limiter ceiling) and has
// emu.New build the engine once, so a patch that parses plays.
//
//	p, err := patches.Load("hysteresis") // or patches.Load("./my-patch.toml")
//	if err != nil {
//		log.Fatal(err) // every line reads FILE:LINE:COL: what is wrong, and the fix
//	}
//	eng, err := emu.New(p.Engine)
//
// # Built-in patches
//
// Builtins returns the patches embedded in the program, in teaching order: the four
// bifurcations of the persistent sodium plus potassium model (snic, saddle-node,
// hopf-super, hopf-sub), hysteresis (the bistable neuron on one 14-bit knob), timing
// (an integrator and a resonator fed the same pairs of pulses, their interval on a
// knob), rebound (post-inhibitory rebound from a held note), fitzhugh-nagumo, hh,
// three Morris-Lecar sets (snic, homoclinic, hopf), flip-flop (two bistable neurons
// with mutual inhibition) and swarm (a thousand snic neurons on one knob). Each file is
// commented to teach the format; BuiltinSource returns the text to copy. Each has a
// tour that crosses its bifurcation and back, captioned for a museum's screen.
//
// # The format
//
// Every key is optional unless marked required. Unknown keys are errors, with a hint
// when a known key is close.
//
//	format = 1                   # required: the format version
//	name = "..."                 # default: the file's base name
//	description = """..."""      # a paragraph a teacher can read aloud
//	speed = 1                    # ms of model time per ms of sound, more than 0, at most 1000
//	seed = 0                     # noise seed, a whole number >= 0
//
//	[output]
//	ceiling_db = -1              # limiter ceiling, -60 to -0.1 dBFS
//	channels = 2                 # 1 or 2
//
//	[[neuron]]                   # one or more
//	name = "a"                   # required, unique: letters, digits, - and _; not "all"
//	model = "inapk"              # required: inapk, hh, morris-lecar, fitzhugh-nagumo
//	preset = "saddle-node"       # default: the model's first preset
//	current = 0                  # within the model's current range
//	gain = 1                     # 0 to emu.MaxGain
//	pan = 0                      # -1 to 1
//	noise = 0                    # OU current noise, standard deviation
//	noise_tau = 5                # its correlation time, 0.01 to 10000 ms
//	pulses = 1                   # pulses each kick fires, 1 to emu.MaxPulses (2: a pair)
//	interval = 10                # ms of model time between their onsets, 0.1 to 1000
//	centre = -35                 # overrides of the preset's voltage-to-sound map
//	span = 25                    #   (sound = gain * (V - centre) / span); span not 0
//	spike_high = -30             # overrides of the preset's spike thresholds: a spike is
//	spike_low = -45              #   a rise through spike_high by spike_high - spike_low
//	[neuron.params]              # model parameters by name, each within its range
//	tau = 0.152
//	[neuron.init]                # initial state by variable name
//	V = -66
//	count = 1                    # 2 or more: a population, played as one neuron (below)
//	seed = 0                     # draws its members' offsets, a whole number >= 0
//	[neuron.spread]              # how its members differ: the neuron's value plus
//	current = { even = 2 }       #   an offset: even = W spaces them evenly over ±W,
//	gK = { normal = 0.5 }        #   uniform = W draws in ±W, normal = SD from a normal;
//	                             #   current or any model parameter
//
// A population (count = 1000) is one neuron to everything else: one name, its controls
// (a.current moves every member and keeps the spread), kicks, resets, synapses from and
// to it, MIDI maps; each member has its own noise; it sounds at the level of one neuron
// however many members fire out of step (each at 1/√count); its spikes are every
// member's; analyze and portrait show it at its own values (the centre of the spread),
// the live view the member nearest them. Every member counts towards the 1024 neurons
// of a patch; a population cannot have gap junctions (other neurons of the patch can).
//
//	[[gap]]                      # electrical synapse
//	neurons = ["a", "b"]         # required: two different neurons
//	g = 0.5                      # required: 0 to emu.MaxCoupling mS/cm²
//
//	[[synapse]]                  # chemical synapse
//	from = "a"                   # required
//	to = "b"                     # required
//	g = 1                        # required: conductance per presynaptic spike
//	tau = 5                      # decay, 0.01 to 10000 ms
//	reversal = -80               # required: mV, -80 inhibits, 0 excites
//
//	[midi]
//	max_notes_per_second = 500   # cap per output; 0 = none; default 500
//
//	[[midi.cc]]
//	cc = 1                       # required: 0 to 119
//	lsb = 33                     # a 14-bit pair's LSB controller, not cc
//	channel = 0                  # 0 = any, else 1 to 16
//	target = "a.current"         # required: NEURON.CONTROL, or CONTROL for every neuron
//	min = 0                      # required, within the control's range
//	max = 10                     # required, not equal to min (max < min inverts)
//	curve = "linear"             # linear, exp or log
//	smoothing = 0.05             # seconds, 0 to 10
//	takeover = "soft"            # soft (default): the knob acts once it passes the present
//	                             #   value, so nothing jumps; jump: it acts at once
//
//	[[midi.bend]]                # pitch bend (14 bits); keys as [[midi.cc]] without cc, lsb
//	target = "a.gK"
//	min = 8
//	max = 12
//
//	[[midi.kick]]
//	notes = [36, 84]             # required: an inclusive range, or note = 60
//	channel = 0
//	neuron = "a"                 # required: a neuron, or "all"
//	amplitude = [2, 40]          # required: velocity 1 -> first, 127 -> second (or one number)
//	duration = 1                 # ms of model time
//	pulses = 2                   # pulses per note, 1 to emu.MaxPulses; default: the neuron's
//	                             #   (their interval is always the neuron's: a knob can turn it)
//	hold = false                 # true: the current lasts while the note is held (no
//	                             #   duration, no pulses); the note-off ends it
//
//	[[midi.spike]]
//	neuron = "a"                 # required
//	mode = "spike"               # spike (a note per spike) or gate (held while firing)
//	channel = 1                  # 1 to 16
//	note = 60                    # required; one owner per channel and note
//	                             #   (or, for a population, notes = [36, 96]: member k
//	                             #   plays key 36 + k·61/count, spike mode only)
//	velocity = 100               # 1 to 127
//	duration = 0.05              # spike mode: note length in seconds
//	release = 0                  # gate mode: seconds of silence that end the note; 0 = auto
//	rate_cc = 20                 # the firing rate as a controller, 0 to 119 (for a
//	                             #   population its members' average over 0.2 s)
//	rate_max = 100               # Hz of model time sent as 127
//
// Controls a target can name: current, gain, pan, noise, pulses, interval, and any
// parameter of the neuron's model ("b.gK"). Without a neuron ("current") the target is
// every neuron, and the model's parameters are not allowed.
//
//	[tour]                       # what an installation plays when nobody plays (Tour)
//	length = 60                  # required: seconds, more than 0, at most MaxTourLength (600);
//	                             #   then the next patch's tour (or this one's again)
//	[[tour.step]]                # one or more, in time order
//	at = 0                       # required: seconds from the tour's start, 0 to length
//	caption = "At rest."         # one line, at most MaxCaption (120) characters; absent:
//	                             #   the caption shown stays
//	target = "a.current"         # a control, as [[midi.cc]] names it ...
//	to = 6                       # ... ramped from wherever it is to this value (within the
//	                             #   control's range; required with target)
//	over = 12                    # ... over this many seconds (0 or absent: at once); the
//	                             #   ramp ends by the tour's end
//	kick = "a"                   # a kick to one neuron: its first [[midi.kick]] that is
//	                             #   not held, at velocity 127 (Patch.TourKick)
//
// A step needs a caption, a target or a kick, or several. A tour starts from wherever a
// visitor left the controls, so its first steps set every control it relies on.
//
// # Installations
//
// A museum installation is one more TOML file, read by LoadInstallation: the patches it
// plays, its devices, its view, its attract mode, its volume cap, quiet hours and OSC
// (patches/testdata/installation.toml is a commented example). It is checked like a
// patch, every problem at its FILE:LINE:COL, unknown keys with a hint; a patch that fails
// to load adds its own lines after the one that names it. Paths are relative to the
// installation file's directory.
//
//	format = 1                   # required: the installation format version
//	name = "Neuron wall"         # default: the file's base name
//	patches = ["hysteresis", "./my-patch.toml"]
//	                             # required: built-in names or patch files (a / or .toml),
//	                             #   each once, at most 128; program change N plays the Nth
//	                             #   (from 0), and the attract tours follow this order
//	cap_db = -12                 # required: the volume cap, dBFS, -60 up to 0 and below
//	                             #   every patch's ceiling_db
//	state_file = "state.json"    # where the exhibit keeps its state; default: its own choice
//
//	[audio]                      # as play's flags; absent keys keep play's defaults
//	host = "jack"                # --host
//	device = ""                  # --audio
//	rate = 48000                 # --rate, 8000 to 768000
//	buffer = 256                 # --buffer, 1 to 16384
//	latency = "normal"           # --latency: "low", "normal" or periods ahead, 1 to 16
//
//	[midi]
//	driver = "auto"              # --midi-driver: auto, rtmidi or jack
//	in = ["all"]                 # --midi-in, one per name (a part of a port's name)
//	out = ""                     # --midi-out
//	virtual = false              # --virtual
//
//	[view]                       # present: the live view is served (enabled = false: not)
//	address = "127.0.0.1:7400"   # HOST:PORT; beyond this machine (0.0.0.0:7400, :7400)
//	pin = "2718"                 #   steering needs a pin, 4 to 12 digits,
//	readonly = false             #   unless the view is read-only
//
//	[attract]                    # present: attract mode is on (enabled = false: off)
//	idle = "60s"                 # no input from MIDI, the page or OSC this long starts the
//	                             #   tours (a Go duration, 5s to 24h)
//	scores = { "drone" = "drone-tour.mid" }
//	                             # patch name (or its entry in patches) -> a Standard MIDI
//	                             #   File played instead of its [tour]; with attract mode
//	                             #   on every patch needs one or the other
//
//	[[quiet]]                    # up to 48, never overlapping
//	from = "12:00"               # required: local time, "00:00" to "23:59"
//	to = "13:30"                 # required: not from; before from spans midnight
//	cap_db = -30                 # a lower cap, below the installation's cap_db, or
//	silent = true                #   no sound at all (the view stays live): one of the two
//
//	[osc]                        # OSC 1.0 over UDP
//	listen = "9000"              # a port (this machine only: 127.0.0.1) or HOST:PORT;
//	                             #   absent: no OSC in
//	send = "192.168.1.20:9001"   # HOST:PORT to send spikes, rates and state to
//	state_rate = 30              # state messages a second, at most 200
//
// # Limits
//
// Parse refuses, before the TOML decoder sees the text, a patch longer than MaxFileSize
// (2 MiB), tables and lists nested deeper than MaxDepth (8; a patch needs 4), more than
// MaxTables (65536) tables and lists, and more than emu.MaxNeurons (1024) neurons,
// emu.MaxSynapses (16384) synapses or emu.MaxGaps (8192) gap junctions, each at the place
// it goes beyond. ParseInstallation refuses an installation longer than
// MaxInstallationSize (256 KiB), with more than MaxInstallationPatches (128) patches or
// MaxQuietHours (48) quiet periods. Load and LoadInstallation read regular files and
// pipes only (so play <(generate-patch) works): a device such as /dev/zero is refused
// before it is opened, a named pipe nobody writes to reads as empty at once, and no more
// than the limit and a byte are read.
//
// # Errors
//
// Parse reports every problem it finds as an ErrorList, in file order, one line each:
//
//	bistable.toml:14:3: unknown model "inapk2" (known: inapk, hh, morris-lecar, fitzhugh-nagumo)
//
// The position is the key's (or, for a missing key, its table header's). Syntax errors
// come from the TOML reader with its position; a file that does not declare format = 1
// gets that one message only.
package patches
