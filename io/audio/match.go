package audio

import (
	"fmt"
	"strings"
	"unicode"
)

// fold prepares a name for matching: lower case, without white space.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// matches returns the indices of names that equal query (folded) or, when none does,
// contain it.
func matches(names []string, query string) []int {
	q := fold(query)
	var exact, sub []int
	for i, n := range names {
		f := fold(n)
		switch {
		case f == q:
			exact = append(exact, i)
		case strings.Contains(f, q):
			sub = append(sub, i)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return sub
}

// selectDevice finds the output device that host and device name in hosts, as List
// returns them, following Config's rules. It returns indices into hosts and into that
// host's Devices, or an error that lists what exists.
func selectDevice(hosts []HostAPI, host, device string) (hi, di int, err error) {
	cand := make([]int, len(hosts)) // hosts to look in
	for i := range cand {
		cand[i] = i
	}
	if host != "" {
		names := make([]string, len(hosts))
		for i, h := range hosts {
			names[i] = h.Name
		}
		cand = matches(names, host)
		switch {
		case len(cand) == 0:
			msg := fmt.Sprintf("audio: no audio host API matches %q; host APIs here: %s", host, hostList(hosts))
			if strings.Contains(fold(host), "jack") {
				msg += " (JACK is listed only if its server was running when the program started)"
			}
			return -1, -1, fmt.Errorf("%s", msg)
		case len(cand) > 1:
			var list []string
			for _, i := range cand {
				list = append(list, hosts[i].Name)
			}
			return -1, -1, fmt.Errorf("audio: audio host API %q is ambiguous: it matches %s; name one of them more fully",
				host, strings.Join(list, ", "))
		}
	}

	if device == "" {
		h := -1
		if host != "" {
			h = cand[0]
		} else {
			for i := range hosts {
				if hosts[i].Default {
					h = i
				}
			}
		}
		if h >= 0 {
			for j, d := range hosts[h].Devices {
				if d.Default {
					return h, j, nil
				}
			}
			if len(hosts[h].Devices) == 1 {
				return h, 0, nil
			}
		}
		switch {
		case countDevices(hosts, cand) == 0:
			return -1, -1, noOutput(hosts, cand, host)
		case h >= 0 && len(hosts[h].Devices) > 0:
			return -1, -1, fmt.Errorf("audio: %s has no default output device; name one of its output devices: %s",
				hosts[h].Name, deviceList(hosts, []int{h}))
		}
		return -1, -1, fmt.Errorf("audio: there is no default output device; name one of the output devices: %s",
			deviceList(hosts, cand))
	}

	var refs []devRef
	var names []string
	for _, h := range cand {
		for d, dev := range hosts[h].Devices {
			refs = append(refs, devRef{h, d})
			names = append(names, dev.Name)
		}
	}
	if len(refs) == 0 {
		return -1, -1, noOutput(hosts, cand, host)
	}
	found := matches(names, device)
	switch len(found) {
	case 1:
		r := refs[found[0]]
		return r.h, r.d, nil
	case 0:
		return -1, -1, fmt.Errorf("audio: no audio device matches %q; output devices: %s", device, deviceList(hosts, cand))
	}
	var list []string
	for _, i := range found {
		r := refs[i]
		list = append(list, deviceName(hosts, r.h, r.d))
	}
	msg := fmt.Sprintf("audio: audio device %q is ambiguous: it matches %s; name one of them more fully", device, strings.Join(list, ", "))
	if host == "" && !sameHost(refs, found) {
		msg += " or choose the host API"
	}
	return -1, -1, fmt.Errorf("%s", msg)
}

// devRef locates a device: hosts[h].Devices[d].
type devRef struct{ h, d int }

func sameHost(refs []devRef, found []int) bool {
	for _, i := range found {
		if refs[i].h != refs[found[0]].h {
			return false
		}
	}
	return true
}

// noOutput is the error for hosts (those in cand) without a single output device.
func noOutput(hosts []HostAPI, cand []int, host string) error {
	if host != "" {
		return &noDevice{fmt.Sprintf("audio: %s: %v (connect a sound card or check its driver)", hosts[cand[0]].Name, ErrNoDevice)}
	}
	if len(hosts) == 0 {
		return &noDevice{fmt.Sprintf("audio: %v: PortAudio offers no host API", ErrNoDevice)}
	}
	return &noDevice{fmt.Sprintf("audio: %v: none of the host APIs here (%s) lists one; connect a sound card, or start a JACK server before the program",
		ErrNoDevice, hostList(hosts))}
}

func countDevices(hosts []HostAPI, cand []int) int {
	n := 0
	for _, h := range cand {
		n += len(hosts[h].Devices)
	}
	return n
}

func hostList(hosts []HostAPI) string {
	if len(hosts) == 0 {
		return "none"
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return strings.Join(names, ", ")
}

// deviceList lists the output devices of the hosts in cand as "name (host)".
func deviceList(hosts []HostAPI, cand []int) string {
	var list []string
	for _, h := range cand {
		for d := range hosts[h].Devices {
			list = append(list, deviceName(hosts, h, d))
		}
	}
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

func deviceName(hosts []HostAPI, h, d int) string {
	return fmt.Sprintf("%s (%s)", hosts[h].Devices[d].Name, hosts[h].Name)
}
