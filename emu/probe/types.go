package probe

import "github.com/separatrix-audio/separatrix/emu"

// Neuron is what an experiment runs: one neuron (its model, parameters, initial state
// and spike thresholds, as the engine plays it) held at a current.
type Neuron struct {
	Spec    emu.NeuronSpec
	Current float64
}

// Verdicts.
const (
	Integrator = "integrator"
	Resonator  = "resonator"
)

// Pulse is a square current pulse added to the holding current.
type Pulse struct {
	Start     float64 `json:"start_ms"`
	Width     float64 `json:"width_ms"`
	Amplitude float64 `json:"amplitude"`
}

// Trace is one trial's voltage over time (for pictures), with its input.
type Trace struct {
	Label  string    `json:"label"` // "interval 6 ms: fires"
	T      []float64 `json:"t_ms"`
	V      []float64 `json:"v"`
	I      []float64 `json:"i"` // the injected current at each T
	Fired  bool      `json:"fired"`
	Pulses []Pulse   `json:"pulses,omitempty"`
}

// DoubletOptions sets a doublet experiment; zero values pick defaults for the model.
type DoubletOptions struct {
	// Amplitude of each pulse in the per-interval trials (default: a third of the way
	// from the best interval's threshold to one pulse's, so the pair fires near the best
	// interval and fails far from it).
	Amplitude float64
	Width     float64 // ms, of each pulse (default: 0.5 ms for I_Na,p+I_K, scaled by MaxStep for slower models)
	// Intervals sweeps the onset-to-onset interval: Steps intervals evenly from From to
	// To (ms), both included (default: for a ringing focus a quarter of its damped
	// period 2π/ω to two and a half periods, for a node the width to eight decay times
	// of its slowest mode; 40 steps).
	From, To float64
	Steps    int
}

// DoubletTrial is one interval.
type DoubletTrial struct {
	IntervalMs float64  `json:"interval_ms"`
	Fired      bool     `json:"fired"`
	Spikes     int      `json:"spikes"`
	PeakV      float64  `json:"peak_v"`
	LatencyMs  *float64 `json:"latency_ms"` // from the second pulse's onset to the first spike (negative if the first pulse fired alone); null if none
	// ThresholdAmplitude is the smallest pulse amplitude that fires at this interval
	// (bisection to 0.5%); null if none up to the largest tried.
	ThresholdAmplitude *float64 `json:"threshold_amplitude"`
}

// DoubletResult is the doublet experiment's outcome.
type DoubletResult struct {
	Amplitude, Width float64
	Trials           []DoubletTrial
	// BestIntervalMs is the interval whose threshold amplitude is smallest.
	BestIntervalMs *float64 `json:"best_interval_ms"`
	// PredictedIntervalMs is 2π/ω from the rest state's complex eigenvalues λ = μ ± iω;
	// nil when the rest state is a node, or a focus so damped (ω ≤ |μ|) that it
	// answers like a node.
	PredictedIntervalMs *float64 `json:"predicted_interval_ms"`
	Verdict             string   `json:"verdict"`
	Examples            []Trace  `json:"-"`
}

// ReboundOptions sets a rebound experiment; zero values pick defaults.
type ReboundOptions struct {
	Amplitudes []float64 // negative pulse amplitudes to try (default: 8 sizes evenly up to the current that holds V a fifth of the model's voltage range below rest)
	Widths     []float64 // pulse widths in ms (default: 1/8, 1/4, 1/2, 1, 2 and 4 times the rest state's natural period 2π/|λ|)
}

// ReboundTrial is one inhibitory pulse.
type ReboundTrial struct {
	Amplitude float64  `json:"amplitude"`
	WidthMs   float64  `json:"width_ms"`
	Fired     bool     `json:"fired"` // a spike after the pulse's release
	Spikes    int      `json:"spikes"`
	LatencyMs *float64 `json:"latency_ms"` // from the release to the first spike
	MinV      float64  `json:"min_v"`
	PeakV     float64  `json:"peak_v"` // after the release
}

// ReboundResult is the rebound experiment's outcome.
type ReboundResult struct {
	Trials       []ReboundTrial
	ReboundSpike bool `json:"rebound_spike"`
	// Smallest is the pulse with the least charge (|amplitude| × width) that fires; nil
	// if none does.
	Smallest *Pulse `json:"smallest_pulse"`
	// Overshoot is how far V rises above rest after release, the most over all trials
	// (V's unit): a resonator's damped oscillation overshoots even when it does not fire;
	// an integrator's V comes back to rest from below (Overshoot ≤ 0).
	Overshoot float64 `json:"overshoot_v"`
	Verdict   string  `json:"verdict"`
	Examples  []Trace `json:"-"`
}

// ThresholdOptions sets a threshold experiment; zero values pick defaults.
type ThresholdOptions struct {
	Width    float64 // ms (default as for the doublet)
	From, To float64 // amplitudes (default: 0 to twice the threshold)
	Steps    int     // amplitudes evenly from From to To, both included (default 60)
}

// ThresholdTrial is one amplitude.
type ThresholdTrial struct {
	Amplitude float64  `json:"amplitude"`
	Fired     bool     `json:"fired"`
	PeakV     float64  `json:"peak_v"`
	LatencyMs *float64 `json:"latency_ms"` // from the pulse's onset to the spike; null if none
}

// ThresholdResult is the threshold experiment's outcome.
type ThresholdResult struct {
	Width  float64
	Trials []ThresholdTrial
	// ThresholdAmplitude is the smallest amplitude that fires (bisection to 1e-6 relative).
	ThresholdAmplitude *float64 `json:"threshold_amplitude"`
	// ThresholdWidth is the width of the amplitude range over which the peak V goes from
	// 10% to 90% of the way up from the highest peak of a pulse that fails (just below
	// the threshold) to a spike's peak (at 1.25 times the threshold amplitude), in units
	// of the threshold amplitude (each end bisected to 1e-6): 0 for an all-or-none
	// integrator, whose peak jumps from its saddle to a spike within the bisection's
	// resolution, a tenth or more for a graded resonator. (From rest instead, the 10%
	// level would fall among the passive responses below threshold that every neuron
	// has; at twice the threshold, a brief pulse alone can carry V past a spike's peak.)
	ThresholdWidth *float64 `json:"threshold_width"`
	// Approach are six pulses ever closer above the threshold, (1 + 10⁻ᵏ) times it for
	// k = 1 to 6: an integrator's latency grows without bound as k grows (by about the
	// same step each time: it lingers near its saddle), a resonator's hardly at all.
	Approach []ThresholdTrial `json:"approach"`
	Verdict  string           `json:"verdict"`
	Examples []Trace          `json:"-"`
}

// ChirpOptions sets a chirp (ZAP) experiment; zero values pick defaults.
type ChirpOptions struct {
	FromHz, ToHz float64 // default: a tenth and three times the damped frequency, or 1 to 200 Hz for a node (scaled by MaxStep for slower models)
	Seconds      float64 // of model time, default 2 (scaled likewise)
	Amplitude    float64 // default: small enough never to fire (a fifth of the DC threshold, halved while it fires)
}

// ChirpPoint is the response at one frequency.
type ChirpPoint struct {
	Hz        float64 `json:"hz"`
	Amplitude float64 `json:"amplitude_mv"` // half the peak-to-peak V over one cycle of the input
}

// ChirpResult is the chirp experiment's outcome.
type ChirpResult struct {
	// The sweep as run: from FromHz to ToHz over Seconds, a sine of Amplitude.
	FromHz    float64 `json:"from_hz"`
	ToHz      float64 `json:"to_hz"`
	Seconds   float64 `json:"seconds"`
	Amplitude float64 `json:"amplitude"`
	// Spikes counts the spikes the sweep set off: 0 unless an amplitude given was too
	// large for the response to be the rest state's.
	Spikes int          `json:"spikes"`
	Trials []ChirpPoint // one per whole cycle of the input
	// PeakHz is where the response is largest; nil when it nowhere rises 2% above the
	// response at the lowest frequency (no peak above it).
	PeakHz *float64 `json:"peak_hz"`
	// PeakGain is the response at the peak over the response at the lowest frequency
	// (nil with PeakHz).
	PeakGain *float64 `json:"peak_gain"`
	// DampedHz is ω/2π of the rest state (nil for a node, as PredictedIntervalMs), for comparison.
	DampedHz *float64 `json:"damped_hz"`
	Verdict  string   `json:"verdict"`
	Examples []Trace  `json:"-"`
}

// The experiments (implemented in doublet.go, rebound.go, threshold.go, chirp.go):
//
//	func Doublet(n Neuron, opt DoubletOptions) (*DoubletResult, error)
//	func Rebound(n Neuron, opt ReboundOptions) (*ReboundResult, error)
//	func Threshold(n Neuron, opt ThresholdOptions) (*ThresholdResult, error)
//	func Chirp(n Neuron, opt ChirpOptions) (*ChirpResult, error)
