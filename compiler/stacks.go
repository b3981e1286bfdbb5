package compiler

import "github.com/riglet/riglet/model"

// recordStacks records in the lock every env's stacks as compiled (all envs, not only
// the selected ones, as for priorities), retiring those that are gone.
func (c *compilation) recordStacks(results []*EnvResult, returned []*EnvResult) {
	live := map[string]map[string]model.StackEntry{}
	for _, er := range results {
		if er != nil {
			live[er.Env] = stackEntries(er)
		}
	}
	for _, er := range returned {
		if er.Env == "shared" {
			live["shared"] = stackEntries(er)
		}
	}
	c.lock.RecordStacks(live)
}

func stackEntries(er *EnvResult) map[string]model.StackEntry {
	m := map[string]model.StackEntry{}
	for _, s := range er.Stacks {
		m[s.Name] = model.StackEntry{StackName: s.StackName, Needs: append([]string(nil), s.Needs...)}
	}
	return m
}

// retiredStacks are the stacks of er's env that the lock holds and the compile did not
// make (or held retired already), in delete order. It reads the lock as it was read,
// which nothing writes until every env is compiled.
func (c *compilation) retiredStacks(er *EnvResult) []model.RetiredStack {
	l := &model.Lock{Stacks: map[string]map[string]model.StackEntry{er.Env: c.lock.Stacks[er.Env]}}
	l.RecordStacks(map[string]map[string]model.StackEntry{er.Env: stackEntries(er)})
	return l.RetiredStacks(er.Env)
}
