//go:build !linux

package view

// lowerPriority does nothing here: only Linux sets the priority of one thread (nice is
// per process elsewhere). The geometry thread keeps the normal priority.
func lowerPriority() (tid int, err error) { return 0, nil }
