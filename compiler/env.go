package compiler

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/internal/phase"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// envCompile is the state of compiling one env (or the shared stacks).
type envCompile struct {
	c         *compilation
	env       *model.Env // nil for shared
	envName   string     // "" for shared
	ctx       *eval.Env
	outs      map[string]*stackOut
	exps      map[*model.Instance]*expansion
	needs     map[string]map[string]bool     // stack -> stacks it needs
	exports   map[string]map[string]*ir.Node // stack -> output ID -> export name
	origins   map[string]map[string]ParamOrigin
	instances []*model.Instance
	failed    map[*model.Instance]bool // wiring failed: expanding would only repeat the error
	exportIDs map[string]string        // export name -> stack.instance.Output it carries
	errs      *ir.Errors               // this env's problems; envs compile in parallel
	consts    map[*alarms.Entry]*alarmConst
	balancers map[string]*ir.Node // stackAlarms: each target group's LoadBalancer dimension
	// slotsAsked is the highest network.slot.* number each instance asked for (checkSlots)
	slotsAsked map[string]int
	// blamed says which stack made each problem found while an instance was decided or
	// expanded, so that a partial compile leaves out that stack only (partial.go)
	blamed map[*ir.Error]string
	// absentWires folds the wiring errors of one reader and one absent producer (absentWire)
	absentWires map[[2]*model.Instance]*absentWired
	// exportLog, when set, collects the exports resolveOutput makes instead of
	// recording them (a worker of addAlarms; the stacks' logs are applied in order)
	exportLog *[]exportWrite
	// opsTopicRef is the alarms' ops topic output, once found (opsTopic)
	opsTopicRef *string
	// expsMu, when set, guards exps while instances expand in parallel
	expsMu *sync.Mutex
}

// expansionSlot is what one instance's expansion makes beside its stack, when the
// instances expand in parallel: applied in order afterwards.
type expansionSlot struct {
	done       chan struct{}
	errs       ir.Errors
	blamed     map[*ir.Error]string
	exports    []exportWrite
	slotsAsked map[string]int
}

// expandParallel expands the instances of todo (in dependency order) on this
// goroutine and on the envs' idle slots (helpWith), and reports whether it did: not
// when an instance depends on one after it. An instance expands once those it reads
// the outputs of (deps) and the one before it in its stack (which the deploy-time
// parameter names and DependsOn of a stack read) have: what it reads is then what
// it would read expanding in order, and it writes nothing another instance reads but
// its stack (stackOut) and exps. Its problems, their blame, its exports and the AZ
// slots it asks for are kept per instance and applied in order, as the loop in run
// would have made them.
func (ec *envCompile) expandParallel(todo []*model.Instance, values map[*model.Instance]map[string]layered, deps map[*model.Instance][]*model.Instance) bool {
	idx := make(map[*model.Instance]int, len(todo))
	for i, in := range todo {
		idx[in] = i
	}
	waits := make([][]int, len(todo))
	last := map[string]int{} // by name: the stackOut it writes
	for i, in := range todo {
		if j, ok := last[in.Stack.Name]; ok {
			waits[i] = append(waits[i], j)
		}
		last[in.Stack.Name] = i
		for _, d := range deps[in] {
			if j, ok := idx[d]; ok {
				if j >= i {
					return false
				}
				waits[i] = append(waits[i], j)
			}
		}
	}
	slots := make([]expansionSlot, len(todo))
	for i := range slots {
		slots[i].done = make(chan struct{})
	}
	ec.expsMu = &sync.Mutex{}
	ec.c.helpWith(len(todo), func() func(int) {
		w := *ec
		return func(i int) {
			for _, j := range waits[i] {
				<-slots[j].done
			}
			sl := &slots[i]
			w.errs, w.blamed, w.exportLog, w.slotsAsked = &sl.errs, nil, &sl.exports, nil
			w.expandInstance(todo[i], values[todo[i]])
			sl.blamed, sl.slotsAsked = w.blamed, w.slotsAsked
			close(sl.done)
		}
	})
	ec.expsMu = nil
	for i, in := range todo {
		sl := &slots[i]
		from := len(*ec.errs)
		*ec.errs = append(*ec.errs, sl.errs...)
		for e, s := range sl.blamed {
			ec.blameStack(e, s)
		}
		ec.blame(from, in)
		for _, x := range sl.exports {
			ec.setExport(x)
		}
		for p, n := range sl.slotsAsked {
			if ec.slotsAsked == nil {
				ec.slotsAsked = map[string]int{}
			}
			ec.slotsAsked[p] = max(ec.slotsAsked[p], n)
		}
	}
	return true
}

func (c *compilation) compileEnv(env *model.Env) (*EnvResult, *ir.Errors) {
	ec := c.newEnvCompile(env)
	for _, s := range c.spec.Stacks {
		if !s.Shared && s.In(env.Name) {
			ec.addStack(s)
		}
	}
	ec.checkCertificates()
	ec.run()
	phase.Mark("env expanded " + env.Name)
	er := &EnvResult{Env: env.Name, EnvFile: env, Network: c.plans[env.Name], Params: ec.origins, Account: env.Account, Region: env.Region}
	if blocks := c.certificateBlocks(env.Name); len(blocks) > 0 {
		er.certificateBlock = blocks[0]
	}
	ec.checkEnv()
	er.Priorities = ec.assignPriorities()
	phase.Mark("env priorities " + env.Name)
	er.Alarms = ec.addAlarms()
	phase.Mark("env alarms " + env.Name)
	er.Stacks = ec.assemble()
	er.blamed = ec.blamed
	return er, ec.errs
}

func (c *compilation) compileShared() (*EnvResult, *ir.Errors) {
	// Shared stacks deploy to the account and region of the riglet's first env.
	first := c.envs[c.spec.Envs[0]]
	ec := c.newEnvCompile(first)
	ec.env, ec.envName = nil, ""
	for _, s := range c.spec.Stacks {
		if s.Shared {
			ec.addStack(s)
		}
	}
	ec.run()
	er := &EnvResult{Env: "shared", Params: ec.origins, Account: first.Account, Region: first.Region}
	er.Stacks = ec.assemble()
	er.blamed = ec.blamed
	return er, ec.errs
}

func (c *compilation) newEnvCompile(env *model.Env) *envCompile {
	return &envCompile{c: c, env: env, envName: env.Name, errs: &ir.Errors{},
		ctx:  &eval.Env{Name: env.Name, Account: env.Account, Region: env.Region, AZs: env.AZs},
		outs: map[string]*stackOut{}, exps: map[*model.Instance]*expansion{}, failed: map[*model.Instance]bool{}, exportIDs: map[string]string{},
		needs: map[string]map[string]bool{}, exports: map[string]map[string]*ir.Node{},
		origins: map[string]map[string]ParamOrigin{}}
}

func (ec *envCompile) addStack(s *model.Stack) {
	ec.outs[s.Name] = &stackOut{name: ec.c.stackName(ec.envName, s.Name), origins: map[string]*Origin{}}
	ec.needs[s.Name] = map[string]bool{}
	for _, n := range s.Needs {
		ec.needs[s.Name][n] = true
	}
	ec.instances = append(ec.instances, ec.present(s)...)
}

// run expands every instance, producers before consumers.
func (ec *envCompile) run() {
	values := map[*model.Instance]map[string]layered{}
	deps := map[*model.Instance][]*model.Instance{}
	opaque := false // an instance may read an expansion deps does not name
	for _, in := range ec.instances {
		b, _ := ec.c.lib.Get(in.Block)
		if b == nil {
			continue
		}
		from := len(*ec.errs)
		values[in] = ec.layers(in, b)
		ec.blame(from, in)
		if values[in] == nil {
			values[in] = map[string]layered{}
		}
		sources := make([]*ir.Node, 0, len(values[in])+len(in.With))
		for _, k := range sortedKeys(values[in]) { // sorted: the order of expansion shows in the output
			sources = append(sources, values[in][k].v)
		}
		for _, m := range in.With { // a modification's !Output is a dependency too
			sources = append(sources, m.Params)
		}
		for _, src := range sources {
			ir.Walk(src, func(m *ir.Node) bool {
				if fn, a, ok := m.Intrinsic(); ok && fn == source.OutputFn {
					if a.Kind != ir.String {
						opaque = true // names its producer only once evaluated
					} else if p, _, _ := ec.findOutput(a.Text, m.Pos, false); p != nil {
						deps[in] = append(deps[in], p)
					}
				}
				return true
			})
		}
	}
	var roots []*model.Instance
	for _, in := range ec.instances {
		if values[in] != nil {
			roots = append(roots, in)
		}
	}
	order, cycles := graph.Sort(roots, func(in *model.Instance) []*model.Instance { return deps[in] })
	for _, c := range cycles {
		var chain []string // the walk that reached the cycle, then the cycle
		for _, p := range c.Path[:len(c.Path)-1] {
			chain = append(chain, p.Stack.Name+"."+p.Name)
		}
		in := c.Path[len(c.Path)-1]
		ec.errs.AddCode(ir.CodeCycle, in.Pos, "instances read each other's outputs in a cycle: %s", strings.Join(append(chain, in.Stack.Name+"."+in.Name), " -> "))
	}
	var todo []*model.Instance
	for _, in := range order {
		if !ec.failed[in] && values[in] != nil {
			todo = append(todo, in)
		}
	}
	// A modification's env params are evaluated in its expansion, outside deps.
	if ec.env != nil && ec.env.Params != nil {
		ir.Walk(ec.env.Params, func(m *ir.Node) bool {
			if fn, _, ok := m.Intrinsic(); ok && fn == source.OutputFn {
				opaque = true
			}
			return !opaque
		})
	}
	// riglet compile and diff (RenderOnly: no plan --explain origins, which every
	// expansion writes) expand the instances in parallel when a core is idle; any
	// other compile, or one whose dependencies are not all known (a cycle, an !Output
	// named by an expression), expands them one by one, in order.
	if !ec.c.opts.RenderOnly || opaque || len(cycles) > 0 || !ec.expandParallel(todo, values, deps) {
		for _, in := range todo {
			from := len(*ec.errs)
			ec.expandInstance(in, values[in])
			ec.blame(from, in)
		}
	}
	if ec.env != nil {
		ec.checkSlots()
	}
}

// wire finds the one instance of the block that feeds a parameter.
func (ec *envCompile) wire(in *model.Instance, param string, w model.Wire) *ir.Node {
	var found, elsewhere []*model.Instance
	ec.c.allInstances()
	for _, other := range ec.c.byBlock[w.Block] {
		if other != in && (other.Stack.Shared == (ec.env == nil)) {
			if ec.env != nil && !other.In(ec.envName) {
				elsewhere = append(elsewhere, other)
				continue
			}
			found = append(found, other)
		}
	}
	switch {
	case len(found) == 0 && len(elsewhere) > 0:
		// the riglet has the producer, but not here: the default would deploy in
		// silence what the spec never asked for in this env
		ec.failed[in] = true
		ec.absentWire(in, param, w.Block, elsewhere[0])
		return nil
	case len(found) == 0:
		return nil
	case len(found) == 1:
		p := found[0]
		return ir.Fn(source.OutputFn, ir.Str(p.Stack.Name+"."+p.Name+"."+w.Output, in.Pos), in.Pos)
	}
	var names []string
	for _, f := range found {
		names = append(names, f.Stack.Name+"."+f.Name)
	}
	ec.failed[in] = true
	ec.errs.AddCode(ir.CodeWiring, in.Pos, "%s.%s: parameter %s could come from any of %s (%s blocks); say which with %s: !Output %s.%s",
		in.Stack.Name, in.Name, param, strings.Join(names, ", "), w.Block, param, names[0], w.Output)
	return nil
}

// allInstances indexes the spec's instances once. It runs before the envs compile in
// parallel and then only reads; indexed, not c.instances != nil, says it ran, since a
// riglet without instances (a partial compile's, say) would index again in every env.
func (c *compilation) allInstances() []*model.Instance {
	if !c.indexed {
		c.indexed = true
		c.byPath, c.byName, c.byBlock = map[string]*model.Instance{}, map[string][]*model.Instance{}, map[string][]*model.Instance{}
		for _, s := range c.spec.Stacks {
			for _, in := range s.Instances {
				c.instances = append(c.instances, in)
				c.byPath[s.Name+"."+in.Name] = in
				c.byName[in.Name] = append(c.byName[in.Name], in)
				c.byBlock[in.Block] = append(c.byBlock[in.Block], in)
			}
		}
	}
	return c.instances
}

// derived returns the value a Metadata.Riglet.Derived key stands for in this env.
func (ec *envCompile) derived(key string, path string, p ir.Pos) *ir.Node {
	env := ec.env
	str := func(s string) *ir.Node { return ir.Str(s, p) }
	switch key {
	case "riglet.name":
		return str(ec.c.spec.Name)
	case "riglet.owner":
		return str(ec.c.spec.Owner)
	case "listener.priority":
		return ir.Fn(priorityFn, ir.Str(path, p), p)
	}
	if env == nil {
		ec.errs.AddCode(ir.CodeIntrinsic, p, "%s: %s is not known in a shared stack", path, key)
		return nil
	}
	switch key {
	case "env.name":
		return str(env.Name)
	case "env.account":
		return str(env.Account)
	case "env.region":
		return str(env.Region)
	case "env.domain":
		return str(env.Domain)
	case "env.certificate":
		return str(env.Certificate)
	case "env.hosted_zone":
		return str(env.HostedZone)
	case "env.production":
		return str(strconv.FormatBool(env.Name == "production" || env.Name == "prod"))
	case "env.alarm_email":
		return str(env.Alarms.Email)
	}
	plan := ec.c.plans[env.Name]
	if plan == nil {
		return nil
	}
	switch {
	case key == "network.cidr":
		return str(plan.CIDR.String())
	case key == "network.azs":
		l := ir.NewList(p)
		for _, az := range env.AZs {
			l.Items = append(l.Items, str(az))
		}
		return l
	case strings.HasPrefix(key, "network.az."):
		n := atoi(strings.TrimPrefix(key, "network.az."))
		if n >= 1 && n <= len(env.AZs) {
			return str(env.AZs[n-1])
		}
		return str("")
	case key == "network.slot.az.first":
		return str(ec.firstSlotAZ())
	case strings.HasPrefix(key, "network.slot.az."):
		if az, ok := ec.azInSlot(path, atoi(strings.TrimPrefix(key, "network.slot.az."))); ok {
			return str(az)
		}
		return str("")
	case strings.HasPrefix(key, "network.slot.subnet."):
		rest := strings.TrimPrefix(key, "network.slot.subnet.")
		i := strings.LastIndexByte(rest, '.')
		if az, ok := ec.azInSlot(path, atoi(rest[i+1:])); ok {
			return str(subnetOf(plan, rest[:i], az))
		}
		return str("")
	case strings.HasPrefix(key, "network.subnets."):
		tier := strings.TrimPrefix(key, "network.subnets.")
		l := ir.NewList(p)
		for _, az := range env.AZs {
			l.Items = append(l.Items, str(subnetOf(plan, tier, az)))
		}
		return l
	case strings.HasPrefix(key, "network.subnet."):
		rest := strings.TrimPrefix(key, "network.subnet.")
		i := strings.LastIndexByte(rest, '.')
		tier, n := rest[:i], atoi(rest[i+1:])
		if n >= 1 && n <= len(env.AZs) {
			return str(subnetOf(plan, tier, env.AZs[n-1]))
		}
		return str("")
	}
	return nil
}

// priorityFn marks a listener rule priority the priority pass derives.
const priorityFn = eval.PriorityFn

// findOutput resolves "[env:]stack.instance.Output" or "instance.Output".
func (ec *envCompile) findOutput(ref string, p ir.Pos, report bool) (*model.Instance, string, string) {
	envName := ""
	if e, rest, ok := strings.Cut(ref, ":"); ok {
		envName, ref = e, rest
	}
	// ref's parts, split without allocating (this runs for every wired reference)
	n := strings.Count(ref, ".") + 1
	var parts [3]string
	var rest string
	parts[0], rest, _ = strings.Cut(ref, ".")
	parts[1], parts[2], _ = strings.Cut(rest, ".")
	var cands []*model.Instance
	var output string
	switch n {
	case 3:
		ec.c.allInstances()
		if in := ec.c.byPath[parts[0]+"."+parts[1]]; in != nil {
			cands = append(cands, in)
		}
		output = parts[2]
	case 2:
		ec.c.allInstances()
		cands = ec.c.byName[parts[0]]
		output = parts[1]
	default:
		if report {
			ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: name an output as stack.instance.Output", ref)
		}
		return nil, "", ""
	}
	if len(cands) != 1 {
		if report {
			if len(cands) == 0 {
				var names []string
				for _, in := range ec.c.allInstances() {
					names = append(names, in.Stack.Name+"."+in.Name)
				}
				ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: no such instance%s", ref, didYouMean(strings.Join(parts[:n-1], "."), names))
			} else {
				ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: several instances are called %s; name the stack too", ref, parts[0])
			}
		}
		return nil, "", ""
	}
	if envName != "" {
		if slices.Contains(ec.c.spec.Envs, envName) && !cands[0].In(envName) {
			if report {
				ec.absent("!Output "+envName+":"+ref, cands[0], envName, p)
			}
			return nil, "", ""
		}
		return nil, envName, output // another env: not a dependency inside this compile
	}
	if ec.env != nil && !cands[0].In(ec.envName) {
		if report {
			ec.absent("!Output "+ref, cands[0], ec.envName, p)
		}
		return nil, "", ""
	}
	return cands[0], envName, output
}
