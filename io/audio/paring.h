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
	sepa_ring ring; // the producer (Go) writes, the callback reads
	sepa_wake wake; // posted by the callback after each buffer, and by sepa_pa_stop

	uint64_t callbacks; // atomic: callbacks
	uint64_t underruns; // atomic: callbacks that found the ring short (while running)
	uint64_t xruns;     // atomic: callbacks PortAudio flagged with an output underflow or overflow
	uint32_t period;    // atomic: frames the last callback asked for
	int running;        // atomic: count underruns (from Start to Stop)
	int stop;           // atomic: sepa_pa_wait returns at once

	// The callback thread's scheduling, sampled in its first call (sampled then set).
	int sampled;  // atomic
	int policy;   // SCHED_OTHER, SCHED_FIFO, ... (-1 where unknown)
	int priority;
} sepa_pa;

sepa_pa *sepa_pa_open(int device, int channels, double rate, unsigned long frames, double latency, uint32_t cap, PaError *err);
PaError sepa_pa_start(sepa_pa *c);
int sepa_pa_wait(sepa_pa *c, int ms);
uint32_t sepa_pa_write(sepa_pa *c, const float *src, uint32_t stride, uint32_t frames);
uint64_t sepa_pa_fill(sepa_pa *c);
uint64_t sepa_pa_played(sepa_pa *c);
uint32_t sepa_pa_period(sepa_pa *c);
void sepa_pa_counts(sepa_pa *c, uint64_t *out);
double sepa_pa_rate(sepa_pa *c);
double sepa_pa_output_latency(sepa_pa *c);
int sepa_pa_realtime(sepa_pa *c);
void sepa_pa_stop(sepa_pa *c);
PaError sepa_pa_close(sepa_pa *c);

#endif
