package main

import (
	"os"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/graphview"
)

type graphCmd struct {
	Riglet string `arg:"" name:"riglet" help:"Riglet name or spec path."`
	Env    string `short:"e" required:"" help:"The env to draw (or shared, for the stacks view)."`
	View   string `default:"stacks" enum:"stacks,network,routes" help:"stacks: deploy order and imports; network: VPC, tiers and subnets; routes: listener rules in priority order."`
	Format string `default:"mermaid" enum:"mermaid,dot" help:"mermaid (GitHub renders it in markdown) or dot (Graphviz)."`
}

func (c *graphCmd) Run(g *globals) error {
	files, err := specFiles(g.Dir, []string{c.Riglet})
	if err != nil {
		return err
	}
	var envs []string
	if c.Env != "shared" {
		envs = []string{c.Env}
	}
	res, err := compiler.Compile(os.DirFS(g.Dir), builtinBlocks(), files[0], compiler.Options{Envs: envs})
	if err != nil {
		return printErrors(g.Stderr, err)
	}
	gr, err := graphview.Build(res, c.Env, graphview.View(c.View))
	if err != nil {
		return usageError{err}
	}
	return gr.Write(g.Stdout, graphview.Format(c.Format))
}
