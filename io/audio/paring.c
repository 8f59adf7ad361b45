//go:build cgo

// The C half of PortAudio's ring-fed output. sepa_pa_callback runs on the host API's
// real-time thread: it touches only PortAudio's buffers, the ring and atomics, posts a
// semaphore, allocates nothing and never calls into Go.

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
	uint32_t n = (uint32_t)frames;
	uint32_t take = sepa_ring_read(&c->ring, (float *const *)out, n);
	SEPA_STORE(&c->period, n);
	if (take < n && SEPA_LOAD(&c->running)) {
		SEPA_ADD(&c->underruns, 1);
	}
	if (flags & (paOutputUnderflow | paOutputOverflow)) {
		SEPA_ADD(&c->xruns, 1);
	}
	SEPA_ADD(&c->callbacks, 1);
	sepa_wake_post(&c->wake);
	return paContinue;
}

static void sepa_pa_free(sepa_pa *c) {
	sepa_wake_destroy(&c->wake);
	sepa_ring_free(&c->ring);
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
	if (sepa_ring_init(&c->ring, channels, cap) != 0) {
		free(c);
		return NULL;
	}
	if (sepa_wake_init(&c->wake) != 0) {
		sepa_ring_free(&c->ring);
		free(c);
		return NULL;
	}
	c->period = (uint32_t)frames;
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
	SEPA_STORE(&c->running, 1);
	PaError err = Pa_StartStream(c->stream);
	if (err != paNoError) {
		SEPA_STORE(&c->running, 0);
	}
	return err;
}

// sepa_pa_wait blocks until a buffer has been played, sepa_pa_stop is called, or ms
// milliseconds pass. It returns 1 after sepa_pa_stop, else 0.
int sepa_pa_wait(sepa_pa *c, int ms) {
	sepa_wake_wait(&c->wake, ms);
	return SEPA_LOAD(&c->stop) ? 1 : 0;
}

uint32_t sepa_pa_write(sepa_pa *c, const float *src, uint32_t stride, uint32_t frames) {
	return sepa_ring_write(&c->ring, src, stride, frames);
}

uint64_t sepa_pa_fill(sepa_pa *c) { return sepa_ring_fill(&c->ring); }
uint64_t sepa_pa_played(sepa_pa *c) { return sepa_ring_played(&c->ring); }
uint32_t sepa_pa_period(sepa_pa *c) { return SEPA_LOAD(&c->period); }

// sepa_pa_counts copies the counters: callbacks, underruns, xruns.
void sepa_pa_counts(sepa_pa *c, uint64_t *out) {
	out[0] = SEPA_LOAD(&c->callbacks);
	out[1] = SEPA_LOAD(&c->underruns);
	out[2] = SEPA_LOAD(&c->xruns);
}

static const PaStreamInfo *info(sepa_pa *c) { return Pa_GetStreamInfo(c->stream); }
double sepa_pa_rate(sepa_pa *c) { return info(c) ? info(c)->sampleRate : 0; }
double sepa_pa_output_latency(sepa_pa *c) { return info(c) ? info(c)->outputLatency : 0; }

// sepa_pa_realtime gives the calling thread (the producer's, locked to its goroutine)
// real-time scheduling one step below the callback's, once the callback has run. It
// returns 0 on success, -1 if the system refused, and 1 if there is nothing to do: the
// callback has not run, runs at ordinary priority, or the system's kind of real time is
// not one this knows (Core Audio's time-constraint threads).
int sepa_pa_realtime(sepa_pa *c) {
	if (!SEPA_LOAD(&c->sampled)) {
		return 1;
	}
#if defined(_WIN32)
	return SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_TIME_CRITICAL) ? 0 : -1;
#elif defined(__linux__)
	if ((c->policy != SCHED_FIFO && c->policy != SCHED_RR) || c->priority < 2) {
		return 1;
	}
	struct sched_param sp;
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = c->priority - 1;
	return pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0 ? 0 : -1;
#else
	return 1;
#endif
}

void sepa_pa_stop(sepa_pa *c) {
	SEPA_STORE(&c->running, 0); // the ring runs dry from now on: not an underrun
	SEPA_STORE(&c->stop, 1);
	sepa_wake_post(&c->wake);
}

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
