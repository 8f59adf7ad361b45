//go:build cgo && ((linux && !nojack) || jack)

// The C half of package jackmidi. sep_process runs on JACK's real-time thread: it
// touches only JACK port buffers, ring buffers and atomics, takes no lock it could wait
// on (a trylock at most), allocates nothing, and never calls into Go.

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jackmidi.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

static void sep_silent(const char *msg) { (void)msg; }

// sep_quiet stops libjack printing its own errors and notices on stderr; the Go side
// turns failures into errors of its own.
void sep_quiet(void) {
	jack_set_error_function(sep_silent);
	jack_set_info_function(sep_silent);
}

static void sep_signal(sep_client *c) {
	// The canonical JACK pattern (capture_client.c): never wait for the lock. A lost
	// wake-up is retried next cycle, since pending stays set until sep_wait sees it.
	if (pthread_mutex_trylock(&c->lock) == 0) {
		pthread_cond_signal(&c->cond);
		pthread_mutex_unlock(&c->lock);
	}
}

static int sep_process(jack_nframes_t nframes, void *arg) {
	sep_client *c = arg;
	int got = 0;
	STORE(&c->busy, 1);
	// Input events were produced during the previous period; stamping them on that
	// period's timeline keeps every stamp in the past.
	jack_nframes_t base = jack_last_frame_time(c->client) - nframes;
	for (int i = 0; i < SEP_MAX_PORTS; i++) {
		sep_port *p = LOAD(&c->ports[i]);
		if (!p) {
			continue;
		}
		void *buf = jack_port_get_buffer(p->port, nframes);
		if (!buf) {
			continue;
		}
		if (p->input) {
			uint32_t n = jack_midi_get_event_count(buf);
			for (uint32_t j = 0; j < n; j++) {
				jack_midi_event_t ev;
				if (jack_midi_event_get(&ev, buf, j) != 0 || ev.size == 0) {
					continue;
				}
				sep_hdr h = {base + ev.time, (uint32_t)ev.size};
				if (jack_ringbuffer_write_space(p->rb) < sizeof h + ev.size) {
					__atomic_add_fetch(&p->dropped, 1, __ATOMIC_RELAXED);
					continue;
				}
				jack_ringbuffer_write(p->rb, (const char *)&h, sizeof h);
				jack_ringbuffer_write(p->rb, (const char *)ev.buffer, ev.size);
				got = 1;
			}
		} else {
			jack_midi_clear_buffer(buf);
			int written = 0;
			for (;;) {
				sep_hdr h;
				size_t avail = jack_ringbuffer_read_space(p->rb);
				if (avail < sizeof h) {
					break;
				}
				jack_ringbuffer_peek(p->rb, (char *)&h, sizeof h);
				if (avail < sizeof h + h.size) {
					break; // the writer is half way through this event
				}
				jack_midi_data_t *dst = jack_midi_event_reserve(buf, 0, h.size);
				if (!dst) {
					if (written) {
						break; // the JACK buffer is full: the rest waits a cycle
					}
					// Larger than an empty JACK buffer: it would never fit.
					jack_ringbuffer_read_advance(p->rb, sizeof h + h.size);
					__atomic_add_fetch(&p->dropped, 1, __ATOMIC_RELAXED);
					continue;
				}
				jack_ringbuffer_read_advance(p->rb, sizeof h);
				jack_ringbuffer_read(p->rb, (char *)dst, h.size);
				written++;
			}
		}
	}
	__atomic_add_fetch(&c->cycles, 1, __ATOMIC_SEQ_CST);
	STORE(&c->busy, 0);
	if (got) {
		STORE(&c->pending, 1);
	}
	if (LOAD(&c->pending)) {
		sep_signal(c);
	}
	return 0;
}

static void sep_shutdown(jack_status_t code, const char *reason, void *arg) {
	(void)code;
	(void)reason;
	sep_client *c = arg;
	// Async-signal-safe only: the waiter notices within its time-out.
	STORE(&c->dead, 1);
}

// sep_open opens and activates a client. On failure it returns NULL with the JACK
// status in *status, or -1 if the client opened but could not be activated.
sep_client *sep_open(const char *name, const char *server, int *status) {
	jack_status_t st = 0;
	jack_client_t *jc;
	if (server) {
		jc = jack_client_open(name, JackNoStartServer | JackServerName, &st, server);
	} else {
		jc = jack_client_open(name, JackNoStartServer, &st);
	}
	*status = (int)st;
	if (!jc) {
		return NULL;
	}
	sep_client *c = calloc(1, sizeof *c);
	if (!c) {
		jack_client_close(jc);
		*status = -1;
		return NULL;
	}
	c->client = jc;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	jack_set_process_callback(jc, sep_process, c);
	jack_on_info_shutdown(jc, sep_shutdown, c);
	if (jack_activate(jc) != 0) {
		jack_client_close(jc);
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
		free(c);
		*status = -1;
		return NULL;
	}
	return c;
}

// sep_close closes the client; the ports' memory is freed separately (sep_port_free
// with unregister 0), after this returns and the process callback can no longer run.
void sep_close(sep_client *c) {
	if (!LOAD(&c->dead)) {
		jack_deactivate(c->client);
	}
	jack_client_close(c->client);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

// sep_wait blocks until input arrives, sep_stop is called, the client dies, or ms
// milliseconds pass. It returns 1 after sep_stop, 2 if the client is dead, else 0.
int sep_wait(sep_client *c, int ms) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&c->lock);
	while (!LOAD(&c->pending) && !LOAD(&c->stop) && !LOAD(&c->dead)) {
		if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT) {
			break;
		}
	}
	STORE(&c->pending, 0);
	pthread_mutex_unlock(&c->lock);
	if (LOAD(&c->stop)) {
		return 1;
	}
	return LOAD(&c->dead) ? 2 : 0;
}

void sep_stop(sep_client *c) {
	STORE(&c->stop, 1);
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

int sep_dead(sep_client *c) { return LOAD(&c->dead); }

sep_port *sep_port_new(sep_client *c, const char *short_name, int input, size_t rbsize) {
	sep_port *p = calloc(1, sizeof *p);
	if (!p) {
		return NULL;
	}
	p->rb = jack_ringbuffer_create(rbsize);
	if (!p->rb) {
		free(p);
		return NULL;
	}
	jack_ringbuffer_mlock(p->rb); // best effort: a page fault in the callback is a glitch, not a failure
	p->input = input;
	p->port = jack_port_register(c->client, short_name, JACK_DEFAULT_MIDI_TYPE,
	                             input ? JackPortIsInput : JackPortIsOutput, 0);
	if (!p->port) {
		jack_ringbuffer_free(p->rb);
		free(p);
		return NULL;
	}
	return p;
}

// sep_publish hands a port to the process callback.
void sep_publish(sep_client *c, int slot, sep_port *p) { STORE(&c->ports[slot], p); }

// sep_unpublish takes a port away from the process callback and waits until the
// callback cannot be using it any more. It returns 1 when the port may be freed, or 0
// if the callback seemed stuck for a second (the port must then be leaked).
int sep_unpublish(sep_client *c, int slot) {
	STORE(&c->ports[slot], NULL);
	// A cycle that set busy before our store may still hold the old pointer; one that
	// sets it after will load NULL. Wait for the cycle under way, if any, to end.
	uint64_t cyc = LOAD(&c->cycles);
	if (!LOAD(&c->busy)) {
		return 1;
	}
	struct timespec ms = {0, 1000000L};
	for (int i = 0; i < 1000; i++) {
		if (LOAD(&c->cycles) != cyc || !LOAD(&c->busy)) {
			return 1;
		}
		nanosleep(&ms, NULL);
	}
	return 0;
}

void sep_port_free(sep_client *c, sep_port *p, int unregister) {
	if (unregister) {
		jack_port_unregister(c->client, p->port);
	}
	jack_ringbuffer_free(p->rb);
	free(p);
}

// sep_read pops one event from an input port's ring into dst. Its size is 0 if there
// is none (or it is still being written), or -1 if it was larger than cap (it is
// skipped).
sep_event sep_read(sep_port *p, unsigned char *dst, size_t cap) {
	sep_event e = {0, 0};
	sep_hdr h;
	size_t avail = jack_ringbuffer_read_space(p->rb);
	if (avail < sizeof h) {
		return e;
	}
	jack_ringbuffer_peek(p->rb, (char *)&h, sizeof h);
	if (avail < sizeof h + h.size) {
		return e;
	}
	jack_ringbuffer_read_advance(p->rb, sizeof h);
	if (h.size > cap) {
		jack_ringbuffer_read_advance(p->rb, h.size);
		e.size = -1;
		return e;
	}
	jack_ringbuffer_read(p->rb, (char *)dst, h.size);
	e.size = (long)h.size;
	e.frame = h.frame;
	return e;
}

// sep_write queues one complete event on an output port: all of it, or nothing (-1)
// when the ring is full.
int sep_write(sep_port *p, const unsigned char *src, size_t n) {
	sep_hdr h = {0, (uint32_t)n};
	if (jack_ringbuffer_write_space(p->rb) < sizeof h + n) {
		__atomic_add_fetch(&p->dropped, 1, __ATOMIC_RELAXED);
		return -1;
	}
	jack_ringbuffer_write(p->rb, (const char *)&h, sizeof h);
	jack_ringbuffer_write(p->rb, (const char *)src, n);
	return 0;
}

uint64_t sep_dropped(sep_port *p) { return __atomic_load_n(&p->dropped, __ATOMIC_RELAXED); }

// sep_list lists the MIDI ports that are outputs (outputs != 0) or inputs; free the
// result with jack_free.
const char **sep_list(sep_client *c, int outputs) {
	return jack_get_ports(c->client, NULL, JACK_DEFAULT_MIDI_TYPE,
	                      outputs ? JackPortIsOutput : JackPortIsInput);
}
