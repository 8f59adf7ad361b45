// The lock-free ring and the wake-up that the ring-fed outputs share: the native JACK
// client (jackaudio.c) and PortAudio's ring-fed stream (paring.c). A Go goroutine (the
// producer) renders into the ring ahead of time; the device's real-time callback, in C,
// copies from it and posts the wake-up. The callback never waits, locks or allocates:
// it reads two atomics, copies, writes one atomic and posts a semaphore (a futex wake
// at most, never a wait).
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
// writes at tail, the consumer reads at head; each index only grows and has one writer.
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

// sepa_ring_write (the producer) appends up to frames frames from src (channel after
// channel, stride floats apart) and returns how many fitted.
static inline uint32_t sepa_ring_write(sepa_ring *r, const float *src, uint32_t stride, uint32_t frames) {
	uint64_t tail = SEPA_LOAD(&r->tail);
	uint64_t space = r->cap - (tail - SEPA_LOAD(&r->head));
	uint32_t n = frames < space ? frames : (uint32_t)space;
	uint32_t at = (uint32_t)(tail & (r->cap - 1));
	uint32_t first = n < r->cap - at ? n : r->cap - at;
	for (int ch = 0; ch < r->channels; ch++) {
		float *d = r->buf + (size_t)ch * r->cap;
		const float *s = src + (size_t)ch * stride;
		memcpy(d + at, s, first * sizeof(float));
		memcpy(d, s + first, (n - first) * sizeof(float));
	}
	SEPA_STORE(&r->tail, tail + n);
	return n;
}

// sepa_ring_fill is the number of frames written and not yet read.
static inline uint64_t sepa_ring_fill(sepa_ring *r) { return SEPA_LOAD(&r->tail) - SEPA_LOAD(&r->head); }

// sepa_ring_played is the number of frames read so far.
static inline uint64_t sepa_ring_played(sepa_ring *r) { return SEPA_LOAD(&r->head); }

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

#endif
