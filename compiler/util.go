package compiler

import (
	"maps"
	"slices"
	"strconv"

	"github.com/riglet/riglet/internal/suggest"
)

// sortedKeys returns a map's keys in order: what riglet writes never depends on Go's
// map order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func didYouMean(s string, candidates []string) string { return suggest.DidYouMean(s, candidates) }

// atoi reads a small non-negative whole number, or -1.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1<<20 || s == "" || s[0] == '+' {
		return -1
	}
	return n
}
