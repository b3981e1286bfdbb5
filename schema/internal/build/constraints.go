package build

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The constraints a linter checks beside a value's shape: which of an object's
// properties must be set together ("at least one of", "exactly one of"), and the
// bounds of a string's length and of a number.

// extractChoices moves the anyOf and oneOf whose alternatives each only require one
// property ("at least one of", "exactly one of") out of s, as choices for object;
// the rest of s is left as it was, so a linter checks the rule instead of dropping it
// when the alternatives merge.
func extractChoices(s map[string]any) map[string]any {
	var found []choice
	var drop []string
	for _, k := range []string{"anyOf", "oneOf"} {
		alts, ok := s[k].([]any)
		if !ok || len(alts) < 2 {
			continue
		}
		var names []string
		for _, a := range alts {
			m, ok := a.(map[string]any)
			if !ok {
				names = nil
				break
			}
			req, _ := m["required"].([]any)
			n, isString := any(nil), false
			if len(req) == 1 {
				n = req[0]
				_, isString = n.(string)
			}
			for key := range m {
				if key != "required" && !annotations[key] {
					isString = false
				}
			}
			if !isString {
				names = nil
				break
			}
			names = append(names, n.(string))
		}
		if names != nil {
			found = append(found, choice{one: k == "oneOf", names: sortUnique(names)})
			drop = append(drop, k)
		}
	}
	if len(found) == 0 {
		return s
	}
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	out[choicesKey] = found
	return out
}

// objectChoices returns an object schema's choices: those build extracted, and
// cfn-lint's requiredOr and requiredXor.
func objectChoices(s map[string]any) []choice {
	out, _ := s[choicesKey].([]choice)
	for k, one := range map[string]bool{"requiredOr": false, "requiredXor": true} {
		l, _ := s[k].([]any)
		var names []string
		for _, x := range l {
			if n, ok := x.(string); ok {
				names = append(names, n)
			}
		}
		if len(names) > 1 {
			out = append(out, choice{one: one, names: sortUnique(names)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].one != out[j].one {
			return !out[i].one
		}
		return strings.Join(out[i].names, ",") < strings.Join(out[j].names, ",")
	})
	return slices.CompactFunc(out, func(a, b choice) bool { return a.one == b.one && slices.Equal(a.names, b.names) })
}

// known reports whether every name is a property: a choice naming one the object
// does not have could never be met, and is a schema's mistake, not the template's.
func known(names []string, props map[string]*shape) bool {
	for _, n := range names {
		if props[n] == nil {
			return false
		}
	}
	return true
}

// intKeyword reads a length keyword; 0 (no bound) when absent or not a whole number.
func intKeyword(v any) int {
	n, ok := v.(json.Number)
	if !ok {
		return 0
	}
	i, err := n.Int64()
	if err != nil || i < 0 || i > 1<<31 {
		return 0
	}
	return int(i)
}

// numKeyword reads minimum or maximum as written; "" when absent.
func numKeyword(v any) string {
	n, ok := v.(json.Number)
	if !ok {
		return ""
	}
	if _, err := strconv.ParseFloat(n.String(), 64); err != nil {
		return ""
	}
	return n.String()
}

// loosest joins two length bounds of alternatives (0: none): the larger of two
// maxima, the smaller of two minima, none if either has none.
func loosest(a, b int, isMax bool) int {
	if a == 0 || b == 0 {
		return 0
	}
	if isMax == (b > a) {
		return b
	}
	return a
}

func loosestNum(a, b string, isMax bool) string {
	if a == "" || b == "" {
		return ""
	}
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	if isMax == (y > x) {
		return b
	}
	return a
}
