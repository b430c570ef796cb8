//go:build unix

package bleve

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) this process has used. The
// benchmarks report it next to wall-clock figures because the machines are
// shared: wall time includes waiting for other people's jobs, CPU time does
// not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
