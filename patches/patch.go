package patches

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// Format is the patch format version this package reads (format = 1).
const Format = 1

// Patch is an instrument read from a TOML file: the neurons and how they are coupled, ready
// for emu.New, and how MIDI plays them, ready for midimap.
type Patch struct {
	Name        string  // from the file, else the file's base name
	Description string  // a paragraph a teacher can read aloud
	Source      string  // the file path, or "NAME.toml" for a built-in (used in error messages)
	Speed       float64 // ms of model time per ms of sound; 1 if the patch gives none
	Seed        uint64  // default noise seed; 0 if the patch gives none
	// Engine is ready for emu.New: Neurons in patch order, Gaps, Synapses, Speed,
	// CeilingDB, Channels and Seed.
	Engine emu.Config
	// MIDI is resolved: neuron indices are patch order, controls are emu control indices.
	MIDI        midimap.Config
	NeuronNames []string // in patch order
	Tour        *Tour    // the attract-mode tour; nil when the patch has none
}

// Neuron returns the index of the named neuron, or -1.
func (p *Patch) Neuron(name string) int {
	for i, n := range p.NeuronNames {
		if n == name {
			return i
		}
	}
	return -1
}

// Error is one problem in a patch, at the line and column (in characters) of the key it
// concerns, or of the enclosing table's header when the key is missing.
type Error struct {
	Source    string // file path or "NAME.toml"
	Line, Col int
	Msg       string // a sentence a performer understands, with the fix where it is obvious
	Err       error  // the underlying error (a toml.ParseError for syntax), if any
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d:%d: %s", e.Source, e.Line, e.Col, e.Msg) }

func (e *Error) Unwrap() error { return e.Err }

// maxShown is how many problems an ErrorList prints.
const maxShown = 10

// ErrorList is every problem Parse found, in file order. Its message is one line per
// problem, each starting with FILE:LINE:COL.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i == maxShown {
			more := len(l) - maxShown
			fmt.Fprintf(&b, "\n%s: %d more problem%s not shown", e.Source, more, plural(more))
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find the first *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Parse reads a patch. source names the file in error messages and gives the patch its
// default name. A failure is an ErrorList: every problem found, in file order, each
// message starting with "source:LINE:COL: ".
//
// A patch that parses builds: Parse has already given its Engine config to emu.New.
// Parse refuses a patch longer than MaxFileSize, nested deeper than MaxDepth, with more
// than MaxTables tables and lists or more neurons, synapses or gap junctions than the
// engine takes (emu.MaxNeurons, emu.MaxSynapses, emu.MaxGaps), before it decodes it.
func Parse(source string, data []byte) (*Patch, error) {
	return parse(source, data)
}

// IsFile reports whether Load takes nameOrPath for a file rather than a built-in name:
// it contains a path separator or ends in ".toml".
func IsFile(nameOrPath string) bool {
	return strings.ContainsAny(nameOrPath, `/\`+string(filepath.Separator)) || strings.HasSuffix(nameOrPath, ".toml")
}

// Load reads a patch by built-in name ("snic") or from a file. An argument that contains
// a path separator or ends in ".toml" is a file; anything else is a built-in name.
//
// The file may be a regular file or a pipe (play <(generate-patch)); a device,
// directory or socket is refused before it is opened, a named pipe that nobody writes to
// reads as empty instead of waiting, and no more than MaxFileSize+1 bytes are read.
func Load(nameOrPath string) (*Patch, error) {
	if IsFile(nameOrPath) {
		data, err := readFile(nameOrPath)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: cannot read the patch: %w", nameOrPath, err)
		}
		return Parse(nameOrPath, data)
	}
	data, ok := builtinSource(nameOrPath)
	if !ok {
		names := BuiltinNames()
		h := ""
		if c := closest(nameOrPath, names); c != "" {
			h = fmt.Sprintf(" Did you mean %q?", c)
		}
		return nil, fmt.Errorf("there is no built-in patch named %q.%s The built-in patches are: %s. "+
			"To load a file, give its path, like ./%s.toml", nameOrPath, h, strings.Join(names, ", "), nameOrPath)
	}
	return Parse(nameOrPath+".toml", data)
}

// ResolveTarget resolves a controller target as written in patches:
//
//	"current"   every neuron's current (also "gain", "pan", "noise", "pulses",
//	            "interval"): neuron emu.AllNeurons
//	"a.current" neuron a's current (also gain, pan, noise, pulses, interval)
//	"b.gK"      a parameter of neuron b's model
//
// The control is an emu control index (emu.ControlCurrent, ..., emu.ControlParam+k).
// Errors name what exists.
func ResolveTarget(p *Patch, target string) (neuron int32, control int32, err error) {
	models := make([]*emu.Model, len(p.Engine.Neurons))
	for i, s := range p.Engine.Neurons {
		models[i] = s.Model
	}
	return resolveTarget(p.NeuronNames, models, target)
}

// errSkip marks a target on a neuron whose model is unknown: already reported.
var errSkip = errors.New("neuron has no model")

var everyControl = []string{"current", "gain", "pan", "noise", "pulses", "interval"}

func resolveTarget(names []string, models []*emu.Model, target string) (int32, int32, error) {
	name, ctrl, dotted := strings.Cut(target, ".")
	if !dotted {
		if c, err := emu.ControlIndex(nil, target); err == nil {
			return emu.AllNeurons, c, nil
		}
		for _, n := range names {
			if n == target {
				return 0, 0, fmt.Errorf("target %q is a neuron; name one of its controls, like %s.current", target, target)
			}
		}
		for _, m := range models {
			if m != nil && m.Param(target) >= 0 {
				_, err := emu.ControlIndex(nil, target)
				return 0, 0, fmt.Errorf("target %s", err)
			}
		}
		if c := closest(target, everyControl); c != "" {
			return 0, 0, fmt.Errorf("unknown target %q (did you mean %q?)", target, c)
		}
		return 0, 0, fmt.Errorf("unknown target %q (every neuron: current, gain, pan, noise, pulses, interval; one neuron: NEURON.CONTROL, like %s.current)",
			target, first(names, "a"))
	}
	i := -1
	for k, n := range names {
		if n == name {
			i = k
			break
		}
	}
	if i < 0 {
		return 0, 0, fmt.Errorf("target %q names neuron %q, but there is no such neuron%s", target, name, hint(name, names, "neurons"))
	}
	m := models[i]
	if m == nil {
		return 0, 0, errSkip
	}
	c, err := emu.ControlIndex(m, ctrl)
	if err != nil {
		known := append(append([]string(nil), everyControl...), m.ParamNames()...)
		if h := closest(ctrl, known); h != "" {
			return 0, 0, fmt.Errorf("target %q: neuron %s (%s) has no control %q (did you mean %q?)", target, name, m.Name, ctrl, h)
		}
		return 0, 0, fmt.Errorf("target %q: %v", target, err)
	}
	return int32(i), c, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func first(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}
