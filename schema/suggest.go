package schema

import "strings"

// Suggest returns the known type closest to typeName, for a "did you mean", or ""
// when none is close. Case is ignored, a missing "AWS::" prefix is forgiven, and
// otherwise the edit distance (with transpositions) must be small for the length
// of the name. A known name is its own suggestion.
func Suggest(typeName string) string {
	if Lookup(typeName) != nil {
		return typeName
	}
	want := strings.ToLower(typeName)
	if !strings.Contains(want, "::") {
		return ""
	}
	alt := ""
	if !strings.HasPrefix(want, "aws::") && strings.Count(want, "::") == 1 {
		alt = "aws::" + want
	}
	maxDist := 2 + len(want)/10
	best, bestDist := "", maxDist+1
	for _, name := range Types() {
		lower := strings.ToLower(name)
		if lower == want || lower == alt {
			return name
		}
		for _, w := range []string{want, alt} {
			if w == "" || abs(len(lower)-len(w)) >= bestDist {
				continue
			}
			if d := distance(w, lower, bestDist); d < bestDist {
				best, bestDist = name, d
			}
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distance is the optimal string alignment distance between a and b (Levenshtein
// plus swaps of neighbours), or a value >= limit once it must be at least limit.
func distance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			c := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				c = min(c, prev2[j-2]+1)
			}
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
