package view_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/io/view"
)

// Whether a page may steer without a PIN depends on who can reach the address.
func ExampleNeedsPIN() {
	for _, addr := range []string{view.DefaultAddr, "localhost:7400", "0.0.0.0:7400", "192.168.1.20:7400"} {
		fmt.Println(addr, view.NeedsPIN(addr))
	}
	// Output:
	// 127.0.0.1:7400 false
	// localhost:7400 false
	// 0.0.0.0:7400 true
	// 192.168.1.20:7400 true
}
