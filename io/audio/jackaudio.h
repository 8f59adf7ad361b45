// The C half of the native JACK output (jack.go): a JACK client whose process callback
// copies finished audio from a lock-free ring into its ports and never calls Go.

#ifndef SEPARATRIX_JACKAUDIO_H
#define SEPARATRIX_JACKAUDIO_H

#include <stddef.h>
#include <stdint.h>
#include <jack/jack.h>
#include <jack/thread.h>

#include "ring.h"

typedef struct {
	jack_client_t *client;
	int channels;
	jack_port_t *ports[SEPA_MAX_CHANNELS];

	// The ring, its wake-up and the producer's flags (ring.h): the producer (Go, feed.go)
	// writes, the process callback reads.
	// Its xruns are those JACK reports, anywhere in the graph.
	sepa_feed feed;
} sepa_client;

void sepa_quiet(void);
sepa_client *sepa_open(const char *name, int channels, uint32_t cap, int *status);
int sepa_activate(sepa_client *c);
int sepa_connect(sepa_client *c, int channel, const char *dest);
const char *sepa_port_name(sepa_client *c, int channel);
const char **sepa_playback_ports(sepa_client *c, int physical);
uint32_t sepa_period(sepa_client *c);
jack_nframes_t sepa_rate(sepa_client *c);
int sepa_playback_latency(sepa_client *c, uint32_t *frames);
int sepa_port_playback_latency(sepa_client *c, const char *name, uint32_t *frames);
int sepa_rt_priority(sepa_client *c);
int sepa_realtime(sepa_client *c);
void sepa_stop(sepa_client *c);
int sepa_close(sepa_client *c);
void sepa_free(sepa_client *c);

#endif
