package main

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"os/exec"
	"regexp"
	"runtime"
	"strings"

	"github.com/separatrix-audio/separatrix/io/view"
)

// viewFlag is --view: alone it serves the page on view.DefaultAddr, --view=ADDR or
// --view ADDR elsewhere.
type viewFlag struct {
	on   bool
	addr string
}

func (v *viewFlag) String() string {
	if !v.on {
		return ""
	}
	return v.addr
}

func (v *viewFlag) Set(s string) error {
	v.on = true
	switch s {
	case "true", "":
		v.addr = view.DefaultAddr
	case "false":
		v.on = false
	default:
		addr, err := viewAddr(s)
		if err != nil {
			return err
		}
		v.addr = addr
	}
	return nil
}

func (v *viewFlag) IsBoolFlag() bool { return true }

var addrLike = regexp.MustCompile(`^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):[0-9]{1,5}$`)

// viewAddr reads an address given to --view: HOST:PORT, or :PORT for every interface.
func viewAddr(s string) (string, error) {
	if !addrLike.MatchString(s) {
		return "", fmt.Errorf("%q is not an address to serve the view on; give HOST:PORT, e.g. 127.0.0.1:7400, or 0.0.0.0:7400 for every network", s)
	}
	return s, nil
}

// joinViewAddr turns "--view ADDR" into "--view=ADDR", so the address is not taken
// for a patch: the flag package reads a boolean flag's next word as an argument.
func joinViewAddr(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "--view" || a == "-view") && i+1 < len(args) && addrLike.MatchString(args[i+1]) {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// newPIN is six random digits.
func newPIN() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// openBrowser asks the desktop to open url in the default browser, without waiting.
func openBrowser(url string) error {
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("no browser to open (%s is not installed)", name)
	}
	cmd := exec.Command(path, append(args, url)...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not open a browser: %w", err)
	}
	go cmd.Wait()
	return nil
}

// validPIN: digits only, so a touch screen's number pad can enter it.
func validPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 12 || strings.Trim(pin, "0123456789") != "" {
		return fmt.Errorf("--view-pin %q: give 4 to 12 digits", pin)
	}
	return nil
}
