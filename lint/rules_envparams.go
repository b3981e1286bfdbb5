package lint

// SRC024: env params that reach nothing. An env file's params reach the riglet's
// instances by name, so a misspelt key silently leaves the block default deployed. Env
// files are shared by the riglets of a repository, and a key one riglet lacks may be
// another's setting, so this is a warning of the riglet that lacks it, not a compile error.

func init() {
	register(&Rule{ID: "SRC024", Name: "unused-env-param", Family: "source", Severity: Warning, Scope: ScopeRiglet,
		Title: "an env param that no block of the riglet has",
		Doc:   "Env params reach the riglet's top-level instances (and their modifications) by parameter name. A key no block of the riglet declares does nothing for it: usually a typo, which leaves the block default deployed. When another riglet of the repository uses the key, ignore the finding with a reason.",
		Bad:   "params:\n  DesiredCont: 2\n", Good: "params:\n  DesiredCount: 2\n",
		Run: runUnusedEnvParams})
}

func runUnusedEnvParams(p *Pass) {
	if p.Result == nil {
		return
	}
	for _, e := range p.Result.UnusedEnvParams {
		p.ReportAt(e.Pos, "%s", e.Msg)
	}
}
