// Package csvout writes tables of numbers as CSV, for traces, spike trains and analysis
// results that other tools (a spreadsheet, pandas, gnuplot) read.
//
// A Writer takes a header once and then rows of float64, one value per column:
//
//	w, err := csvout.Create("trace.csv", []string{"t", "v", "n"})
//	...
//	err = w.Row([]float64{0.001, -65.2, 0.317})
//	...
//	err = w.Close()
//
// # Format
//
// Fields are separated by commas and lines end in "\n". Header names are quoted as RFC
// 4180 asks when they hold a comma, a quote or a line break. Numbers are formatted by
// strconv.AppendFloat with the 'g' verb and 7 significant digits unless SetPrecision
// says otherwise, so the same values always give the same bytes; NaN and the infinities
// are written "NaN", "+Inf" and "-Inf".
//
// Create writes through package outfile: an earlier file at the path stays as it was
// until Close puts the complete table in its place, and stays if anything fails; a
// symbolic link is followed and a device or FIFO written in place.
//
// Output is buffered and Row allocates nothing after its first call. Errors from the
// underlying writer are sticky: once one has happened, every later Row, Flush and Close
// returns it.
package csvout
