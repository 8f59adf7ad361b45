// Package infile opens the files a command reads (a patch, a MIDI score) so that no
// input can hang it: regular files and pipes only.
//
// A device (a link to /dev/zero, a terminal), a directory or a socket is refused before
// it is opened, with a message that says what it is and what to give instead. A named
// pipe is opened without waiting for a writer: one that nobody writes to reads as empty
// at once (EmptyPipe), never as a hang, while `play <(generate-patch)` and other pipes
// with a writer read as usual. The caller bounds how much it reads (io.LimitReader):
// a pipe has no size to check beforehand.
//
// Package outfile is its counterpart for what a command writes.
package infile
