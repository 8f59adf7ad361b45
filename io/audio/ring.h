// The lock-free ring and the wake-up that the ring-fed outputs share: the native JACK
// client (jackaudio.c) and PortAudio's ring-fed stream (paring.c). A Go goroutine (the
// producer, feed.go) renders into the ring ahead of time; the device's real-time
// callback, in C, copies from it and posts the wake-up. The callback never waits, locks
// or allocates: it reads two atomics, copies, writes two atomics and posts a semaphore
// (a futex wake at most, never a wait).
//
// Everything here is static inline: each C file of the package includes it, and cgo
// compiles them together into one package.

#ifndef SEPARATRIX_RING_H
#define SEPARATRIX_RING_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEPA_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define SEPA_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define SEPA_ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)

// SEPA_MAX_CHANNELS is the most channels one ring (and one stream) carries.
#define SEPA_MAX_CHANNELS 8

// sepa_ring is a single-producer, single-consumer ring of non-interleaved float
// frames: cap frames per channel (a power of two), channel after channel. The producer
// (Go, feed.go: it renders straight into buf) writes at tail, the consumer (the
// callback) reads at head; each index only grows and has one writer.
typedef struct {
	float *buf;
	uint32_t cap;
	int channels;
	uint64_t head; // atomic: frames read (played)
	uint64_t tail; // atomic: frames written
} sepa_ring;

// sepa_ring_init allocates a ring of cap frames (a power of two) per channel, silent.
// It returns 0 on success.
static inline int sepa_ring_init(sepa_ring *r, int channels, uint32_t cap) {
	memset(r, 0, sizeof *r);
	if (channels < 1 || channels > SEPA_MAX_CHANNELS || cap == 0 || (cap & (cap - 1)) != 0) {
		return -1;
	}
	r->buf = calloc((size_t)channels * cap, sizeof(float));
	if (!r->buf) {
		return -1;
	}
	r->cap = cap;
	r->channels = channels;
	return 0;
}

static inline void sepa_ring_free(sepa_ring *r) {
	free(r->buf);
	r->buf = NULL;
}

// sepa_ring_read (the consumer) copies up to n frames into dst[0..channels-1] (a NULL
// destination is skipped), fills the rest of each with silence, and returns how many
// frames came from the ring: fewer than n means the producer was late.
static inline uint32_t sepa_ring_read(sepa_ring *r, float *const *dst, uint32_t n) {
	uint64_t head = SEPA_LOAD(&r->head);
	uint64_t avail = SEPA_LOAD(&r->tail) - head;
	uint32_t take = avail < n ? (uint32_t)avail : n;
	uint32_t at = (uint32_t)(head & (r->cap - 1));
	uint32_t first = take < r->cap - at ? take : r->cap - at; // frames before the wrap
	for (int ch = 0; ch < r->channels; ch++) {
		float *d = dst[ch];
		if (!d) {
			continue;
		}
		const float *src = r->buf + (size_t)ch * r->cap;
		memcpy(d, src + at, first * sizeof(float));
		memcpy(d + first, src, (take - first) * sizeof(float));
		memset(d + take, 0, (n - take) * sizeof(float));
	}
	SEPA_STORE(&r->head, head + take);
	return take;
}

// sepa_wake is a counting semaphore the callback posts and the producer waits on:
// POSIX's unnamed semaphore where there is one, dispatch's on macOS (which has no
// unnamed POSIX semaphores), a kernel semaphore on Windows. Posting never blocks.
// sepa_wake_wait returns after a post or ms milliseconds; posts that piled up while the
// producer was busy say nothing new and are taken too.
#if defined(__APPLE__)
#include <dispatch/dispatch.h>
typedef struct {
	dispatch_semaphore_t s;
} sepa_wake;
static inline int sepa_wake_init(sepa_wake *w) {
	w->s = dispatch_semaphore_create(0);
	return w->s ? 0 : -1;
}
static inline void sepa_wake_post(sepa_wake *w) { dispatch_semaphore_signal(w->s); }
static inline void sepa_wake_wait(sepa_wake *w, int ms) {
	dispatch_semaphore_wait(w->s, dispatch_time(DISPATCH_TIME_NOW, (int64_t)ms * 1000000));
	while (dispatch_semaphore_wait(w->s, DISPATCH_TIME_NOW) == 0) {
	}
}
static inline void sepa_wake_destroy(sepa_wake *w) { dispatch_release(w->s); }
#elif defined(_WIN32)
#include <windows.h>
typedef struct {
	HANDLE h;
} sepa_wake;
static inline int sepa_wake_init(sepa_wake *w) {
	w->h = CreateSemaphoreA(NULL, 0, 0x7fffffff, NULL);
	return w->h ? 0 : -1;
}
static inline void sepa_wake_post(sepa_wake *w) { ReleaseSemaphore(w->h, 1, NULL); }
static inline void sepa_wake_wait(sepa_wake *w, int ms) {
	WaitForSingleObject(w->h, (DWORD)ms);
	while (WaitForSingleObject(w->h, 0) == WAIT_OBJECT_0) {
	}
}
static inline void sepa_wake_destroy(sepa_wake *w) { CloseHandle(w->h); }
#else
#include <errno.h>
#include <semaphore.h>
#include <time.h>
typedef struct {
	sem_t s;
} sepa_wake;
static inline int sepa_wake_init(sepa_wake *w) { return sem_init(&w->s, 0, 0); }
static inline void sepa_wake_post(sepa_wake *w) { sem_post(&w->s); }
static inline void sepa_wake_wait(sepa_wake *w, int ms) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	while (sem_timedwait(&w->s, &ts) != 0 && errno == EINTR) {
	}
	while (sem_trywait(&w->s) == 0) {
	}
}
static inline void sepa_wake_destroy(sepa_wake *w) { sem_destroy(&w->s); }
#endif

// sepa_feed is the ring with everything the producer and the callback share: the
// wake-up, the period, the underruns and the flags that end the producer. Both
// outputs embed one; the Go producer (feed.go) reads its fields directly, with atomics,
// and calls C only to wait.
typedef struct {
	sepa_ring ring;
	sepa_wake wake;
	uint64_t callbacks; // atomic: the callback's calls
	uint64_t underruns; // atomic: callbacks that found less than they asked for (while running)
	uint64_t xruns;     // atomic: xruns the device reported (the output adds them)
	uint32_t period;    // atomic: frames the last callback asked for (JACK: its buffer size)
	int32_t running;    // atomic: count underruns (not before the first fill, not after stop)
	int32_t stop;       // atomic: the producer returns
	int32_t lost;       // atomic: the device is gone (the JACK server shut the client down)
} sepa_feed;

// sepa_feed_init makes the ring (cap frames per channel, a power of two) and the
// wake-up; it returns 0 on success, and leaves nothing to free on failure.
static inline int sepa_feed_init(sepa_feed *f, int channels, uint32_t cap, uint32_t period) {
	memset(f, 0, sizeof *f);
	if (sepa_ring_init(&f->ring, channels, cap) != 0) {
		return -1;
	}
	if (sepa_wake_init(&f->wake) != 0) {
		sepa_ring_free(&f->ring);
		return -1;
	}
	f->period = period;
	return 0;
}

static inline void sepa_feed_free(sepa_feed *f) {
	sepa_wake_destroy(&f->wake);
	sepa_ring_free(&f->ring);
}

// sepa_feed_play is the callback's whole part: copy n frames out (silence for what
// the ring lacks, counted while running) and wake the producer.
static inline void sepa_feed_play(sepa_feed *f, float *const *dst, uint32_t n) {
	uint32_t take = sepa_ring_read(&f->ring, dst, n);
	SEPA_STORE(&f->period, n);
	if (take < n && SEPA_LOAD(&f->running)) {
		SEPA_ADD(&f->underruns, 1);
	}
	SEPA_ADD(&f->callbacks, 1);
	sepa_wake_post(&f->wake);
}

// sepa_feed_stop ends the producer (it returns within a render); the ring runs dry
// from now on, which is no underrun.
static inline void sepa_feed_stop(sepa_feed *f) {
	SEPA_STORE(&f->running, 0);
	SEPA_STORE(&f->stop, 1);
	sepa_wake_post(&f->wake);
}

// sepa_feed_lose tells the producer the device is gone (async-signal-safe: an atomic
// store and sem_post).
static inline void sepa_feed_lose(sepa_feed *f) {
	SEPA_STORE(&f->lost, 1);
	sepa_wake_post(&f->wake);
}

#endif
