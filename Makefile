# Separatrix. `make play` plays the hysteresis patch live; `make test` runs every test.
# Both install the Debian packages they need first (make deps, make test-deps).
GO ?= go
# The engine's vector kernels use Go's experimental simd package, amd64 only (without it
# the portable kernels run: same results within the accuracy tests, about 6 times slower).
ifeq ($(shell $(GO) env GOARCH),amd64)
export GOEXPERIMENT ?= simd
endif
BIN := bin/separatrix
OUT := out
# cgo needs PortAudio (which links JACK) and ALSA; the tests start a dummy JACK server.
DEBS := portaudio19-dev jackd2 libjack-jackd2-dev libasound2-dev
# The tests also drive the live view (play --view) in a real headless browser, and talk
# OSC with liblo's oscsend and oscdump.
TEST_DEBS := chromium-headless-shell liblo-tools

.PHONY: all deps test-deps install-debs build arm64 test-arm64 play demo figures view-screenshot test bench fuzz xruns xruns-swarm idle-bench clean

all: build

# Install the missing Debian packages (with sudo unless root). jackd2's realtime question
# is answered "no" by the noninteractive frontend.
deps:
	@$(MAKE) --no-print-directory install-debs PKGS="$(DEBS)"

test-deps: deps
	@$(MAKE) --no-print-directory install-debs PKGS="$(TEST_DEBS)"

install-debs:
	@missing=$$(for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
			--no-install-recommends $$missing; \
	fi

build: deps
	$(GO) build -o $(BIN) ./cmd/separatrix

# The Raspberry Pi build (arm64, Raspberry Pi OS Bookworm or Trixie): cgo cross-compiled
# with Debian's aarch64 gcc against a Debian bookworm arm64 sysroot (glibc 2.36) that holds
# the arm64 PortAudio, JACK and ALSA headers and libraries. mmdebstrap builds the sysroot
# once (about a minute, from the Debian mirror) without touching this machine's dpkg;
# delete $(SYSROOT) to build it again. qemu-user-static runs the arm64 tests here.
# g++ too: the MIDI driver (gomidi's RtMidi) is C++, so the link runs the C++ compiler.
ARM64_DEBS := gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user-static mmdebstrap file
ARM64_BIN := bin/separatrix-arm64
SYSROOT ?= build/sysroot-arm64
SYSROOT_DEBS := libc6-dev,portaudio19-dev,libjack-jackd2-dev,libasound2-dev
# GOEXPERIMENT=simd (exported above on amd64 hosts) is harmless here: the vector kernels'
# files are built for amd64 only, so arm64 gets the portable kernels either way.
# pkg-config (io/audio's #cgo pkg-config: portaudio-2.0) must read the sysroot's .pc files,
# not the host's, and prefix the paths it prints with the sysroot.
ARM64_ENV := CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ \
	CGO_CFLAGS="-O2 -g --sysroot=$(abspath $(SYSROOT))" CGO_CXXFLAGS="-O2 -g --sysroot=$(abspath $(SYSROOT))" \
	CGO_LDFLAGS="-O2 -g --sysroot=$(abspath $(SYSROOT))" \
	PKG_CONFIG_SYSROOT_DIR=$(abspath $(SYSROOT)) \
	PKG_CONFIG_LIBDIR=$(abspath $(SYSROOT))/usr/lib/aarch64-linux-gnu/pkgconfig:$(abspath $(SYSROOT))/usr/share/pkgconfig

$(SYSROOT)/.complete:
	@$(MAKE) --no-print-directory install-debs PKGS="$(ARM64_DEBS)"
	rm -rf $(SYSROOT)
	@mkdir -p $(dir $(SYSROOT))
	mmdebstrap --arch=arm64 --variant=extract --include=$(SYSROOT_DEBS) bookworm $(SYSROOT)
	touch $@

arm64: $(SYSROOT)/.complete
	@$(MAKE) --no-print-directory install-debs PKGS="$(ARM64_DEBS)"
	$(ARM64_ENV) $(GO) build -o $(ARM64_BIN) ./cmd/separatrix
	@file $(ARM64_BIN) | grep -q 'ELF 64-bit LSB .*ARM aarch64' || { file $(ARM64_BIN); echo "$(ARM64_BIN) is not an aarch64 ELF"; exit 1; }
	@file $(ARM64_BIN)

# The arm64 tests under qemu (about 20 times slower than native), with -short. Nothing
# that needs an audio server runs: SEPARATRIX_TEST_NO_AUDIO_SERVER makes those tests skip
# (io/jacktest), since an emulated client cannot keep a real-time JACK server's deadlines.
# Tests that run a binary built for arm64 (the program, or the test binary again as a
# helper) run it through the emulator named in SEPARATRIX_TEST_EXEC: the kernel refuses
# it otherwise, unless binfmt_misc is set up for qemu, which a container cannot do. With no real-time tests, packages run side by side (go test's default
# -p, one per core): emu alone takes about 14 minutes emulated.
ARM64_EXEC := qemu-aarch64-static -L $(abspath $(SYSROOT))
test-arm64: arm64
	SEPARATRIX_TEST_NO_AUDIO_SERVER=1 SEPARATRIX_TEST_EXEC="$(ARM64_EXEC)" $(ARM64_ENV) \
		$(GO) test -short -timeout 30m -exec "$(ARM64_EXEC)" ./...

# Play the hysteresis patch on the default audio device, listening to every MIDI input.
# Turn controller 1 (the mod wheel) to cross the bifurcation; Ctrl-C stops.
play: build
	$(BIN) play hysteresis --midi-in all

# An up-and-down sweep of the injected current through the bistable integrator: firing
# starts near 4.51 on the way up and goes on far below it on the way down (hysteresis).
demo: build
	@mkdir -p $(OUT)
	$(BIN) render hysteresis -o $(OUT)/hysteresis.wav --midi $(OUT)/hysteresis.mid --csv $(OUT)/hysteresis.csv \
		--ramp current=-2:6:15 --ramp current=6:-2:15
	@echo
	@echo "Listen to $(OUT)/hysteresis.wav (any audio player; e.g. aplay or ffplay)."
	@echo "Open $(OUT)/hysteresis.mid in a DAW or synth: one held note while the neuron fires."
	@echo "Plot $(OUT)/hysteresis.csv (t_ms, a.V, a.n, a.I) to see where firing starts and stops."

# The README's analysis pictures: phase portrait and bifurcation diagram of I_Na,p+I_K for
# each of the four bifurcations to spiking, each portrait at a current that shows it best;
# then the four experiments that tell an integrator (snic) from a resonator (hopf-super).
FIGURES := docs/figures
figures: build
	@mkdir -p $(FIGURES)
	$(BIN) portrait snic --current 5 -o $(FIGURES)/snic-portrait.png
	$(BIN) bifurcation snic -o $(FIGURES)/snic-bifurcation.png
	$(BIN) portrait saddle-node --current 2 -o $(FIGURES)/saddle-node-portrait.png
	$(BIN) bifurcation saddle-node -o $(FIGURES)/saddle-node-bifurcation.png
	$(BIN) portrait hopf-super --current 16 -o $(FIGURES)/hopf-super-portrait.png
	$(BIN) bifurcation hopf-super -o $(FIGURES)/hopf-super-bifurcation.png
	$(BIN) portrait hopf-sub --current 45 -o $(FIGURES)/hopf-sub-portrait.png
	$(BIN) bifurcation hopf-sub -o $(FIGURES)/hopf-sub-bifurcation.png
	@# Integrators and resonators: the four probes on an integrator and a resonator.
	for e in doublet rebound threshold chirp; do \
		$(BIN) probe $$e snic -o $(FIGURES)/snic-$$e.png && \
		$(BIN) probe $$e hopf-super --current 13 -o $(FIGURES)/hopf-super-$$e.png || exit 1; \
	done

# One package at a time (-p 1): the live tests measure xruns against a real-time JACK
# server, and another test binary hogging both cores would cause them.
test: test-deps
	$(GO) test -p 1 ./...

# The README's picture of the live view: the browser test plays hysteresis on a dummy
# JACK server, steers it from the page and photographs the page.
view-screenshot: test-deps
	VIEW_SCREENSHOT=$(CURDIR)/docs/view.png $(GO) test ./cmd/separatrix -run TestViewInBrowser -count=1 -v

# The xrun judge: play against JACK's own C client (jack_metro) in alternating 3 s rounds
# on a dummy JACK server at 128 and 64 frames, with MIDI in and out, a recording and the
# other core busy; prints both counts. ROUNDS=8 for more.
ROUNDS ?= 5
xruns: test-deps
	SEPARATRIX_XRUNS_ROUNDS=$(ROUNDS) $(GO) test ./cmd/separatrix -run TestXrunsAgainstJackMetro -count=1 -v

# The same judge on the swarm patch: a thousand neurons firing (make xruns-swarm).
xruns-swarm: test-deps
	SEPARATRIX_XRUNS_PLAY="swarm --set current=6" SEPARATRIX_XRUNS_ROUNDS=$(ROUNDS) $(GO) test ./cmd/separatrix -run TestXrunsAgainstJackMetro -count=1 -v

# What play hysteresis costs doing nothing for 30 s: % of a core, context switches a second.
idle-bench: test-deps
	$(GO) test ./cmd/separatrix -run '^$$' -bench IdlePlay -benchtime 1x -count=1

bench:
	$(GO) test ./emu ./io/render -run '^$$' -bench . -benchtime 2s

# Run each fuzz target for a while (make fuzz FUZZTIME=5m).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./patches -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./patches -run '^$$' -fuzz '^FuzzParseInstallation$$' -fuzztime $(FUZZTIME)
	$(GO) test ./io/midimap -run '^$$' -fuzz FuzzControls -fuzztime $(FUZZTIME)
	$(GO) test ./io/midifile -run '^$$' -fuzz FuzzParseScore -fuzztime $(FUZZTIME)
	$(GO) test ./io/wav -run '^$$' -fuzz FuzzRead -fuzztime $(FUZZTIME)
	$(GO) test ./io/view -run '^$$' -fuzz FuzzParseRequest -fuzztime $(FUZZTIME)
	$(GO) test ./io/osc -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)

clean:
	rm -rf bin $(OUT)
