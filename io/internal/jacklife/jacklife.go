// Package jacklife serialises the lifecycle of every JACK client in the program: the
// native audio output (io/audio) and JACK MIDI (io/mididrv/jackmidi) alike.
//
// libjack keeps process-wide state. When a server shuts any client of the process down,
// libjack marks its server as gone for the whole process (JackGlobals::fServerRunning),
// and the next jack_client_open, from any thread, closes and deletes every client still
// allocated (JackLibGlobals::Init). A close, deactivate, activate or connect that runs
// on one of those clients at the same moment would use freed memory. Holding Mu around
// every such call, and around jack_client_open, rules that out; after an open has
// succeeded under Mu, clients abandoned earlier because their server died are deleted
// already, and their own memory may be freed.
package jacklife

import (
	"sync"
	"time"
)

// Mu is held around jack_client_open, jack_activate, jack_deactivate, jack_connect,
// jack_get_ports and jack_client_close, in every package.
var Mu sync.Mutex

// Within runs do on a goroutine of its own and returns its result if it comes within
// d (ok true). Otherwise it returns at once (ok false) and hands the late result to
// late when it comes (to close a client opened too late): a server that does not
// answer must not hold the caller, which libjack's calls would.
func Within[T any](d time.Duration, do func() T, late func(T)) (result T, ok bool) {
	ch := make(chan T, 1)
	go func() { ch <- do() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r, true
	case <-timer.C:
		go func() { late(<-ch) }()
		return result, false
	}
}
