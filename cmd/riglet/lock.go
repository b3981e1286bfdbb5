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
	Prune lockPruneCmd `cmd:"" help:"Release retired allocations (listener rule priorities of removed services) once their stacks are gone from AWS."`
}

type lockPruneCmd struct {
	Riglet string   `arg:"" name:"riglet" help:"Riglet name or spec path."`
	Env    []string `short:"e" help:"Only these envs (repeatable; default: all)."`
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
		fmt.Fprintf(g.Stdout, "%s: released priority %d of %s on %s\n", r.Env, r.Priority, r.Key, r.Listener)
	}
	data := res.Lock.Marshal(res.Spec.File)
	if bytes.Equal(data, res.OldLock) {
		fmt.Fprintf(g.Stdout, "%s: nothing retired\n", res.LockFile)
		return nil
	}
	if err := outdir.WriteFile(filepath.Join(g.Dir, filepath.FromSlash(res.LockFile)), data); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%s: %d retired allocations released\n", res.LockFile, len(released))
	return nil
}
