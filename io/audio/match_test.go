package audio

import (
	"errors"
	"strings"
	"testing"
)

// A machine with ALSA, PulseAudio-style ALSA devices, JACK and an empty OSS.
var fakeHosts = []HostAPI{
	{Name: "ALSA", Devices: []Device{
		{Name: "HDA Intel PCH: ALC3246 Analog (hw:0,0)", MaxOutputChannels: 2},
		{Name: "HDA Intel PCH: HDMI 0 (hw:0,3)", MaxOutputChannels: 8},
		{Name: "sysdefault", MaxOutputChannels: 128},
		{Name: "pulse", MaxOutputChannels: 32},
		{Name: "default", MaxOutputChannels: 32, Default: true},
	}},
	{Name: "OSS"},
	{Name: "JACK Audio Connection Kit", Default: true, Devices: []Device{
		{Name: "system", MaxOutputChannels: 2, Default: true},
		{Name: "Built-in Analog", MaxOutputChannels: 2},
	}},
}

func TestSelectDevice(t *testing.T) {
	for _, c := range []struct {
		host, device string
		h, d         int
		err          []string // substrings of the error; nil for success
		noDevice     bool
	}{
		{"", "", 2, 0, nil, false}, // the default host's default device
		{"jack", "", 2, 0, nil, false},
		{"JACK", "SYSTEM", 2, 0, nil, false},
		{"alsa", "", 0, 4, nil, false},
		{"", "alc3246", 0, 0, nil, false},
		{"", "hdmi", 0, 1, nil, false},
		{"", "HDMI 0 (hw:0,3)", 0, 1, nil, false},
		{"", "default", 0, 4, nil, false},           // exact beats "sysdefault"
		{"alsa", "Default", 0, 4, nil, false},       // case-insensitive
		{" j a c k ", "built-in", 2, 1, nil, false}, // spaces ignored
		{"", "foo", 0, 0, []string{
			`no audio device matches "foo"; output devices: `,
			"HDA Intel PCH: ALC3246 Analog (hw:0,0) (ALSA)",
			"default (ALSA), system (JACK Audio Connection Kit), Built-in Analog (JACK Audio Connection Kit)",
		}, false},
		{"jack", "foo", 0, 0, []string{
			`no audio device matches "foo"; output devices: system (JACK Audio Connection Kit), Built-in Analog (JACK Audio Connection Kit)`,
		}, false},
		{"", "analog", 0, 0, []string{
			`audio device "analog" is ambiguous: it matches HDA Intel PCH: ALC3246 Analog (hw:0,0) (ALSA), Built-in Analog (JACK Audio Connection Kit); name one of them more fully or choose the host API`,
		}, false},
		{"", "hda intel", 0, 0, []string{
			`audio device "hda intel" is ambiguous: it matches HDA Intel PCH: ALC3246 Analog (hw:0,0) (ALSA), HDA Intel PCH: HDMI 0 (hw:0,3) (ALSA); name one of them more fully`,
		}, false},
		{"coreaudio", "", 0, 0, []string{
			`no audio host API matches "coreaudio"; host APIs here: ALSA, OSS, JACK Audio Connection Kit`,
		}, false},
		{"o", "", 0, 0, []string{
			`audio host API "o" is ambiguous: it matches OSS, JACK Audio Connection Kit; name one of them more fully`,
		}, false},
		{"oss", "", 0, 0, []string{"OSS: no audio output device"}, true},
		{"oss", "system", 0, 0, []string{"OSS: no audio output device"}, true},
	} {
		h, d, err := selectDevice(fakeHosts, c.host, c.device)
		name := c.host + "/" + c.device
		if c.err == nil {
			if err != nil || h != c.h || d != c.d {
				t.Errorf("%s: got %d, %d, %v; want %d, %d", name, h, d, err, c.h, c.d)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: got %d, %d and no error", name, h, d)
			continue
		}
		for _, s := range c.err {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q lacks %q", name, err, s)
			}
		}
		if !strings.HasPrefix(err.Error(), "audio: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
		if errors.Is(err, ErrNoDevice) != c.noDevice {
			t.Errorf("%s: errors.Is(%q, ErrNoDevice) = %v", name, err, !c.noDevice)
		}
	}
}

func TestSelectNoDevices(t *testing.T) {
	// This machine without a JACK server: ALSA and OSS, no output device at all.
	bare := []HostAPI{{Name: "ALSA", Default: true}, {Name: "OSS"}}
	for _, c := range []struct{ host, device, want string }{
		{"", "", "audio: no audio output device: none of the host APIs here (ALSA, OSS) lists one; connect a sound card, or start a JACK server before the program"},
		{"", "system", "audio: no audio output device: none of the host APIs here (ALSA, OSS) lists one"},
		{"alsa", "", "audio: ALSA: no audio output device"},
		{"jack", "", `audio: no audio host API matches "jack"; host APIs here: ALSA, OSS (JACK is listed only if its server was running when the program started)`},
	} {
		_, _, err := selectDevice(bare, c.host, c.device)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s/%s: got %v, want %q...", c.host, c.device, err, c.want)
		}
		if wantND := c.host != "jack"; errors.Is(err, ErrNoDevice) != wantND {
			t.Errorf("%s/%s: errors.Is(ErrNoDevice) = %v", c.host, c.device, !wantND)
		}
	}
	if _, _, err := selectDevice(nil, "", ""); err == nil || !errors.Is(err, ErrNoDevice) {
		t.Errorf("no hosts: %v", err)
	}
}

func TestSelectNoDefault(t *testing.T) {
	hosts := []HostAPI{{Name: "ALSA", Devices: []Device{{Name: "a"}, {Name: "b"}}}, {Name: "Solo", Devices: []Device{{Name: "only"}}}}
	if h, d, err := selectDevice(hosts, "solo", ""); err != nil || h != 1 || d != 0 {
		t.Errorf("a host's only device: %d, %d, %v", h, d, err)
	}
	_, _, err := selectDevice(hosts, "alsa", "")
	if want := "audio: ALSA has no default output device; name one of its output devices: a (ALSA), b (ALSA)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	_, _, err = selectDevice(hosts, "", "")
	if want := "audio: there is no default output device; name one of the output devices: a (ALSA), b (ALSA), only (Solo)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}
