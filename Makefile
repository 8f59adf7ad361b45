# Separatrix. `make demo` renders the hysteresis patch; `make test` runs every test.
GO ?= go
BIN := bin/separatrix
OUT := out

.PHONY: all build demo test bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/separatrix

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

test:
	$(GO) test ./...

bench:
	$(GO) test ./emu ./io/render -run '^$$' -bench . -benchtime 2s

# Run each fuzz target for a while (make fuzz FUZZTIME=5m).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./patches -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./io/midimap -run '^$$' -fuzz FuzzControls -fuzztime $(FUZZTIME)
	$(GO) test ./io/midifile -run '^$$' -fuzz FuzzParseScore -fuzztime $(FUZZTIME)
	$(GO) test ./io/wav -run '^$$' -fuzz FuzzRead -fuzztime $(FUZZTIME)

clean:
	rm -rf bin $(OUT)
