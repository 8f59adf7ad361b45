package view

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

//go:embed web
var webFiles embed.FS

// DefaultAddr is where the view listens unless told otherwise: this machine only.
const DefaultAddr = "127.0.0.1:7400"

// Options configure a view server.
type Options struct {
	// Addr is host:port to listen on (default DefaultAddr). A port of 0 picks a free one.
	Addr string
	// PIN, if set, is what a page must send before it may steer (watching stays open).
	// Give one whenever Addr is reachable from beyond this machine (see NeedsPIN).
	PIN string
	// ReadOnly turns every control off: pages only watch.
	ReadOnly bool
	// MaxPages bounds the pages connected at once (default 32); more are turned away.
	MaxPages int
	// Cells is the number of currents per neuron at which geometry is cached (default 161).
	Cells int
	// Log receives one line per notable event (a page refused, a PIN guessed wrong).
	Log io.Writer
	// Health, if set, is what GET /health reports (see Health); nil: /health answers
	// 404. It is called on the request's goroutine, perhaps on several at once, once
	// per request: it must be cheap and must not wait on the audio callback (read
	// what the callback publishes, such as atomic counters).
	Health func() Health
}

// Stats are the server's counters, safe to read from any goroutine.
type Stats struct {
	Pages          int     // connected now
	Frames         uint64  // TRAIL frames sent, all pages
	DroppedFrames  uint64  // display frames asked for while the previous was still being written
	DroppedRecords uint64  // tap records a page never got because it fell behind
	Rejected       uint64  // page messages refused (malformed, unknown, out of range, unauthorized)
	Bytes          uint64  // bytes sent, all pages
	LagMs          float64 // the mean lag the pages report: draw time minus production time
}

// Server serves the page and its WebSocket.
type Server struct {
	opt Options
	ln  net.Listener
	url string

	src   Source
	hub   *hub
	atlas *Atlas

	mu    sync.Mutex
	pages map[*page]struct{}

	frames, droppedFrames, droppedRecords, rejected, bytes atomic.Uint64
}

// Listen opens the listening socket, so that a taken port is reported before anything
// plays. The page is served once Serve runs.
func Listen(opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = DefaultAddr
	}
	if opt.MaxPages <= 0 {
		opt.MaxPages = 32
	}
	if opt.Cells <= 0 {
		opt.Cells = 161
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("the view cannot listen on %s: %w (another program has the port? give --view HOST:PORT)", opt.Addr, err)
	}
	s := &Server{opt: opt, ln: ln, pages: map[*page]struct{}{}}
	s.url = "http://" + displayAddr(ln.Addr().(*net.TCPAddr)) + "/"
	return s, nil
}

// displayAddr is the address a person types into a browser: a wildcard address becomes
// this machine's name.
func displayAddr(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		if h, err := osHostname(); err == nil {
			host = h
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(a.Port))
}

// URL is the address of the page.
func (s *Server) URL() string { return s.url }

// Addr is the address listened on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// NeedsPIN reports whether addr can be reached from beyond this machine, where steering
// must need a PIN.
func NeedsPIN(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// Close stops listening without serving (when play fails before Serve).
func (s *Server) Close() error { return s.ln.Close() }

// Serve serves pages of src until ctx ends, then closes every page and returns.
func (s *Server) Serve(ctx context.Context, src Source) error {
	s.src = src
	s.hub = newHub(src)
	s.atlas = NewAtlas(src.Patches(), s.opt.Cells)
	s.atlas.Log = s.opt.Log
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.hub.run(ctx) }()
	go func() { defer wg.Done(); s.atlas.Run(ctx) }()

	static, err := fs.Sub(webFiles, "web")
	if err != nil {
		return err
	}
	kiosk, err := kioskPage(static)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	files := http.FileServer(http.FS(static))
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) { s.servePage(ctx, w, r) })
	mux.HandleFunc("/health", s.serveHealth)
	mux.HandleFunc("GET /kiosk", func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w.Header())
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(kiosk))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w.Header())
		files.ServeHTTP(w, r)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(s.ln) }()
	<-ctx.Done()
	sctx, scancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer scancel()
	hs.Shutdown(sctx) // pages are hijacked connections: closed below
	s.mu.Lock()
	for p := range s.pages {
		p.conn.CloseNow()
	}
	s.mu.Unlock()
	hs.Close()
	wg.Wait()
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	st := Stats{
		Frames: s.frames.Load(), DroppedFrames: s.droppedFrames.Load(), DroppedRecords: s.droppedRecords.Load(),
		Rejected: s.rejected.Load(), Bytes: s.bytes.Load(),
	}
	s.mu.Lock()
	st.Pages = len(s.pages)
	st.LagMs = s.meanLagLocked()
	s.mu.Unlock()
	return st
}

func (s *Server) meanLagLocked() float64 {
	sum, n := 0.0, 0
	for p := range s.pages {
		if l := p.lagMs.Load(); l != 0 {
			sum += float64FromBits(l)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func (s *Server) servePage(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	full := len(s.pages) >= s.opt.MaxPages
	s.mu.Unlock()
	if full {
		http.Error(w, "too many pages are watching", http.StatusServiceUnavailable)
		fmt.Fprintf(s.opt.Log, "view: turned a page away from %s: %d pages already\n", r.RemoteAddr, s.opt.MaxPages)
		return
	}
	// The default origin check refuses pages of other sites: a web page elsewhere must
	// not steer the neuron through a visitor's browser.
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	conn.SetReadLimit(maxMessage)
	p := newPage(s, conn)
	s.mu.Lock()
	s.pages[p] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pages, p)
		s.mu.Unlock()
		conn.CloseNow()
	}()
	p.run(ctx)
}

// maxMessage bounds what a page may send in one message.
const maxMessage = 1024

// writeTimeout is how long one message may take to reach a page before the page is
// dropped: a dead or stalled page must not keep a goroutine forever.
const writeTimeout = 5 * time.Second

// pageHeaders sets the headers of the page and its files.
func pageHeaders(h http.Header) {
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	// Nothing but the page's own files and socket: a museum has no internet.
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'")
}

// kioskPage is the page as /kiosk serves it: index.html with a data-kiosk attribute on
// its root element, which the style sheet and the script read. Marked here rather than
// by the script, the kiosk layout is there from the first paint: no flash of the
// developer's page on the museum's screen.
func kioskPage(static fs.FS) ([]byte, error) {
	index, err := fs.ReadFile(static, "index.html")
	if err != nil {
		return nil, err
	}
	at := bytes.Index(index, []byte("<html "))
	if at < 0 {
		return nil, errors.New(`view: the page's index.html has no "<html " tag to mark for the kiosk`)
	}
	at += len("<html ")
	return slices.Concat(index[:at], []byte("data-kiosk "), index[at:]), nil
}

func controlName(target string) string {
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		return target[i+1:]
	}
	return target
}
