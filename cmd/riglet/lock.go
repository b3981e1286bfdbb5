package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/outdir"
)

type lockCmd struct {
	Prune lockPruneCmd `cmd:"" help:"Release retired allocations (removed stacks, listener rule priorities of removed services, VPCs of removed envs, subnets of removed AZs) once their stacks are gone from AWS."`
}

type lockPruneCmd struct {
	Riglet string   `arg:"" name:"riglet" help:"Riglet name or spec path."`
	Env    []string `short:"e" help:"Only these envs (repeatable; default: all)."`
	Out    string   `default:"out" help:"Output directory: its stacks.json list the retired stacks, so it is written with the lock."`
}

func (c *lockPruneCmd) Run(g *globals) error {
	files, err := specFiles(g.Dir, []string{c.Riglet})
	if err != nil {
		return err
	}
	res, err := compiler.Compile(os.DirFS(g.Dir), builtinBlocks(), files[0], compiler.Options{})
	if err != nil {
		return printErrors(g.Stderr, err)
	}
	released := res.Prune(c.Env)
	for _, r := range released {
		switch {
		case r.Stack != "":
			fmt.Fprintf(g.Stdout, "%s: released stack %s (%s), removed from the spec\n", r.Env, r.Stack, r.StackName)
		case r.Listener != "":
			fmt.Fprintf(g.Stdout, "%s: released priority %d of %s on %s\n", r.Env, r.Priority, r.Key, r.Listener)
		case r.Tier != "":
			fmt.Fprintf(g.Stdout, "%s: released subnet %s of tier %s in AZ %s\n", r.Env, r.CIDR, r.Tier, r.AZ)
		default:
			fmt.Fprintf(g.Stdout, "%s: released VPC %s of the removed env\n", r.Env, r.CIDR)
		}
	}
	data := res.Lock.Marshal(res.Spec.File)
	if bytes.Equal(data, res.OldLock) {
		fmt.Fprintf(g.Stdout, "%s: nothing retired\n", res.LockFile)
		return nil
	}
	// stacks.json lists the retired stacks for make delete-retired: the env directories
	// and the lock are written as one unit, as a compile writes them.
	out := c.Out
	if !filepath.IsAbs(out) {
		out = filepath.Join(g.Dir, out)
	}
	if err := outdir.WriteAll(out, []*outdir.Riglet{output(g.Dir, out, res, true)}); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%s: %d retired allocations released\n", res.LockFile, len(released))
	return nil
}
