// The C half of package jackmidi: a JACK client whose process callback moves MIDI
// events between JACK port buffers and lock-free ring buffers, and never calls Go.

#ifndef SEPARATRIX_JACKMIDI_H
#define SEPARATRIX_JACKMIDI_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>

// SEP_MAX_PORTS is how many ports one client can have open at once.
#define SEP_MAX_PORTS 64

// sep_hdr precedes each event in a ring buffer.
typedef struct {
	uint32_t frame; // input: JACK frame time of the event; output: unused
	uint32_t size;  // bytes of MIDI data that follow
} sep_hdr;

typedef struct {
	jack_port_t *port;
	jack_ringbuffer_t *rb;
	int input;
	uint64_t dropped; // atomic: events lost to a full ring or a full JACK buffer
} sep_port;

typedef struct {
	jack_client_t *client;
	sep_port *ports[SEP_MAX_PORTS]; // atomic pointers, read by the process callback
	int busy;                       // atomic: the process callback is between its loads and its end
	uint64_t cycles;                // atomic: process cycles completed
	int dead;                       // atomic: the server shut the client down
	int stop;                       // atomic: sep_wait returns at once
	int pending;                    // atomic: input arrived since sep_wait last returned
	pthread_mutex_t lock;
	pthread_cond_t cond;
} sep_client;

void sep_quiet(void);
sep_client *sep_open(const char *name, const char *server, int *status);
void sep_close(sep_client *c);
int sep_wait(sep_client *c, int ms);
void sep_stop(sep_client *c);
int sep_dead(sep_client *c);
sep_port *sep_port_new(sep_client *c, const char *short_name, int input, size_t rbsize);
void sep_publish(sep_client *c, int slot, sep_port *p);
int sep_unpublish(sep_client *c, int slot);
void sep_port_free(sep_client *c, sep_port *p, int unregister);
// sep_event is what sep_read returns (by value: a pointer to a Go variable would make
// it escape, an allocation per event).
typedef struct {
	long size;
	uint32_t frame;
} sep_event;

sep_event sep_read(sep_port *p, unsigned char *dst, size_t cap);
int sep_write(sep_port *p, const unsigned char *src, size_t n);
uint64_t sep_dropped(sep_port *p);
const char **sep_list(sep_client *c, int outputs);

#endif
