package emu

import "testing"

// ControlValue reads each control from the spec as a neuron starts with it, with the
// defaults the engine applies (a 0 pulses is one pulse, a 0 interval DefaultInterval).
func TestControlValue(t *testing.T) {
	m := INaPK()
	s := NewNeuronSpec("a", m, &m.Presets[0])
	s.Current, s.Gain, s.Pan, s.Noise = 4.5, 0.7, -0.25, 1.5
	gK := int32(m.Param("gK"))
	for _, tc := range []struct {
		control int32
		want    float64
	}{
		{ControlCurrent, 4.5}, {ControlGain, 0.7}, {ControlPan, -0.25}, {ControlNoise, 1.5},
		{ControlPulses, 1}, {ControlInterval, DefaultInterval},
		{ControlParam + gK, s.Params[gK]}, {ControlParam + int32(len(s.Params)), 0},
	} {
		if got := s.ControlValue(tc.control); got != tc.want {
			t.Errorf("control %d: %g, want %g", tc.control, got, tc.want)
		}
	}
	s.Pulses, s.Interval = 3, 12
	if s.ControlValue(ControlPulses) != 3 || s.ControlValue(ControlInterval) != 12 {
		t.Errorf("pulses %g and interval %g, want 3 and 12", s.ControlValue(ControlPulses), s.ControlValue(ControlInterval))
	}
}

// ControlName is ControlIndex's inverse, for every control of every model.
func TestControlNameInvertsControlIndex(t *testing.T) {
	for _, m := range []*Model{INaPK(), HH(), MorrisLecar(), FitzHughNagumo()} {
		names := append([]string{"current", "gain", "pan", "noise", "pulses", "interval"}, m.ParamNames()...)
		for _, name := range names {
			c, err := ControlIndex(m, name)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := ControlName(m, c); !ok || got != name {
				t.Errorf("%s: ControlName(%d) = %q, %v; want %q", m.Name, c, got, ok, name)
			}
		}
		if _, ok := ControlName(m, ControlParam+int32(len(m.Params))); ok {
			t.Errorf("%s: a control past its parameters has a name", m.Name)
		}
	}
}
