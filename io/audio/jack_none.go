//go:build !(cgo && ((linux && !nojack) || jack))

package audio

import "time"

// JACKAvailable reports whether this build has the native JACK output.
const JACKAvailable = false

// JACKClientName is the name the native JACK output asks for.
const JACKClientName = "separatrix-audio"

// OpenJACK reports that this build has no native JACK output (it needs cgo and
// libjack; on other systems than Linux build with -tags jack).
func OpenJACK(cfg Config, p Process) (Stream, error) {
	if p == nil {
		panic("audio: OpenJACK with a nil Process")
	}
	return nil, &noDevice{"audio: " + ErrNoDevice.Error() + ": this program was built without JACK support"}
}

// JACKServer describes the running JACK server as the native output sees it.
type JACKServer struct {
	SampleRate float64
	Period     int
	Physical   []string
	Clients    []string
	Device     time.Duration
}

// QueryJACK reports that this build has no native JACK output.
func QueryJACK() (*JACKServer, error) {
	return nil, &noDevice{"audio: " + ErrNoDevice.Error() + ": this program was built without JACK support"}
}
