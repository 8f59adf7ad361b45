package audio

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Process renders one block into non-interleaved channel buffers: out[c][f] is frame f of
// channel c, every out[c] has the same length, and len(out) is Config.Channels. The
// buffers arrive cleared to zero; Process writes (or adds) the block and must not keep
// them after it returns.
//
// Process runs on the stream's rendering goroutine, woken by the device's callback and
// Ahead periods ahead of it (on PortAudio's audio thread itself with Config.Direct; on
// a goroutine of its own for OpenClock), and must obey the real-time rules: no
// allocation, locks, blocking, channel operations or I/O. A block is never longer than
// Config.MaxBlock frames and usually Config.Buffer frames long, but it may be shorter
// or longer than Buffer: render whatever length arrives.
type Process func(out [][]float32)

// Config chooses the device and the stream format. The zero value plays stereo at
// 48000 Hz in 128-frame buffers on the system's default output device.
type Config struct {
	// Host is the host API: "" is the system default, else a case-insensitive
	// substring of one of PortAudio's host API names ("alsa", "jack", "coreaudio",
	// "wasapi", ...). Spaces are ignored, so "coreaudio" finds "Core Audio".
	Host string
	// Device is "" for the host's default output device, else a case-insensitive
	// substring of an output device's name. A name that equals one device's name
	// exactly wins over names that merely contain it.
	Device string
	// SampleRate in Hz; 0 means 48000. A JACK server plays at its own rate only.
	SampleRate float64
	// Buffer is the number of frames per callback; 0 means 128. 64 works with JACK.
	Buffer int
	// Channels is the number of output channels; 0 means 2.
	Channels int
	// MaxBlock is the longest block Process accepts; 0 means 4*Buffer. A host that
	// delivers a longer block has it split into MaxBlock-frame pieces. Prepare the
	// engine with this value (after WithDefaults), never with Buffer alone.
	MaxBlock int
	// Ahead is how many periods a ring-fed output (OpenJACK, and Open unless Direct)
	// keeps rendered ahead of the sound; 0 means 2. More absorbs later wake-ups of the
	// rendering goroutine and adds a period of latency each. OpenClock ignores it.
	Ahead int
	// Direct makes Open call Process on PortAudio's audio thread itself, a C-to-Go call
	// per buffer, instead of from a goroutine of the stream's that renders Ahead buffers
	// ahead into a ring the (C) callback copies from. It saves Ahead periods of latency
	// but the callback then needs a free Go scheduler slot in time, every time: on a
	// busy machine it misses more deadlines (see the package doc). OpenJACK always
	// uses its ring.
	Direct bool
}

// Latency says how long after Process renders a frame it is heard: the periods
// rendered ahead in a ring (none for a direct callback) and what the host reports for
// its own buffers and the device.
type Latency struct {
	Ahead  int           // periods rendered ahead
	Period time.Duration // one period (Buffer frames)
	Device time.Duration // the host's own output latency, as it reports it
}

// Total is the whole latency from Process to the sound.
func (l Latency) Total() time.Duration { return time.Duration(l.Ahead)*l.Period + l.Device }

// String reads "8.0 ms (2 periods rendered ahead + 2.7 ms in the driver)".
func (l Latency) String() string {
	ms := func(d time.Duration) float64 { return d.Seconds() * 1000 }
	switch l.Ahead {
	case 0:
		return fmt.Sprintf("%.1f ms (direct callback: all in the driver)", ms(l.Total()))
	case 1:
		return fmt.Sprintf("%.1f ms (1 period rendered ahead + %.1f ms in the driver)", ms(l.Total()), ms(l.Device))
	}
	return fmt.Sprintf("%.1f ms (%d periods rendered ahead + %.1f ms in the driver)", ms(l.Total()), l.Ahead, ms(l.Device))
}

// LatencyOf returns the latency of a stream that knows it (Open's, OpenJACK's and
// Supervise's while on a device); ok is false for others (OpenClock's).
func LatencyOf(s Stream) (l Latency, ok bool) {
	if ls, yes := s.(interface{ Latency() (Latency, bool) }); yes {
		return ls.Latency()
	}
	if ls, yes := s.(interface{ Latency() Latency }); yes {
		return ls.Latency(), true
	}
	return Latency{}, false
}

// frames is the duration of n frames at rate.
func frames(n int, rate float64) time.Duration {
	return time.Duration(float64(n) / rate * float64(time.Second))
}

// IsJACK reports whether a Config.Host names JACK ("jack", "JACK Audio Connection
// Kit", any case), which OpenJACK plays to natively.
func IsJACK(host string) bool { return strings.Contains(strings.ToLower(host), "jack") }

// Defaults filled in by Config.WithDefaults.
const (
	DefaultSampleRate = 48000
	DefaultBuffer     = 128
	DefaultChannels   = 2
	DefaultAhead      = 2
)

// WithDefaults returns c with every zero field replaced by its default, as Open and
// OpenClock use it. Call it to learn the MaxBlock to prepare the engine with.
func (c Config) WithDefaults() Config {
	if c.SampleRate == 0 {
		c.SampleRate = DefaultSampleRate
	}
	if c.Buffer == 0 {
		c.Buffer = DefaultBuffer
	}
	if c.Channels == 0 {
		c.Channels = DefaultChannels
	}
	if c.MaxBlock == 0 {
		c.MaxBlock = 4 * c.Buffer
	}
	if c.Ahead == 0 {
		c.Ahead = DefaultAhead
	}
	return c
}

// check reports a configuration no stream can have, after WithDefaults.
func (c Config) check() error {
	switch {
	case !(c.SampleRate >= 8000 && c.SampleRate <= 768000):
		return fmt.Errorf("audio: sample rate %g Hz is outside 8000 to 768000", c.SampleRate)
	case c.Buffer < 1 || c.Buffer > 16384:
		return fmt.Errorf("audio: buffer of %d frames is outside 1 to 16384", c.Buffer)
	case c.Channels < 1 || c.Channels > 64:
		return fmt.Errorf("audio: %d channels is outside 1 to 64", c.Channels)
	case c.MaxBlock < 1 || c.MaxBlock > 1<<20:
		return fmt.Errorf("audio: largest block of %d frames is outside 1 to %d", c.MaxBlock, 1<<20)
	case c.Ahead < 1 || c.Ahead > 16:
		return fmt.Errorf("audio: rendering %d periods ahead is outside 1 to 16", c.Ahead)
	}
	return nil
}

// Stream is a running output. Start, Close and the accessors belong to one control
// goroutine; Stats may be called from any goroutine.
type Stream interface {
	// Start begins calling Process. A stream starts once.
	Start() error
	// Close stops the stream, waits for a Process call in flight to return and releases
	// the device. It is safe to call twice, and before Start.
	Close() error
	// SampleRate is the rate the device actually plays at, in Hz.
	SampleRate() float64
	// Buffer is the number of frames per callback asked of the device.
	Buffer() int
	// Description names the host and device, e.g. "JACK Audio Connection Kit: system".
	Description() string
	// Stats returns the counters so far; safe from any goroutine.
	Stats() Stats
}

// checkStart is the misuse every Stream's Start refuses: a stream starts once, and
// not after Close.
func checkStart(closed, started bool) error {
	switch {
	case closed:
		return errors.New("audio: Start on a closed stream")
	case started:
		return errors.New("audio: stream started twice")
	}
	return nil
}

// Stats describes how the audio thread has kept up since Start.
type Stats struct {
	Callbacks uint64 // blocks asked for by the device (or the clock)
	// Xruns counts callbacks that PortAudio flagged with an output underflow or
	// overflow: the listener heard a gap. With JACK the flag means an xrun anywhere in
	// the JACK graph, another client's or the server's own included. A clock stream
	// counts the times it fell so far behind that it skipped ahead instead of catching
	// up.
	Xruns uint64
	// Underruns counts the periods a ring-fed output (OpenJACK) found its ring short
	// and played silence for; they are counted in Xruns too.
	Underruns uint64
	// LoadP99 is the 99th percentile of the callback body's duration as a fraction of
	// the block's period (1 means the callback took as long as the audio it rendered).
	// It comes from a histogram with 16 buckets per octave and is the upper edge of its
	// bucket (or LoadMax if smaller), so it overstates by at most 6.25%.
	LoadP99 float64
	LoadMax float64 // the largest load seen
}

// HostAPI is one of PortAudio's host APIs (ALSA, JACK, Core Audio, WASAPI, ...).
type HostAPI struct {
	Name string
	// Default marks the host that Config{} plays on: the host of the system's default
	// output device, or PortAudio's default host API when there is no such device.
	Default bool
	// Devices lists the host's output devices only: those with an output channel.
	Devices []Device
}

// Device is an output device of a host API.
type Device struct {
	Name              string
	MaxOutputChannels int
	DefaultSampleRate float64
	Default           bool // the host's default output device
}

// ErrNoDevice is wrapped by errors that mean no audio output can be played here at all
// (as opposed to a wrong name or format): no output device exists, the build has no
// audio support, or the only device plays nowhere. A program may fall back to
// OpenClock on it.
var ErrNoDevice = errors.New("no audio output device")

// noDevice is an error that says why there is no device, and matches ErrNoDevice.
type noDevice struct{ msg string }

func (e *noDevice) Error() string        { return e.msg }
func (e *noDevice) Is(target error) bool { return target == ErrNoDevice }

// probeTime is how long Usable plays silence to see whether the device keeps time.
const probeTime = 250 * time.Millisecond

// Usable reports whether Open(cfg, ...) would give a stream that really plays: it opens
// the device, plays silence for a quarter of a second and checks that the callbacks
// come at about the rate the buffer size implies. A device that is not paced by a clock
// (ALSA's null plugin calls back thousands of times a second) or never calls back gives
// an error matching ErrNoDevice, as does a missing device; a wrong name or format gives
// the error Open would. Call it before Open, not while a stream of the same device runs.
func Usable(cfg Config) error {
	cfg = cfg.WithDefaults()
	s, err := Open(cfg, func([][]float32) {})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Start(); err != nil {
		return err
	}
	t0 := time.Now()
	time.Sleep(probeTime)
	n := s.Stats().Callbacks
	elapsed := time.Since(t0).Seconds()
	if err := s.Close(); err != nil {
		return err
	}
	want := elapsed * s.SampleRate() / float64(s.Buffer())
	switch {
	case n == 0:
		return &noDevice{fmt.Sprintf("audio: %s opened but asked for no audio in %.2f s (the device is stalled)",
			s.Description(), elapsed)}
	case float64(n) > 4*want+32:
		return &noDevice{fmt.Sprintf("audio: %s is not paced by a clock: it asked for %d blocks in %.2f s instead of about %.0f, so it plays nowhere (ALSA's null device does this)",
			s.Description(), n, elapsed, want)}
	}
	return nil
}
