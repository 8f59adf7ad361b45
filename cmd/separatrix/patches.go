package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/separatrix-audio/separatrix/patches"
)

func runPatches(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("patches", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: separatrix patches\n\nLists the built-in patches: use a name wherever a PATCH is asked for.")
	}
	rest, err := parseInterspersed(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("patches takes no arguments, got %q", strings.Join(rest, " "))}
	}
	for _, p := range patches.Builtins() {
		fmt.Fprintf(stdout, "%s\n%s\n\n", p.Name, indent(wrap(oneLine(p.Description), 76), "    "))
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func wrap(s string, width int) string {
	var b strings.Builder
	col := 0
	for _, w := range strings.Fields(s) {
		if col > 0 && col+1+len(w) > width {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
