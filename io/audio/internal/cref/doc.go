// Package cref plays silence to JACK through PortAudio with a callback written in C, so
// that no Go code runs on its audio thread. Tests of package audio use it as the
// reference that tells the machine's own xruns (a busy or virtual machine wakes even a
// C client late now and then) from xruns that Go code causes.
//
// It needs cgo; without it, the package is empty.
package cref
