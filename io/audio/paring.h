// The C half of PortAudio's ring-fed output (paring.go): a stream whose callback copies
// finished audio from a lock-free ring (ring.h) into PortAudio's buffers and never calls
// Go.

#ifndef SEPARATRIX_PARING_H
#define SEPARATRIX_PARING_H

#include <stdint.h>
#include <portaudio.h>

#include "ring.h"

typedef struct {
	PaStream *stream;
	// The ring, its wake-up and the producer's flags (ring.h): the producer (Go, feed.go)
	// writes, the callback reads.
	// Its xruns are the callbacks PortAudio flagged with an output underflow or overflow.
	sepa_feed feed;

	// The callback thread's scheduling, sampled in its first call (sampled then set).
	int sampled;  // atomic
	int policy;   // SCHED_OTHER, SCHED_FIFO, ... (-1 where unknown)
	int priority;
} sepa_pa;

sepa_pa *sepa_pa_open(int device, int channels, double rate, unsigned long frames, double latency, uint32_t cap, PaError *err);
PaError sepa_pa_start(sepa_pa *c);
double sepa_pa_rate(sepa_pa *c);
double sepa_pa_output_latency(sepa_pa *c);
int sepa_pa_sampled(sepa_pa *c);
int sepa_pa_rt_priority(sepa_pa *c);
int sepa_pa_realtime(sepa_pa *c);
void sepa_pa_stop(sepa_pa *c);
PaError sepa_pa_close(sepa_pa *c);

#endif
