package patches

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/separatrix-audio/separatrix/emu"
)

// Limits on a patch's tour.
const (
	// MaxTourLength is the longest tour, in seconds: a museum's screen cycles through
	// the patches, and a visitor who arrives mid-tour should not wait long for the next.
	MaxTourLength = 600
	// MaxCaption is the longest caption, in characters: a line a screen shows large.
	MaxCaption = 120
	// MaxTourSteps is how many steps a tour may have.
	MaxTourSteps = 256
)

// Tour is a patch's attract-mode performance (Patch.Tour; nil when the patch has none):
// a script that a museum installation plays when nobody has touched it for a while,
// crossing the patch's bifurcation and back while the screen shows what happens.
type Tour struct {
	Length float64    // seconds from its start to its end
	Steps  []TourStep // in time order
}

// TourStep happens At seconds into the tour: a caption, a control ramp, a kick, or several.
type TourStep struct {
	At      float64
	Caption string // "" leaves the caption shown
	// A control ramp when Target != "": Neuron and Control resolved as patches.ResolveTarget does.
	Target          string
	Neuron, Control int
	To, Over        float64
	// A kick when Kick >= 0: the neuron index (patch order); -1 for none.
	Kick int
}

// TourKick is the kick a tour step gives neuron i (patch order): the patch's first
// [[midi.kick]] that plays it (by name or as "all") and is not held, at its hardest
// (velocity 127: its second amplitude), with its duration and its pulses (0: the
// neuron's own pulses and interval). Frame is left 0 for the caller to set. ok is false
// when no such kick exists; Parse refuses a tour that kicks such a neuron.
func (p *Patch) TourKick(i int) (ev emu.Event, ok bool) {
	for _, k := range p.MIDI.Kicks {
		if !k.Hold && (int(k.Neuron) == i || k.Neuron == emu.AllNeurons) {
			return emu.Event{Kind: emu.EventKick, Neuron: int32(i), Value: k.MaxAmp, Time: k.Duration, Pulses: int32(k.Pulses)}, true
		}
	}
	return emu.Event{}, false
}

var (
	tourKeys = []string{"length", "step"}
	stepKeys = []string{"at", "caption", "target", "to", "over", "kick"}
)

// tour reads [tour] and its [[tour.step]] tables; nil when there is none or it is wrong.
func (c *checker) tour(top table, ref *neuronRef, p *Patch) *Tour {
	t, ok := c.subtable(top, "tour", "[tour]")
	if !ok {
		return nil
	}
	c.onlyKeys(t, tourKeys)
	before := len(c.errs)
	tour := &Tour{}
	if !t.has("length") {
		c.errorf(t.path, "this [tour] needs its length in seconds, like length = 60")
	} else {
		tour.Length = c.positive(t, "length", 0, MaxTourLength, "s")
	}
	if v, ok := t.m["step"]; !ok || isEmptyList(v) {
		c.errorf(t.path, `this [tour] has no steps: add [[tour.step]] tables, each with at = SECONDS and a caption, a target with to, or a kick`)
	}
	steps := c.tables(t, "step", "[[tour.step]]")
	if len(steps) > MaxTourSteps {
		c.errorf(steps[MaxTourSteps].path, "this [[tour.step]] is the %s, but a tour may have at most %d steps", ordinal(MaxTourSteps+1), MaxTourSteps)
		return nil
	}
	prev := -1.0
	for _, st := range steps {
		s, ok := c.tourStep(st, ref, p, tour.Length)
		if !ok {
			continue
		}
		if s.At < prev {
			c.errorf(st.at("at"), "at = %g comes before the step above it (at = %g): write the steps in time order", s.At, prev)
		}
		prev = s.At
		tour.Steps = append(tour.Steps, s)
	}
	if len(c.errs) > before {
		return nil
	}
	return tour
}

func (c *checker) tourStep(t table, ref *neuronRef, p *Patch, length float64) (TourStep, bool) {
	before := len(c.errs)
	c.onlyKeys(t, stepKeys)
	s := TourStep{Kick: -1}
	ok := true
	if !t.has("at") {
		c.errorf(t.path, "this [[tour.step]] needs its time, at = SECONDS from the tour's start")
		ok = false
	} else if v, isNum := c.number(t, "at"); !isNum {
		ok = false
	} else if v < 0 || length > 0 && v > length {
		c.errorf(t.at("at"), "at = %g is outside the tour: 0 to its length, %g s", v, length)
		ok = false
	} else {
		s.At = v
	}
	if text, isText := c.text(t, "caption"); isText {
		text = strings.TrimSpace(text)
		switch n := utf8.RuneCountInString(text); {
		case text == "":
			c.errorf(t.at("caption"), `caption is empty: leave it out to keep the caption shown`)
			ok = false
		case strings.ContainsFunc(text, unicode.IsControl):
			c.errorf(t.at("caption"), "a caption is one line of text, without line breaks or tabs: the screen wraps it")
			ok = false
		case n > MaxCaption:
			c.errorf(t.at("caption"), "this caption is %d characters long, more than the %d a screen shows at a glance: shorten it", n, MaxCaption)
			ok = false
		default:
			s.Caption = text
		}
	} else if t.has("caption") {
		ok = false
	}

	switch {
	case t.has("target"):
		if !c.tourRamp(t, ref, &s, length) {
			ok = false
		}
	case t.has("to") || t.has("over"):
		key := "to"
		if !t.has("to") {
			key = "over"
		}
		c.errorf(t.at(key), `%s moves a control: it needs target = "NEURON.CONTROL", like target = "%s.current"`, key, first(ref.known(), "a"))
		ok = false
	}
	if t.has("kick") {
		if n, good := c.refer(t, "kick", "tour's kick", ref, false); !good {
			ok = false
		} else if _, has := p.TourKick(int(n)); !has {
			c.errorf(t.at("kick"), "kick = %q: the patch has no [[midi.kick]] for neuron %q to say how strong a kick is (a tour kicks as its first one that plays the neuron, at velocity 127): add one", ref.names[n], ref.names[n])
			ok = false
		} else {
			s.Kick = int(n)
		}
	}
	if !t.has("caption") && !t.has("target") && !t.has("kick") && len(c.errs) == before {
		c.errorf(t.path, `this [[tour.step]] does nothing: give it a caption, a target with to, or a kick`)
		ok = false
	}
	return s, ok && len(c.errs) == before
}

// tourRamp reads a step's target, to and over.
func (c *checker) tourRamp(t table, ref *neuronRef, s *TourStep, length float64) bool {
	ok := true
	target, isText := c.text(t, "target")
	if !isText {
		return false
	}
	n, ctrl, err := resolveTarget(ref.names, ref.models, target)
	switch {
	case err == errSkip:
		return false
	case err != nil:
		c.errorf(t.at("target"), "%v", err)
		return false
	}
	s.Target, s.Neuron, s.Control = target, int(n), int(ctrl)
	if !t.has("to") {
		c.errorf(t.path, "this [[tour.step]] moves %s: it needs to = VALUE, where the control goes", target)
		ok = false
	} else if v, isNum := c.number(t, "to"); !isNum {
		ok = false
	} else {
		s.To = v
		for _, i := range targets(ref, n) {
			m := ref.models[i]
			if m == nil {
				continue
			}
			lo, hi, _ := emu.ControlRange(m, ctrl)
			if v < lo || v > hi {
				name := strings.TrimPrefix(target, ref.names[i]+".")
				c.errorf(t.at("to"), "to = %g is outside the range of %s.%s: %g to %g%s", v, ref.names[i], name, lo, hi, withSpace(controlUnit(m, ctrl)))
				ok = false
				break
			}
		}
	}
	if v, isNum := c.number(t, "over"); isNum {
		switch {
		case v < 0:
			c.errorf(t.at("over"), "over = %g must not be negative: it is the seconds the ramp takes (0: at once)", v)
			ok = false
		case length > 0 && s.At+v > length:
			c.errorf(t.at("over"), "over = %g runs past the tour's end: this step starts at %g and the tour lasts %g s", v, s.At, length)
			ok = false
		default:
			s.Over = v
		}
	} else if t.has("over") {
		ok = false
	}
	return ok
}
