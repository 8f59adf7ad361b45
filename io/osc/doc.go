// Package osc lets Open Sound Control play Separatrix: TouchOSC on a tablet, Max, Pd,
// SuperCollider or oscsend set a neuron's controls and kick it, and Separatrix sends
// each neuron's spikes, rate and state back.
//
// It speaks OSC 1.0 over UDP with its own codec (codec.go), a receiver and a sender
// (udp.go), and pure functions that turn messages into engine actions and engine
// output into messages (route.go).
//
// # Addresses
//
// NEURON is a neuron's name in the patch ("a", "b"), CONTROL one of its controls: current,
// gain, pan, noise, pulses, interval, or a parameter of its model (gK, tau, ...: the
// names a patch's [neuron.params] takes). Names are case-sensitive. Wildcards
// (* ? [ ] { }) are not expanded, and there is no "all".
//
// Into Separatrix (to the port it listens on; i is taken wherever f is):
//
//	address                                 args   what it does
//	/separatrix/NEURON/CONTROL              f      sets CONTROL to the value, in its own unit
//	                                               (µA/cm² for current, ms for interval ...);
//	                                               outside its range: the nearest end
//	/separatrix/NEURON/CONTROL/normalized   f      sets CONTROL from 0..1 over its whole range
//	                                               (a TouchOSC fader's default): 0 the low
//	                                               end, 1 the high end
//	/separatrix/NEURON/kick                 [f]    kicks NEURON as the patch's kick keys do:
//	                                               1 (or no argument) the strongest kick,
//	                                               0.01 the weakest, -1..0 the patch's
//	                                               negative kick, 0 nothing (a push button's
//	                                               release)
//	/separatrix/program                     i      switches to patch number i, from 0 (as a
//	                                               MIDI program change), when several play
//
// Out of Separatrix (to the host and port it sends to):
//
//	/separatrix/NEURON/spike                       one per spike (no arguments)
//	/separatrix/NEURON/rate                 f      firing rate, spikes a second of sound
//	                                               (a population's: per member)
//	/separatrix/NEURON/state                f f    membrane voltage (mV), recovery variable
//	                                               (the model's last: n, w; n for HH)
//	/separatrix/NEURON/CONTROL              f      a control's value, sent when it changes,
//	                                               so a TouchOSC layout stays in step
//	/separatrix/NEURON/CONTROL/normalized   f      the same, 0..1 over the control's range
//
// Trying it from a shell (liblo's tools, Debian package liblo-tools):
//
//	oscsend localhost 9000 /separatrix/a/current f 10
//	oscsend localhost 9000 /separatrix/a/gK/normalized f 0.5
//	oscsend localhost 9000 /separatrix/a/kick f 1
//	oscdump 9001
//
// # Network
//
// A receiver given a bare port ("9000") listens on 127.0.0.1: only programs on the same
// computer reach it. A tablet on the network needs the address written out,
// "0.0.0.0:9000", and then anybody on that network can play the instrument: in a
// museum, put the computer and the tablet on a network of their own.
//
// # What is refused
//
// Each datagram is one packet: a message or a bundle. Bundles may nest MaxDepth deep;
// their timetags are ignored (everything acts at once). Arguments are i, f, s, T and F;
// a message with any other type (a blob, a double, a 64-bit integer) is malformed.
// Packets are at most MaxPacket bytes, messages carry at most MaxArgs arguments and
// addresses are at most MaxAddress bytes. A packet with any fault is dropped whole,
// bundles included (nothing in it acts), and counted (Receiver.Stats); a technician can
// log the reason with OnMalformed. A well-formed message Route cannot use (an unknown
// neuron, a string where a number belongs, NaN) is the caller's to count or log:
// Route's error says what is wrong and what would be right.
//
// # Real time
//
// Nothing here runs in the audio callback. The receiver's goroutine calls the handler,
// which routes the message and pushes the event into the engine's ring without
// waiting; the sender is fed from a goroutine that drains the engine's spike ring.
// Decoding does not allocate once the receiver has seen the addresses in use
// (Parser), encoding does not allocate when the buffer has room (AppendMessage and the
// Append builders), and Route makes one small string per message.
package osc
