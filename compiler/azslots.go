package compiler

import (
	"fmt"
	"sort"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/netplan"
)

// azSlots returns the numbers the env's AZs carry in per-AZ resources (netplan.AZSlots).
func (ec *envCompile) azSlots() map[string]int {
	var el *netplan.EnvLock
	if l := ec.c.lock.Network; l != nil {
		el = l.Envs[ec.env.Name]
	}
	return netplan.AZSlots(ec.c.plans[ec.env.Name], ec.env.AZs, el)
}

// azInSlot returns the env's AZ whose per-AZ resources carry number n: the
// `network.slot.*` derived values, which name resources by something that never
// moves, where `network.az.N` is the N-th AZ of the env file as written. It records
// the highest slot each instance asks for, for checkSlots.
func (ec *envCompile) azInSlot(path string, n int) (string, bool) {
	if ec.slotsAsked == nil {
		ec.slotsAsked = map[string]int{}
	}
	ec.slotsAsked[path] = max(ec.slotsAsked[path], n)
	for az, s := range ec.azSlots() {
		if s == n {
			return az, true
		}
	}
	return "", false
}

// checkSlots reports an AZ whose slot is beyond the last one a block names per-AZ
// resources for (the vpc block has six): its subnets would silently not exist. A slot
// beyond the AZ count comes from a large max_azs with AZs removed and added since.
func (ec *envCompile) checkSlots() {
	if len(ec.slotsAsked) == 0 {
		return
	}
	slots := ec.azSlots()
	paths := make([]string, 0, len(ec.slotsAsked))
	for p := range ec.slotsAsked {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		var beyond []string
		for _, az := range ec.env.AZs {
			if slots[az] > ec.slotsAsked[path] {
				beyond = append(beyond, fmt.Sprintf("%s (slot %d)", az, slots[az]))
			}
		}
		if len(beyond) > 0 {
			ec.errs.AddCode(ir.CodeNetwork, ec.env.AZsPos, "env %q: %s names per-AZ resources for slots 1 to %d only, so these AZs would have no subnets: %s; an AZ's slot is where the lock keeps its subnets",
				ec.env.Name, path, ec.slotsAsked[path], strings.Join(beyond, ", "))
		}
	}
}

// firstSlotAZ returns the AZ of the lowest slot: the AZ of the first subnet of each of
// the vpc block's subnet lists, where a block that takes the first subnet puts what must
// share its AZ (couchdb's data volume). It changes only when that AZ goes, or an AZ
// added later takes a lower slot that a removed one freed.
func (ec *envCompile) firstSlotAZ() string {
	first, n := "", 0
	for az, s := range ec.azSlots() {
		if first == "" || s < n {
			first, n = az, s
		}
	}
	return first
}
