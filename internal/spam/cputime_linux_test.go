package spam

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time used by the calling OS thread. The
// benchmark reports it next to wall time because the build machine is
// shared, and wall time there measures the neighbours as much as the code.
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
