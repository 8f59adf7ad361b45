package csvout

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/separatrix-audio/separatrix/io/outfile"
)

// DefaultPrecision is the number of significant digits written unless SetPrecision
// changes it.
const DefaultPrecision = 7

// Writer writes a CSV table row by row. It is not safe for concurrent use.
type Writer struct {
	bw     *bufio.Writer
	out    *outfile.File // set when the Writer created the file and must commit it
	name   string        // the path, or "csv", for messages
	cols   int
	prec   int
	line   []byte
	err    error
	closed bool
}

// Create returns a Writer of a new file at path, written through package outfile: the
// file appears, complete, when Close succeeds; until then, and if anything fails, an
// earlier file at path stays as it was. A symbolic link is followed, a device or FIFO
// written in place.
func Create(path string, header []string) (*Writer, error) {
	if err := checkHeader(path, header); err != nil {
		return nil, err
	}
	f, err := outfile.Create(path)
	if err != nil {
		return nil, err
	}
	w := newWriter(f, path, header)
	w.out = f
	return w, nil
}

// New returns a Writer that writes the header line, then rows, to w. Close flushes
// but does not close w. Messages name the table by w's Name method if it has one (an
// *os.File or an *outfile.File), else "csv".
func New(w io.Writer, header []string) (*Writer, error) {
	name := "csv"
	if n, ok := w.(interface{ Name() string }); ok && n.Name() != "" {
		name = n.Name()
	}
	if err := checkHeader(name, header); err != nil {
		return nil, err
	}
	return newWriter(w, name, header), nil
}

func checkHeader(name string, header []string) error {
	if len(header) == 0 {
		return fmt.Errorf("%s: a CSV table needs at least one column", name)
	}
	return nil
}

func newWriter(out io.Writer, name string, header []string) *Writer {
	w := &Writer{bw: bufio.NewWriter(out), name: name, cols: len(header), prec: DefaultPrecision}
	for i, h := range header {
		if i > 0 {
			w.line = append(w.line, ',')
		}
		w.line = appendField(w.line, h)
	}
	w.line = append(w.line, '\n')
	w.write()
	return w
}

// appendField appends s, quoted as RFC 4180 asks if it holds a comma, a quote or a line
// break.
func appendField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// SetPrecision sets the number of significant digits of the rows that follow: at least
// 1, or -1 for the fewest digits that read back as exactly the same float64. It panics
// on other values.
func (w *Writer) SetPrecision(digits int) {
	if digits < 1 && digits != -1 {
		panic(fmt.Sprintf("csvout: SetPrecision(%d): want at least 1 digit, or -1", digits))
	}
	w.prec = digits
}

// Row writes one line: values must have one value per column of the header.
func (w *Writer) Row(values []float64) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("%s: Row after Close", w.name)
	}
	if len(values) != w.cols {
		return fmt.Errorf("%s: a row of %d values does not fit a header of %d columns", w.name, len(values), w.cols)
	}
	w.line = w.line[:0]
	for i, v := range values {
		if i > 0 {
			w.line = append(w.line, ',')
		}
		w.line = strconv.AppendFloat(w.line, v, 'g', w.prec, 64)
	}
	w.line = append(w.line, '\n')
	return w.write()
}

func (w *Writer) write() error {
	if _, err := w.bw.Write(w.line); err != nil {
		w.err = fmt.Errorf("%s: writing failed: %w", w.name, err)
	}
	return w.err
}

// Flush writes the buffered lines to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("%s: writing failed: %w", w.name, err)
	}
	return w.err
}

// Close flushes the buffered lines. If the Writer created the file, Close puts it in
// place of any earlier file, or on an error leaves the earlier file as it was. The
// Writer cannot be used afterwards.
func (w *Writer) Close() error {
	if w.closed {
		return fmt.Errorf("%s: Close called twice", w.name)
	}
	w.closed = true
	err := w.Flush()
	if w.out != nil {
		if err == nil {
			err = w.out.Commit()
		} else {
			w.out.Abort()
		}
	}
	return err
}
