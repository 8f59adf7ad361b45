//go:build cgo

package cref

/*
#cgo pkg-config: portaudio-2.0
#include <portaudio.h>
#include <stdatomic.h>
#include <string.h>

static atomic_long calls, xruns;

static int callback(const void *in, void *out, unsigned long frames,
		const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags, void *user) {
	float **ch = (float **)out;
	int channels = *(int *)user;
	for (int c = 0; c < channels; c++) memset(ch[c], 0, frames * sizeof(float));
	atomic_fetch_add(&calls, 1);
	if (flags & (paOutputUnderflow | paOutputOverflow)) atomic_fetch_add(&xruns, 1);
	return paContinue;
}

static int channels = 2;
static PaStream *stream;

// ref_open opens the JACK host API's default output device.
static PaError ref_open(double rate, unsigned long frames) {
	PaHostApiIndex h = Pa_HostApiTypeIdToHostApiIndex(paJACK);
	if (h < 0) return h;
	const PaHostApiInfo *info = Pa_GetHostApiInfo(h);
	if (info == NULL || info->defaultOutputDevice < 0) return paDeviceUnavailable;
	PaStreamParameters p;
	memset(&p, 0, sizeof p);
	p.device = info->defaultOutputDevice;
	p.channelCount = channels;
	p.sampleFormat = paFloat32 | paNonInterleaved;
	p.suggestedLatency = 2.0 * frames / rate;
	atomic_store(&calls, 0);
	atomic_store(&xruns, 0);
	return Pa_OpenStream(&stream, NULL, &p, rate, frames, paNoFlag, callback, &channels);
}

static long get_calls(void) { return atomic_load(&calls); }
static long get_xruns(void) { return atomic_load(&xruns); }
static PaError ref_start(void) { return Pa_StartStream(stream); }
static PaError stop_and_close(void) {
	PaError err = Pa_StopStream(stream);
	PaError err2 = Pa_CloseStream(stream);
	stream = NULL;
	return err != paNoError ? err : err2;
}
*/
import "C"

import (
	"fmt"
	"time"
)

// Run plays silence on JACK's default output device for d, at rate Hz in buffers of
// frames, and returns how many callbacks there were and how many PortAudio flagged as
// xruns. A JACK server must have been running when PortAudio was initialised. Run must
// not be called from two goroutines at once.
func Run(d time.Duration, rate float64, frames int) (calls, xruns int64, err error) {
	if e := C.Pa_Initialize(); e != C.paNoError {
		return 0, 0, paError("initialising PortAudio", e)
	}
	defer C.Pa_Terminate()
	if e := C.ref_open(C.double(rate), C.ulong(frames)); e != C.paNoError {
		return 0, 0, paError("opening JACK", e)
	}
	if e := C.ref_start(); e != C.paNoError {
		C.stop_and_close()
		return 0, 0, paError("starting the stream", e)
	}
	time.Sleep(d)
	calls, xruns = int64(C.get_calls()), int64(C.get_xruns())
	if e := C.stop_and_close(); e != C.paNoError {
		return calls, xruns, paError("stopping the stream", e)
	}
	return calls, xruns, nil
}

func paError(what string, e C.PaError) error {
	return fmt.Errorf("cref: %s: %s", what, C.GoString(C.Pa_GetErrorText(e)))
}
