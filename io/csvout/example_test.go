package csvout_test

import (
	"log"
	"math"
	"os"

	"github.com/separatrix-audio/separatrix/io/csvout"
)

func Example() {
	w, err := csvout.New(os.Stdout, []string{"t (s)", "V (mV)", "rate (Hz)"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range [][]float64{
		{0, -65, 0},
		{0.0005, -64.98765432, 12.5},
		{0.001, 31.4159265, math.NaN()},
	} {
		if err := w.Row(r); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// t (s),V (mV),rate (Hz)
	// 0,-65,0
	// 0.0005,-64.98765,12.5
	// 0.001,31.41593,NaN
}
