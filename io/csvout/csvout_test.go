package csvout

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHeaderAndRows(t *testing.T) {
	var b bytes.Buffer
	w, err := New(&b, []string{"t", "v (mV)", `say "hi", twice`, "n"})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]float64{
		{0, -65.2, 1, 3},
		{0.001, 1.0 / 3, math.Copysign(0, -1), 1e-9},
		{1234567.891, 2.5e10, 123456789, -7},
		{math.NaN(), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64},
	}
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	w.SetPrecision(-1)
	if err := w.Row([]float64{0.1, 1.0 / 3, 48000, 1e21}); err != nil {
		t.Fatal(err)
	}
	w.SetPrecision(3)
	if err := w.Row([]float64{math.Pi, 1e-5, 100, 1000}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `t,v (mV),"say ""hi"", twice",n
0,-65.2,1,3
0.001,0.3333333,-0,1e-09
1234568,2.5e+10,1.234568e+08,-7
NaN,+Inf,-Inf,4.940656e-324
0.1,0.3333333333333333,48000,1e+21
3.14,1e-05,100,1e+03
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.csv")
	w, err := Create(path, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Row([]float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "a,b\n1,2\n" {
		t.Errorf("file holds %q", got)
	}
	if _, err := Create(filepath.Join(t.TempDir(), "missing", "x.csv"), []string{"a"}); err == nil {
		t.Error("Create in a missing directory: no error")
	}
}

func TestErrors(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, nil); err == nil || err.Error() != "csv: a CSV table needs at least one column" {
		t.Errorf("empty header: got %v", err)
	}
	if _, err := Create("x.csv", nil); err == nil || !strings.HasPrefix(err.Error(), "x.csv: ") {
		t.Errorf("empty header in Create: got %v", err)
	}
	var b bytes.Buffer
	w, err := New(&b, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 2, 4} {
		err := w.Row(make([]float64, n))
		if err == nil || !strings.Contains(err.Error(), "does not fit a header of 3 columns") {
			t.Errorf("row of %d: got %v", n, err)
		}
	}
	if err := w.Row([]float64{1, 2, 3}); err != nil {
		t.Errorf("a good row after bad ones: %v", err)
	}
	w.Close()
	if b.String() != "a,b,c\n1,2,3\n" {
		t.Errorf("wrote %q; bad rows must write nothing", b.String())
	}
	if err := w.Row([]float64{1, 2, 3}); err == nil {
		t.Error("Row after Close: no error")
	}
	if err := w.Close(); err == nil {
		t.Error("second Close: no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsSticky(t *testing.T) {
	w, err := New(failWriter{}, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	long := make([]float64, 1)
	var first error
	for i := 0; i < 10000 && first == nil; i++ { // fill the buffer
		first = w.Row(long)
	}
	for i, err := range []error{first, w.Row(long), w.Flush(), w.Close()} {
		if err == nil || err.Error() != "csv: writing failed: disk full" {
			t.Errorf("call %d: got %v", i, err)
		}
	}
}

func TestSetPrecisionPanics(t *testing.T) {
	w, _ := New(&bytes.Buffer{}, []string{"a"})
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "csvout: ") {
			t.Errorf("recovered %v, want a csvout panic", r)
		}
	}()
	w.SetPrecision(0)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestRowDoesNotAllocate(t *testing.T) {
	w, err := New(discard{}, []string{"t", "v", "w", "x"})
	if err != nil {
		t.Fatal(err)
	}
	row := []float64{0.00123, -65.21, math.NaN(), 1e300}
	w.Row(row)
	if n := testing.AllocsPerRun(1000, func() { w.Row(row) }); n != 0 {
		t.Errorf("Row allocates %v times per call", n)
	}
}
