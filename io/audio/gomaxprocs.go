package audio

import (
	"os"
	"runtime"
	"strconv"
)

// RecommendedGOMAXPROCS is the GOMAXPROCS for a process that plays in real time:
// NumCPU+2, and at least 4. Set it at the start of the command that opens the stream:
//
//	runtime.GOMAXPROCS(audio.RecommendedGOMAXPROCS())
//
// The audio callback arrives on a thread the host API made; to run Go code it needs
// one of the scheduler's Ps. When every P is busy it waits until one comes free or is
// preempted, which can take longer than a buffer. Ps cost nothing while idle, so two
// more than there are CPUs leave one free for the callback even while goroutines
// compute on every CPU. Setting GOMAXPROCS also stops the runtime from changing it
// when the container's CPU limit changes.
//
// Measured on a 2-CPU virtual machine (Go 1.26, PortAudio 19.6 to a dummy JACK server
// at 48000 Hz with 128-frame buffers; four rounds of 15 s per setting, xruns per run).
// Process computed 50 µs per block beside a goroutine allocating 1 KiB every
// millisecond and one waking every 10 ms; "+ busy" adds a goroutine that computes
// without pause. A client written in C (package internal/cref) ran in each round as
// the baseline: this machine woke even it late about once a second.
//
//	                  GOMAXPROCS=2        4                8
//	C client          19  6 16 19 (the machine's own)
//	Go, idle          22 17 13 14
//	Go                 8  7  6 30        18 14 20 29      12 16 13 28
//	Go + busy         67 128 20 104      14 13  3 26      12  2 16 20
//
// A fifth round with the C client run right before each setting (go test -run
// MeasureGOMAXPROCS; see measure_test.go): C 36, Go + busy 162 at 2; C 14, Go + busy
// 28 at 4; C 18, Go + busy 24 at 8.
//
// Without a goroutine that computes without pause, the setting makes no difference and
// the Go client is as good as the C one. With one, GOMAXPROCS = NumCPU gives 5 times
// the xruns (and jackd blames 14 to 124 of them on the client itself, against 0 to 3
// for the C client); NumCPU+2 brings them back to the baseline, and 8 was no better
// than 4.
//
// Those numbers are for Process on the audio thread (Config.Direct). Fed from a ring
// (OpenJACK; Open without Direct), Process runs on a producer goroutine the callback
// wakes, which needs a free P as much; measured the same way (TestMeasureGOMAXPROCSRing,
// four rounds of 10 s, Process computing 30 µs a block, OpenJACK), underruns in all:
//
//	             GOMAXPROCS=2   3   4
//	Go, idle                0   0   0
//	Go + busy              17   1   1   (at 2: 14, 0, 2 and 1 a round)
//
// and the process's CPU time did not depend on the setting (idle: 4.2 to 7.6% of a core
// at 2, 5.2 to 7.4% at 3, 3.6 to 8.5% at 4, the spread within each as wide as between
// them). So NumCPU+2 stays: one P more than the CPUs for the producer beside a goroutine
// that computes (the view's geometry worker), one for the garbage collector's.
//
// A GOMAXPROCS set in the environment wins, as it does for any Go program.
func RecommendedGOMAXPROCS() int {
	if n, err := strconv.Atoi(os.Getenv("GOMAXPROCS")); err == nil && n > 0 {
		return n
	}
	return max(runtime.NumCPU()+2, 4)
}
