package jackmidi

// splitter cuts a MIDI byte stream into complete, normalised messages, the form JACK
// requires of every event: running status expanded, real-time bytes taken out of
// whatever they interrupt, system exclusive gathered from F0 to F7 however it was cut.
// Channel messages come out of a buffer inside the splitter (no allocation); the slice
// given to emit is valid only during the call.
type splitter struct {
	emit     func(msg []byte)
	maxSysex int // longest system exclusive message kept, F0 and F7 included

	status  byte    // running status (a channel status byte), 0 if none
	msg     [3]byte // the message being gathered
	n, want int     // bytes of msg gathered, and its full length; n == 0: none under way
	one     [1]byte // a real-time message
	sysex   []byte  // the system exclusive message being gathered
	inSysex bool
	tooLong bool // the system exclusive message under way outgrew maxSysex

	dropped uint64 // stray data bytes, cut-off messages, broken or too long sysex
}

// msgLen is the full length of the message a status byte starts, or 0 for the
// undefined system common bytes F4, F5 (and for data bytes).
func msgLen(status byte) int {
	switch {
	case status >= 0xF8, status == 0xF6:
		return 1
	case status == 0xF1, status == 0xF3:
		return 2
	case status == 0xF2:
		return 3
	case status >= 0xF0:
		return 0
	case status >= 0xC0 && status < 0xE0:
		return 2
	case status >= 0x80:
		return 3
	}
	return 0
}

func (s *splitter) feed(b []byte) {
	for _, c := range b {
		s.byte(c)
	}
}

// abort drops a message cut off by a status byte.
func (s *splitter) abort() {
	if s.n > 0 {
		s.dropped++
		s.n = 0
	}
	if s.inSysex {
		s.dropped++
		s.inSysex = false
	}
}

func (s *splitter) byte(c byte) {
	switch {
	case c >= 0xF8: // real time: may come between any two bytes, even within sysex
		s.one[0] = c
		s.emit(s.one[:])
	case c == 0xF0:
		s.abort()
		s.status = 0
		s.inSysex, s.tooLong = true, false
		s.sysex = append(s.sysex[:0], c)
	case c == 0xF7:
		s.status = 0
		if !s.inSysex {
			s.abort()
			s.dropped++ // an unpaired F7: only cancels running status
			return
		}
		s.inSysex = false
		if s.tooLong || len(s.sysex) >= s.maxSysex {
			s.dropped++
			return
		}
		s.sysex = append(s.sysex, c)
		s.emit(s.sysex)
	case c >= 0x80:
		s.abort()
		if c < 0xF0 {
			s.status = c
		} else {
			s.status = 0 // system common cancels running status
		}
		s.want = msgLen(c)
		if s.want == 0 {
			s.dropped++ // F4, F5: undefined
			return
		}
		s.msg[0] = c
		s.n = 1
		if s.want == 1 {
			s.emit(s.msg[:1])
			s.n = 0
		}
	default: // a data byte
		if s.inSysex {
			if len(s.sysex) < s.maxSysex {
				s.sysex = append(s.sysex, c)
			} else {
				s.tooLong = true
			}
			return
		}
		if s.n == 0 {
			if s.status == 0 {
				s.dropped++
				return
			}
			s.msg[0] = s.status
			s.n = 1
			s.want = msgLen(s.status)
		}
		s.msg[s.n] = c
		s.n++
		if s.n == s.want {
			s.emit(s.msg[:s.n])
			s.n = 0
		}
	}
}
