//go:build cgo && ((linux && !nojack) || jack)

// The C half of the native JACK output. sepa_process runs on JACK's real-time thread:
// it touches only port buffers, the ring and atomics, posts a semaphore (a futex wake,
// never a wait), allocates nothing and never calls into Go.

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jackaudio.h"

#define LOAD SEPA_LOAD
#define STORE SEPA_STORE
#define ADD SEPA_ADD

static void sepa_silent(const char *msg) { (void)msg; }

// sepa_quiet stops libjack printing its own errors and notices on stderr; the Go side
// turns failures into sentences of its own.
void sepa_quiet(void) {
	jack_set_error_function(sepa_silent);
	jack_set_info_function(sepa_silent);
}

static int sepa_process(jack_nframes_t n, void *arg) {
	sepa_client *c = arg;
	float *dst[SEPA_MAX_CHANNELS];
	for (int ch = 0; ch < c->channels; ch++) {
		dst[ch] = jack_port_get_buffer(c->ports[ch], n);
	}
	sepa_feed_play(&c->feed, dst, n);
	return 0;
}

static int sepa_bufsize(jack_nframes_t n, void *arg) {
	sepa_client *c = arg;
	STORE(&c->feed.period, n);
	return 0;
}

static int sepa_xrun(void *arg) {
	sepa_client *c = arg;
	ADD(&c->feed.xruns, 1);
	return 0;
}

static void sepa_shutdown(jack_status_t code, const char *reason, void *arg) {
	(void)code;
	(void)reason;
	sepa_client *c = arg;
	// Async-signal-safe only: an atomic store and a write.
	sepa_feed_lose(&c->feed);
}

// sepa_free frees the client's own memory (not libjack's). For a client abandoned by
// sepa_close, only once libjack has deleted it (see package jacklife).
void sepa_free(sepa_client *c) {
	sepa_feed_free(&c->feed);
	free(c);
}

// sepa_open opens a client with channels output ports "out_1".. and a ring of cap
// frames (a power of two), not yet active. It never starts a server (the JACK server
// named by $JACK_DEFAULT_SERVER, or the default one). On failure it returns NULL with
// the JACK status in *status, or -1 when the client opened but could not be set up.
sepa_client *sepa_open(const char *name, int channels, uint32_t cap, int *status) {
	jack_status_t st = 0;
	jack_client_t *jc = jack_client_open(name, JackNoStartServer, &st);
	*status = (int)st;
	if (!jc) {
		return NULL;
	}
	sepa_client *c = calloc(1, sizeof *c);
	if (!c || sepa_feed_init(&c->feed, channels, cap, jack_get_buffer_size(jc)) != 0) {
		free(c);
		jack_client_close(jc);
		*status = -1;
		return NULL;
	}
	c->client = jc;
	c->channels = channels;
	// First of all: a server that dies while the client is being set up must be seen.
	jack_on_info_shutdown(jc, sepa_shutdown, c);
	for (int ch = 0; ch < channels; ch++) {
		char port[16];
		snprintf(port, sizeof port, "out_%d", ch + 1);
		c->ports[ch] = jack_port_register(jc, port, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput | JackPortIsTerminal, 0);
		if (!c->ports[ch]) {
			jack_client_close(jc);
			sepa_free(c);
			*status = -1;
			return NULL;
		}
	}
	if (jack_set_process_callback(jc, sepa_process, c) != 0 ||
	    jack_set_buffer_size_callback(jc, sepa_bufsize, c) != 0 ||
	    jack_set_xrun_callback(jc, sepa_xrun, c) != 0) {
		jack_client_close(jc);
		sepa_free(c);
		*status = -1;
		return NULL;
	}
	return c;
}

// sepa_activate starts the process callback; underruns count from here on.
int sepa_activate(sepa_client *c) {
	STORE(&c->feed.running, 1);
	return jack_activate(c->client);
}

int sepa_connect(sepa_client *c, int channel, const char *dest) {
	return jack_connect(c->client, jack_port_name(c->ports[channel]), dest);
}

const char *sepa_port_name(sepa_client *c, int channel) { return jack_port_name(c->ports[channel]); }

// sepa_playback_ports lists the audio input ports (of any client, physical ones only
// if asked): where an output can be connected. Free the list with jack_free.
const char **sepa_playback_ports(sepa_client *c, int physical) {
	unsigned long flags = JackPortIsInput;
	if (physical) {
		flags |= JackPortIsPhysical;
	}
	return jack_get_ports(c->client, NULL, JACK_DEFAULT_AUDIO_TYPE, flags);
}

// sepa_period is JACK's buffer size as the callbacks last saw it.
uint32_t sepa_period(sepa_client *c) { return LOAD(&c->feed.period); }

jack_nframes_t sepa_rate(sepa_client *c) { return jack_get_sample_rate(c->client); }

// sepa_playback_latency sets *frames to the largest latency JACK reports from the
// first output port to the sound: the periods the server and the device still hold (0
// before the port is connected). It returns -1, leaving *frames, if the server is gone.
int sepa_playback_latency(sepa_client *c, uint32_t *frames) {
	if (LOAD(&c->feed.lost)) {
		return -1;
	}
	jack_latency_range_t r = {0, 0};
	jack_port_get_latency_range(c->ports[0], JackPlaybackLatency, &r);
	*frames = r.max;
	return 0;
}

// sepa_port_playback_latency sets *frames to the playback latency of the port named
// name (where the output will be connected). It returns -1 if there is no such port or
// the server is gone.
int sepa_port_playback_latency(sepa_client *c, const char *name, uint32_t *frames) {
	if (LOAD(&c->feed.lost)) {
		return -1;
	}
	jack_port_t *p = jack_port_by_name(c->client, name);
	if (!p) {
		return -1;
	}
	jack_latency_range_t r = {0, 0};
	jack_port_get_latency_range(p, JackPlaybackLatency, &r);
	*frames = r.max;
	return 0;
}

// sepa_rt_priority is the real-time priority for the producer, one step below JACK's
// process thread, or -1 if JACK does not run real-time.
int sepa_rt_priority(sepa_client *c) {
	if (!jack_is_realtime(c->client)) {
		return -1;
	}
	int prio = jack_client_real_time_priority(c->client);
	return prio < 2 ? -1 : prio - 1;
}

// sepa_realtime gives the calling thread (the producer's, locked to its goroutine
// where the priority cannot follow it: not on Linux) that priority. It returns 0 on
// success.
int sepa_realtime(sepa_client *c) {
	int prio = sepa_rt_priority(c);
	if (prio < 0) {
		return -1;
	}
	return jack_acquire_real_time_scheduling(pthread_self(), prio);
}

void sepa_stop(sepa_client *c) { sepa_feed_stop(&c->feed); }

// sepa_close closes a live client and frees it, and returns 1. A client the server shut
// down is abandoned instead, and 0 returned: libjack deletes it itself in the next
// jack_client_open of the process (JackLibGlobals::Init), after which sepa_free may
// free its memory. Call it holding the lifecycle lock (package jacklife).
int sepa_close(sepa_client *c) {
	if (LOAD(&c->feed.lost)) {
		return 0;
	}
	jack_deactivate(c->client);
	jack_client_close(c->client);
	sepa_free(c);
	return 1;
}
