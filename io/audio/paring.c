//go:build cgo

// The C half of PortAudio's ring-fed output. sepa_pa_callback runs on the host API's
// real-time thread: it touches only PortAudio's buffers, the ring and atomics, posts the
// wake-up, allocates nothing and never calls into Go.

#include <string.h>

#include "paring.h"

#if defined(__linux__)
#include <sched.h>
#if defined(__has_include)
#if __has_include(<pa_linux_alsa.h>)
#include <pa_linux_alsa.h>
#define SEPA_HAVE_PA_ALSA 1
#endif
#endif
#endif
#if !defined(_WIN32)
#include <pthread.h>
#endif

// sample_scheduling records the calling thread's scheduling policy and priority.
static void sample_scheduling(sepa_pa *c) {
	c->policy = -1;
#if defined(__linux__)
	// System calls on the calling thread, no lock (pthread_getschedparam takes one and
	// may report a policy set behind its back, as rtkit does).
	struct sched_param sp;
	c->policy = sched_getscheduler(0);
	if (sched_getparam(0, &sp) == 0) {
		c->priority = sp.sched_priority;
	}
#elif !defined(_WIN32)
	struct sched_param sp;
	int policy;
	if (pthread_getschedparam(pthread_self(), &policy, &sp) == 0) {
		c->policy = policy;
		c->priority = sp.sched_priority;
	}
#endif
}

static int sepa_pa_callback(const void *in, void *out, unsigned long frames,
		const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *arg) {
	(void)in;
	(void)ti;
	sepa_pa *c = arg;
	if (!SEPA_LOAD(&c->sampled)) { // the first call only: two system calls
		sample_scheduling(c);
		SEPA_STORE(&c->sampled, 1);
	}
	sepa_feed_play(&c->feed, (float *const *)out, (uint32_t)frames);
	if (flags & (paOutputUnderflow | paOutputOverflow)) {
		SEPA_ADD(&c->feed.xruns, 1);
	}
	return paContinue;
}

static void sepa_pa_free(sepa_pa *c) {
	sepa_feed_free(&c->feed);
	free(c);
}

// sepa_pa_open opens an output stream of non-interleaved float32 on PortAudio's device
// with a ring of cap frames (a power of two) per channel, not yet started. On failure
// it returns NULL with PortAudio's error in *err (paInsufficientMemory when the ring
// or the semaphore could not be made).
sepa_pa *sepa_pa_open(int device, int channels, double rate, unsigned long frames, double latency, uint32_t cap, PaError *err) {
	*err = paInsufficientMemory;
	sepa_pa *c = calloc(1, sizeof *c);
	if (!c) {
		return NULL;
	}
	if (sepa_feed_init(&c->feed, channels, cap, (uint32_t)frames) != 0) {
		free(c);
		return NULL;
	}
	PaStreamParameters p;
	memset(&p, 0, sizeof p);
	p.device = device;
	p.channelCount = channels;
	p.sampleFormat = paFloat32 | paNonInterleaved;
	p.suggestedLatency = latency;
	*err = Pa_OpenStream(&c->stream, NULL, &p, rate, frames, paNoFlag, sepa_pa_callback, c);
	if (*err != paNoError) {
		sepa_pa_free(c);
		return NULL;
	}
#if defined(SEPA_HAVE_PA_ALSA)
	// ALSA's callback thread is real-time only when asked: it only copies, so ask.
	// (PortAudio plays on at ordinary priority if the system refuses.)
	const PaDeviceInfo *d = Pa_GetDeviceInfo(device);
	const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
	if (h && h->type == paALSA) {
		PaAlsa_EnableRealtimeScheduling(c->stream, 1);
	}
#endif
	return c;
}

// sepa_pa_start starts the stream; underruns count from here on.
PaError sepa_pa_start(sepa_pa *c) {
	SEPA_STORE(&c->feed.running, 1);
	PaError err = Pa_StartStream(c->stream);
	if (err != paNoError) {
		SEPA_STORE(&c->feed.running, 0);
	}
	return err;
}

static const PaStreamInfo *info(sepa_pa *c) { return Pa_GetStreamInfo(c->stream); }
double sepa_pa_rate(sepa_pa *c) { return info(c) ? info(c)->sampleRate : 0; }
double sepa_pa_output_latency(sepa_pa *c) { return info(c) ? info(c)->outputLatency : 0; }

// sepa_pa_sampled reports whether the callback has run (and its scheduling is known).
int sepa_pa_sampled(sepa_pa *c) { return SEPA_LOAD(&c->sampled); }

// sepa_pa_rt_priority is the SCHED_FIFO priority for the producer, one step below the
// callback's, once the callback has run; -1 if there is none to ask for: the callback
// has not run, runs at ordinary priority, or not on Linux.
int sepa_pa_rt_priority(sepa_pa *c) {
#if defined(__linux__)
	if (SEPA_LOAD(&c->sampled) && (c->policy == SCHED_FIFO || c->policy == SCHED_RR) && c->priority >= 2) {
		return c->priority - 1;
	}
#endif
	(void)c;
	return -1;
}

// sepa_pa_realtime gives the calling thread (the producer's, locked to its goroutine
// where the priority cannot follow it: not on Linux) real-time scheduling one step
// below the callback's, once the callback has run. It returns 0 on success, -1 if the
// system refused, and 1 if there is nothing to do: the callback has not run, runs at
// ordinary priority, or the system's kind of real time is not one this knows (Core
// Audio's time-constraint threads).
int sepa_pa_realtime(sepa_pa *c) {
	if (!SEPA_LOAD(&c->sampled)) {
		return 1;
	}
#if defined(_WIN32)
	return SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_TIME_CRITICAL) ? 0 : -1;
#elif defined(__linux__)
	int prio = sepa_pa_rt_priority(c);
	if (prio < 0) {
		return 1;
	}
	struct sched_param sp;
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = prio;
	return pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0 ? 0 : -1;
#else
	return 1;
#endif
}

void sepa_pa_stop(sepa_pa *c) { sepa_feed_stop(&c->feed); }

// sepa_pa_close stops (if started) and closes the stream, frees it and returns the
// first error. Call it after sepa_pa_stop, once the producer has returned.
PaError sepa_pa_close(sepa_pa *c) {
	PaError err = paNoError;
	if (Pa_IsStreamStopped(c->stream) == 0) {
		err = Pa_StopStream(c->stream);
	}
	PaError err2 = Pa_CloseStream(c->stream);
	sepa_pa_free(c);
	return err != paNoError ? err : err2;
}
