module github.com/separatrix-audio/separatrix

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	gitlab.com/gomidi/midi/v2 v2.3.24
)

require (
	github.com/gordonklaus/portaudio v0.0.0-20250206071425-98a94950218b
	golang.org/x/term v0.48.0
)

require golang.org/x/sys v0.50.0 // indirect
