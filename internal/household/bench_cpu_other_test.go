//go:build !linux

package household

import "time"

// threadCPU is not measured off Linux: the benchmark's CPU columns read 0.
func threadCPU() time.Duration { return 0 }
