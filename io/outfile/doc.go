// Package outfile writes a command's output files so that no work is lost: not the
// inputs, not an earlier take, not a device, not a link.
//
// # Declare, check, write, commit
//
// A command declares the files it reads and those it writes, checks the set before it
// writes anything, creates the outputs, writes them, and commits them when all went
// well:
//
//	var files outfile.Files
//	files.Input("the patch file", "mine.toml")
//	files.Input("--score", "take.mid")
//	audio := files.Output("-o", "out.wav")
//	notes := files.Output("--midi", "out.mid")
//	if err := files.Check(); err != nil { ... } // "-o take.mid would overwrite --score take.mid, ..."
//	defer files.Abort()                        // a failure leaves every target as it was
//	f, err := audio.Create()
//	...
//	err = files.Commit()
//
// Check refuses an output that is one of the inputs or another output, comparing file
// identity (os.SameFile: hard links, bind mounts) and the resolved path (every symbolic
// link followed, also for a file not yet created behind a linked directory), never the
// strings as written. It refuses directories, block devices, sockets and files their
// owner made read-only. The null device may be named any number of times.
//
// # Where the bytes go
//
// A regular file, or a path where nothing exists yet, is written to a temporary file
// beside its target, ".NAME.PID.tmp", flushed to disk and renamed over the target at
// Commit: readers see the old file or the complete new one, and a crash or kill -9
// leaves the old file intact. The target is the file a symbolic link leads to, so the
// link stays a link and points at the new content. The new file keeps the old one's mode
// (and owner, when the process may set it).
//
// A character device (/dev/null, a terminal) or a FIFO is written in place: it is never
// replaced by a regular file. A FIFO that nobody reads is an error at once ("nobody is
// reading FIFO x"), never a hang. Seek fails on a FIFO or a terminal; File.Seekable
// says so, and a writer whose format has a header to patch at the end must then write a
// stream (see wav.NewStreamWriter).
//
// # Signals
//
// While a set has temporary files, SIGINT, SIGTERM and SIGHUP remove them and then take
// their usual course (the program dies of the signal). A command that wants to stop its
// work and say so calls Interruptible: the first signal cancels a context instead, with
// an *Interrupted as its cause, and the command aborts (or commits) and reports; a
// second signal removes the files and ends the program. Signals that the program was
// started with ignored (nohup) stay ignored. kill -9 cannot be caught: it leaves the
// temporary file, and the target untouched.
//
// Create and WriteFile write one file on its own, without inputs to compare with;
// WriteFile removes its temporary file on a signal, Create leaves signals to its caller
// (a recording stopped by Ctrl-C is kept by calling Commit).
package outfile
