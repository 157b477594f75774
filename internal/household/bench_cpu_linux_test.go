package household

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time (user and system) of the calling OS thread, CLOCK_THREAD_CPUTIME_ID: with the
// goroutine locked to its thread (runtime.LockOSThread), SQLite's cgo calls run on it, so the difference around
// a search is the CPU that search cost, whatever else loads the machine.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
