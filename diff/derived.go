package diff

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// lockChanges are the derived allocations that change (CIDRs, listener priorities), per
// env, as model.DescribeLockChange says them, at the lock file (the reviewer sees each
// one in its diff).
func lockChanges(old, new *Side) map[string][]Change {
	out := map[string][]Change{}
	if old.Lock == nil || new.Lock == nil {
		return out
	}
	file := new.LockFile
	for _, e := range model.DescribeLockChange(old.Lock, new.Lock) {
		for _, line := range e.Changes {
			kind := "cidr"
			switch {
			case strings.HasPrefix(line, "priority"):
				kind = "priority"
			case strings.HasPrefix(line, "stack "):
				kind = "stack" // a stack retired, recorded, released or renamed in the lock
			}
			ch := Change{Kind: kind, Action: "modified", Classes: []Class{Derived}, Message: line,
				Source: ir.Pos{File: ir.FileOf(file), Line: int32(lockLine(new.LockData, e.Env, lockNeedle(kind, line)))}}
			if strings.Contains(line, " moved ") && kind == "cidr" {
				// a deployed VPC or subnet given another CIDR is a replacement
				ch.add(Replace)
			}
			out[e.Env] = append(out[e.Env], ch)
		}
	}
	return out
}

// countAlarms counts the CloudWatch alarms of the env on both sides and what they cost
// a month (per alarm metric, as riglet plan prices them). An unchanged template's
// alarms are counted from its bytes, without parsing it.
func (c *envComparison) countAlarms(olds, news []*Stack) {
	if c.partial() {
		// only the stacks both sides have are compared: count only those
		olds, news = c.common(olds, c.ne), c.common(news, c.oe)
	}
	c.alarms.Before, c.alarms.CostBefore = alarmsOf(olds)
	c.alarms.After, c.alarms.CostAfter = alarmsOf(news)
	if c.alarms.Before == c.alarms.After && c.alarms.CostBefore == c.alarms.CostAfter {
		return
	}
	c.changes = append(c.changes, Change{Kind: "alarms", Action: "modified", Classes: []Class{Derived},
		Message: alarmLine(c.alarms)})
}

func alarmLine(a AlarmCount) string {
	return "alarms " + itoa(a.Before) + " -> " + itoa(a.After) + ", $" + money(a.CostBefore) + " -> $" + money(a.CostAfter) + " a month"
}

func alarmsOf(stacks []*Stack) (int, float64) {
	n, metrics := 0, 0
	for _, s := range stacks {
		if s.Template == nil {
			// Not parsed: its bytes are the same on both sides, so an estimate from
			// them counts alike on both and the difference stays exact.
			t := s.Tally
			if t == nil {
				c := CountAlarms(s.Data)
				t = &c
			}
			n += t.Alarms
			metrics += t.Metrics
			continue
		}
		for _, r := range pairsOf(s.tree().Get("Resources")) {
			if typeOf(r.Value) != "AWS::CloudWatch::Alarm" {
				continue
			}
			n++
			m := 0
			for _, q := range items(r.Value.Get("Properties").Get("Metrics")) {
				if q.Get("MetricStat") != nil {
					m++
				}
			}
			metrics += max(m, 1)
		}
	}
	return n, math.Round(float64(metrics)*alarms.MonthlyCost*100) / 100
}

// An AlarmTally is the alarms of a template that is not parsed, and the alarm metrics
// they are billed for, estimated from its bytes (CountAlarms).
type AlarmTally struct{ Alarms, Metrics int }

// CountAlarms estimates a template's alarms from its bytes, without parsing it. The
// comparison counts an unparsed template only when its bytes are the same on both
// sides, so the estimate counts alike on both and the difference stays exact; a caller
// that sees every template's bytes anyway (riglet diff, as the compile renders them)
// counts them there, in parallel, and hands the counts over in Stack.Tally.
func CountAlarms(data []byte) AlarmTally {
	a := bytes.Count(data, []byte("AWS::CloudWatch::Alarm"))
	return AlarmTally{Alarms: a, Metrics: a - bytes.Count(data, []byte("\n      Metrics:\n")) + bytes.Count(data, []byte("MetricStat:"))}
}

func itoa(n int) string { return strconv.Itoa(n) }

func money(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// common are the stacks of ss that the other env has too.
func (c *envComparison) common(ss []*Stack, other *Env) []*Stack {
	var out []*Stack
	for _, s := range ss {
		if other.stack(s.Name) != nil {
			out = append(out, s)
		}
	}
	return out
}

// lockNeedle is what a lock change's line is found by in the new lock: the rule a
// priority belongs to, or the last CIDR the change names (the new one).
func lockNeedle(kind, line string) string {
	f := strings.Fields(line)
	if kind == "stack" && len(f) > 1 {
		return " " + f[1] + ": {stackName"
	}
	if kind == "priority" {
		for i, w := range f {
			if w == "of" && i+1 < len(f) {
				return f[i+1] + ":"
			}
		}
		return ""
	}
	needle := ""
	for _, w := range f {
		if strings.Count(w, ".") == 3 && strings.Contains(w, "/") {
			needle = w
		}
	}
	return needle
}

// lockLine is the line of the new lock (as written) that holds needle below the env's
// key, or 0 when it is not there (a released allocation is gone from the lock).
func lockLine(data []byte, env, needle string) int {
	if needle == "" {
		return 0
	}
	inEnv := false
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") {
			inEnv = t == env+":"
		}
		if inEnv && strings.Contains(l, needle) {
			return i + 1
		}
	}
	return 0
}
