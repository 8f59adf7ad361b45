//go:build !portaudiojack

package main

import "github.com/separatrix-audio/separatrix/io/audio"

// nativeJACK: play --host jack plays through the native JACK output (audio.OpenJACK)
// where the build has it. Built with -tags portaudiojack, it plays through PortAudio's
// JACK host API instead, so that the tests can judge both on a JACK server.
const nativeJACK = audio.JACKAvailable
