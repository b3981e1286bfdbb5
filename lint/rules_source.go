package lint

// The source family: what the compiler finds wrong in the riglet spec, env files and
// blocks. Each rule owns one compile error code (ir.Error.Code); a failed compile's
// errors are its findings, at the source position the compiler gave.

func sourceRule(id, name, code, family, title, doc, bad, good string) *Rule {
	return &Rule{ID: id, Name: name, Code: code, Family: family, Title: title, Doc: doc, Bad: bad, Good: good,
		Severity: Error, Scope: ScopeSource}
}

func init() {
	register(
		sourceRule("SRC001", "yaml-syntax", "yaml", "source", "a source file is not valid YAML",
			"The spec, an env file or a block cannot be parsed. Nothing else in the file is checked until it parses.",
			"stacks:\n  app: {blocks: {svc: {block: app}}\n", "stacks:\n  app: {blocks: {svc: {block: app}}}\n"),
		sourceRule("SRC002", "duplicate-key", "duplicate-key", "source", "a map has the same key twice",
			"YAML parsers silently keep one of two equal keys; riglet refuses both, naming the first as related.",
			"params:\n  DesiredCount: 2\n  DesiredCount: 3\n", "params:\n  DesiredCount: 3\n"),
		sourceRule("SRC003", "unknown-key", "unknown-key", "source", "a key riglet does not know",
			"Env files, specs and blocks have fixed keys; an unknown one is usually a typo, and silently ignoring it would drop a setting.",
			"env: staging\nregoin: us-west-2\n", "env: staging\nregion: us-west-2\n"),
		sourceRule("SRC004", "unknown-block", "unknown-block", "source", "an instance names a block that does not exist",
			"The block is neither in the repository's blocks/ nor built in. The message suggests the closest name.",
			"svc: {block: ecs-servcie}\n", "svc: {block: ecs-service}\n"),
		sourceRule("SRC005", "unknown-env", "unknown-env", "source", "an env that the riglet does not list",
			"An instance's envs: key, or --env, names an env missing from the spec's envs list, so its settings would never apply.",
			"envs:\n  prodution: {DesiredCount: 3}\n", "envs:\n  production: {DesiredCount: 3}\n"),
		sourceRule("SRC006", "unknown-parameter", "unknown-parameter", "source", "a value for a parameter the block does not have",
			"An instance, an env override or a nested block sets a parameter its block does not declare.",
			"params: {DesiredCuont: 2}\n", "params: {DesiredCount: 2}\n"),
		sourceRule("SRC007", "missing-parameter", "missing-parameter", "source", "a required parameter or alarm threshold has no value",
			"A block parameter without a Default (or a catalogue alarm marked required) must be set by the env or the instance.",
			"svc: {block: ecs-service}\n", "svc: {block: ecs-service, params: {Image: buildit/twig}}\n"),
		sourceRule("SRC008", "parameter-constraint", "parameter-constraint", "source", "a parameter value breaks the block's constraints",
			"AllowedValues, AllowedPattern, MinValue, MaxValue, MinLength and MaxLength are enforced at compile time, at the value that breaks them.",
			"params: {DesiredCount: -1}   # MinValue: 0\n", "params: {DesiredCount: 1}\n"),
		sourceRule("SRC009", "wiring", "wiring", "source", "a parameter's wiring is ambiguous or missing",
			"A wired parameter (ListenerArn from the alb block) found no instance to feed it, or several: say which with !Output.",
			"params: {}   # two alb instances\n", "params: {ListenerArn: !Output foundation.alb.ServiceListenerArn}\n"),
		sourceRule("SRC010", "cycle", "cycle", "source", "blocks, stacks or env files that depend on each other in a cycle",
			"Nested blocks, stack needs and wiring, and env extends must form no cycle; the message names the chain.",
			"a: {needs: [b]}\nb: {needs: [a]}\n", "a: {needs: [b]}\nb: {}\n"),
		sourceRule("SRC011", "modification", "modification", "source", "a service modification that does not fit",
			"A with: entry must be a modification that attaches to the instance's block, with the modifications it requires.",
			"with: [sqs-threshold]\n", "with: [autoscale, sqs-threshold]\n"),
		sourceRule("SRC012", "lock", "lock", "source", "the lock file does not match the sources",
			"riglets/<name>.lock is unreadable or holds allocations that contradict the sources.",
			"network: {staging: {cidr: not-a-cidr}}\n", "network: {staging: {cidr: 10.20.0.0/16}}\n"),
		sourceRule("SRC013", "intrinsic", "intrinsic", "source", "an intrinsic function riglet cannot fold or that is malformed",
			"Conditions and parameter references are folded at compile time; an intrinsic whose inputs are only known at deploy time cannot be, and a malformed one is an error.",
			"Condition: !Equals [!GetAtt Queue.Arn, x]\n", "Condition: !Equals [!Ref Mode, x]\n"),
		sourceRule("SRC014", "version", "version", "source", "the spec requires another riglet version",
			"requires: pins the riglet versions a spec was written for, so that an upgrade never silently changes what is deployed.",
			"requires: \">= 9.0\"\n", "requires: \">= 0.1\"\n"),
		sourceRule("SRC015", "compile-error", "other", "source", "any other problem the compiler reports",
			"Compile errors without a more specific rule: unreadable files, bad values, names over AWS limits and the like.",
			"account: 1234\n", "account: \"123456789012\"\n"),
		sourceRule("NET001", "network-plan", "network", "network", "the CIDR plan cannot be made",
			"Env CIDRs overlapping or outside the pool, a VPC size outside /16../28, tiers that do not fit the VPC, subnets outside their VPC or overlapping: the compiler's network plan reports them at the value in the spec or env file.",
			"cidr: 10.20.0.0/12\n", "cidr: 10.20.0.0/16\n"),
		sourceRule("LB001", "priority-plan", "priority", "load-balancing", "listener rule priorities cannot be derived",
			"Two rules with one priority, a priority outside 1..50000, overlapping rules where neither is narrower, no free priority between neighbours, or a listener over its quota: the compiler's priority pass reports them at the instance.",
			"ListenerRulePriority: 100   # twice on one listener\n", "ListenerRulePriority: 110\n"),
	)
	register(
		&Rule{ID: idNoReason, Name: "ignore-without-reason", Family: "lint", Severity: Error, Scope: ScopeSource,
			Title: "a suppression gives no reason",
			Doc:   "Every `# riglet:ignore ID reason` comment and every instance `ignore: {ID: reason}` must say why the finding does not apply, so that a reviewer can judge it. The suppression still applies.",
			Bad:   "Properties:  # riglet:ignore SEC003\n", Good: "Properties:  # riglet:ignore SEC003 the queue holds only public events\n"},
		&Rule{ID: idUnused, Name: "unused-ignore", Family: "lint", Severity: Warning, Scope: ScopeSource,
			Title: "a suppression suppresses nothing",
			Doc:   "A suppression that no finding needs any more is stale: it would silently hide a future finding on that line. Reported only when every env is linted.",
			Bad:   "DelaySeconds: 0  # riglet:ignore SEC003 old\n", Good: "DelaySeconds: 0\n"},
		&Rule{ID: idUnknown, Name: "ignore-unknown-rule", Family: "lint", Severity: Error, Scope: ScopeSource,
			Title: "a suppression names a rule that does not exist",
			Doc:   "The ID in a suppression is mistyped or names a retired rule, so it suppresses nothing.",
			Bad:   "# riglet:ignore SEC03 internal only\n", Good: "# riglet:ignore SEC003 internal only\n"},
	)
}
