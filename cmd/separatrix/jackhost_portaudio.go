//go:build portaudiojack

package main

// nativeJACK is false in a build with -tags portaudiojack: play --host jack plays
// through PortAudio's JACK host API, as it does for every other host.
const nativeJACK = false
