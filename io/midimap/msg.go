package midimap

import "fmt"

// Status nibbles of the channel messages this package reads or writes.
const (
	statusNoteOff       = 0x80
	statusNoteOn        = 0x90
	statusControlChange = 0xB0
	statusPitchBend     = 0xE0
)

// Channel-mode controllers that silence a receiver.
const (
	ccAllSoundOff = 120
	ccAllNotesOff = 123
	// Controllers 120..127 are channel-mode messages, not controllers a CCMap may bind.
	firstModeCC = 120
)

// NoteOn returns a note-on on channel ch (1..16). It panics if an argument is out of
// range; velocity 0 is allowed (it means note-off).
func NoteOn(ch, note, vel int) Msg {
	checkMsg("NoteOn", ch, note, vel)
	return Msg{statusNoteOn | byte(ch-1), byte(note), byte(vel)}
}

// NoteOff returns a note-off on channel ch (1..16) with release velocity 64, the value
// the MIDI specification asks of senders without release velocity. It panics if an
// argument is out of range.
func NoteOff(ch, note int) Msg {
	checkMsg("NoteOff", ch, note, 64)
	return Msg{statusNoteOff | byte(ch-1), byte(note), 64}
}

// ControlChange returns controller cc set to value on channel ch (1..16). It panics if
// an argument is out of range.
func ControlChange(ch, cc, value int) Msg {
	checkMsg("ControlChange", ch, cc, value)
	return Msg{statusControlChange | byte(ch-1), byte(cc), byte(value)}
}

func checkMsg(fn string, ch, d1, d2 int) {
	if ch < 1 || ch > 16 || d1 < 0 || d1 > 127 || d2 < 0 || d2 > 127 {
		panic(fmt.Sprintf("midimap: %s(%d, %d, %d) out of range", fn, ch, d1, d2))
	}
}

// Channel returns the message's channel, 1..16, or 0 if it is not a channel message.
func (m Msg) Channel() int {
	if m.Status < 0x80 || m.Status >= 0xF0 {
		return 0
	}
	return int(m.Status&0x0F) + 1
}

// String formats the message for logs and tests, e.g. "note-on ch=1 key=60 vel=100".
func (m Msg) String() string {
	ch := m.Channel()
	switch {
	case ch == 0 || m.Data1 > 127 || m.Data2 > 127:
		return fmt.Sprintf("msg %02X %02X %02X", m.Status, m.Data1, m.Data2)
	case m.Status&0xF0 == statusNoteOff:
		return fmt.Sprintf("note-off ch=%d key=%d vel=%d", ch, m.Data1, m.Data2)
	case m.Status&0xF0 == statusNoteOn:
		return fmt.Sprintf("note-on ch=%d key=%d vel=%d", ch, m.Data1, m.Data2)
	case m.Status&0xF0 == statusControlChange:
		return fmt.Sprintf("cc ch=%d ctl=%d val=%d", ch, m.Data1, m.Data2)
	}
	return fmt.Sprintf("msg %02X %02X %02X", m.Status, m.Data1, m.Data2)
}

// String formats the message with its frame, e.g. "@480 note-on ch=1 key=60 vel=100".
func (t Timed) String() string {
	return fmt.Sprintf("@%d %v", t.Frame, t.Msg)
}
