// Package phase prints, when RIGLET_PHASES is set, how long into the process each
// phase of a run ended (milliseconds since the process started, on stderr), to see
// where a whole run's wall time goes and which phases leave a core idle. Unset, a
// mark costs one load.
package phase

import (
	"fmt"
	"os"
	"sync"
	"time"
)

var (
	t0 = time.Now()
	on = os.Getenv("RIGLET_PHASES") != ""
	mu sync.Mutex
)

// Mark records that the phase s ended now.
func Mark(s string) {
	if !on {
		return
	}
	d := time.Since(t0)
	mu.Lock()
	fmt.Fprintf(os.Stderr, "riglet: phase %7.1f ms %s\n", float64(d.Microseconds())/1000, s)
	mu.Unlock()
}
