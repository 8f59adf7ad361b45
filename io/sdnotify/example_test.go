package sdnotify_test

import (
	"context"
	"log"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/separatrix-audio/separatrix/io/sdnotify"
)

// A service reports that it is ready once its audio plays, then feeds the watchdog
// only while audio blocks keep being rendered: if they stop for the unit's
// WatchdogSec, systemd restarts it. Run outside systemd, every call does nothing.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// lastBlock is what the audio callback publishes: the time of its latest block.
	var lastBlock atomic.Int64
	lastBlock.Store(time.Now().UnixNano())

	n := sdnotify.New()
	n.Log = os.Stderr
	if err := n.Ready(); err != nil {
		log.Print(err) // the service still runs; systemd reports the start as failed
	}
	n.Status("playing hysteresis")
	go n.Feed(ctx, func() bool {
		return time.Since(time.Unix(0, lastBlock.Load())) < time.Second
	})

	<-ctx.Done()
	n.Stopping()
}
