package view

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"
)

// touringSession is a fakeSession whose attract tour the test sets.
type touringSession struct {
	*fakeSession
	caption atomic.Pointer[string]
	attract atomic.Bool
}

func (s *touringSession) Status() Status {
	st := s.fakeSession.Status()
	if c := s.caption.Load(); c != nil {
		st.Caption = *c
	}
	st.Attract = s.attract.Load()
	return st
}

func (s *touringSession) tour(caption string, attract bool) {
	s.caption.Store(&caption)
	s.attract.Store(attract)
}

// TestStatusCarriesTheTour: the status message carries the tour's caption and whether
// it plays, follows them as they change, and cuts an overlong caption at a rune.
func TestStatusCarriesTheTour(t *testing.T) {
	f := &touringSession{fakeSession: newFakeSession(t, false, "hysteresis")}
	f.tour("The current rises...", true)
	s := serve(t, f, Options{})
	p := dial(t, s)
	// waitTour waits for a status saying caption and attract, and returns its caption.
	waitTour := func(what string, ok func(caption string, attract bool) bool) string {
		t.Helper()
		var got string
		p.waitFor(what, func() bool {
			for _, m := range p.status {
				c, isText := m["caption"].(string)
				a, isBool := m["attract"].(bool)
				if isText && isBool && ok(c, a) {
					got = c
					return true
				}
			}
			return false
		})
		return got
	}
	waitTour("the tour's caption", func(c string, a bool) bool { return c == "The current rises..." && a })

	f.tour("", false) // a visitor took over
	p.mu.Lock()
	p.status = nil
	p.mu.Unlock()
	waitTour("the tour's end", func(c string, a bool) bool { return c == "" && !a })

	// 300 two-byte runes: 600 bytes, over maxCaption; the cut must not split a rune.
	long := strings.Repeat("é", 300)
	f.tour(long, true)
	got := waitTour("the long caption", func(c string, a bool) bool { return c != "" && a })
	body, found := strings.CutSuffix(got, "…")
	if len(got) > maxCaption || !utf8.ValidString(got) || !found || !strings.HasPrefix(long, body) || len(body) < maxCaption-8 {
		t.Errorf("a caption of %d bytes arrived as %d bytes (valid UTF-8 %v, ends with … %v, a prefix of it %v), want at most %d, cut at a rune",
			len(long), len(got), utf8.ValidString(got), found, strings.HasPrefix(long, body), maxCaption)
	}
}

func TestClipCaption(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"At rest.", "At rest."},
		{strings.Repeat("a", maxCaption), strings.Repeat("a", maxCaption)},
		{strings.Repeat("a", maxCaption+1), strings.Repeat("a", maxCaption-3) + "…"},
		// maxCaption-3 = 477 bytes before the "…": 159 three-byte runes fill them; of
		// two-byte runes the 239th would be split, so 238 stay.
		{strings.Repeat("€", 200), strings.Repeat("€", 159) + "…"},
		{strings.Repeat("é", 300), strings.Repeat("é", 238) + "…"},
	} {
		got := clipCaption(c.in)
		if got != c.want || len(got) > maxCaption {
			t.Errorf("clipCaption(%d bytes) = %d bytes %.12q…, want %d bytes", len(c.in), len(got), got, len(c.want))
		}
	}
}

// TestKioskPageIsServed: /kiosk is the page marked for the kiosk, with the page's
// headers; / is not marked.
func TestKioskPageIsServed(t *testing.T) {
	s := serve(t, newFakeSession(t, false, "hysteresis"), Options{})
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		res, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	marked := func(body []byte) bool { return bytes.Contains(body, []byte("<html data-kiosk ")) }

	res, body := get("kiosk")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /kiosk: %s, Content-Type %q", res.Status, res.Header.Get("Content-Type"))
	}
	if !marked(body) || !bytes.Contains(body, []byte(`src="app.js"`)) {
		t.Errorf("GET /kiosk is not the page marked data-kiosk:\n%.300s", body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("GET /kiosk: Content-Security-Policy %q", csp)
	}
	res, body = get("kiosk?theme=light")
	if res.StatusCode != http.StatusOK || !marked(body) {
		t.Errorf("GET /kiosk?theme=light: %s, marked %v", res.Status, marked(body))
	}
	res, body = get("")
	if res.StatusCode != http.StatusOK || marked(body) {
		t.Errorf("GET /: %s, marked for the kiosk %v", res.Status, marked(body))
	}
}
