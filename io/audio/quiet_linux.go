//go:build cgo

package audio

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>

// ALSA's error handler type is variadic; a handler that ignores its arguments is fine.
static void quietALSA(const char *file, int line, const char *function, int err, const char *fmt, ...) {}
static void quietJACK(const char *msg) {}

typedef void (*alsaHandler)(const char *, int, const char *, int, const char *, ...);
typedef int (*alsaSetHandler)(alsaHandler);
typedef void (*jackSetFunction)(void (*)(const char *));

// lookup finds a symbol in the libraries already loaded (PortAudio links libasound and
// libjack), or else in lib, which it then keeps loaded so a PortAudio that opens it
// later shares this copy and its settings.
static void *lookup(const char *lib, const char *name) {
	void *p = dlsym(RTLD_DEFAULT, name);
	if (p != NULL) return p;
	void *h = dlopen(lib, RTLD_LAZY | RTLD_GLOBAL);
	return h != NULL ? dlsym(h, name) : NULL;
}

// silence installs the no-op handlers and returns a bit set of what it silenced:
// 1 ALSA, 2 JACK errors, 4 JACK information.
static int silence(void) {
	int done = 0;
	alsaSetHandler a = (alsaSetHandler)lookup("libasound.so.2", "snd_lib_error_set_handler");
	if (a != NULL && a(quietALSA) == 0) done |= 1;
	jackSetFunction je = (jackSetFunction)lookup("libjack.so.0", "jack_set_error_function");
	if (je != NULL) { je(quietJACK); done |= 2; }
	jackSetFunction ji = (jackSetFunction)lookup("libjack.so.0", "jack_set_info_function");
	if (ji != NULL) { ji(quietJACK); done |= 4; }
	return done;
}
*/
import "C"

// silenceLibraries stops ALSA and JACK from printing on stderr: with no sound card ALSA
// prints some 60 lines when PortAudio scans it, and JACK 5 when no server runs. Their
// errors reach the program through PortAudio's return values instead. The handlers are
// found at run time, so a PortAudio built without ALSA or JACK needs neither library.
func silenceLibraries() int { return int(C.silence()) }
