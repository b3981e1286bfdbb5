package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/riglet/riglet/model"
)

type versionCmd struct{}

func (versionCmd) Run(g *globals) error {
	fmt.Fprint(g.Stdout, versionText(buildInfo()))
	return nil
}

// buildInfo is what Go recorded in the binary; nil when it recorded nothing.
func buildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

// versionText says which riglet this is: the version specs pin with requires:, the
// module version it was installed as (go install ...@v0.3.0), and the commit and
// commit time it was built from, "+modified" when the tree had changes, so that a
// bug report names the exact source.
func versionText(bi *debug.BuildInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "riglet %s\n", model.Version)
	if bi == nil {
		b.WriteString("build info: none recorded\n")
		return b.String()
	}
	mod := bi.Main.Version
	if mod == "" {
		mod = "(devel)"
	}
	path := bi.Main.Path
	if path == "" {
		path = "github.com/riglet/riglet"
	}
	fmt.Fprintf(&b, "module: %s %s\n", path, mod)
	rev, when, modified := "unknown", "unknown", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		rev += "+modified"
	}
	fmt.Fprintf(&b, "revision: %s\ndate: %s\n", rev, when)
	if bi.GoVersion != "" {
		fmt.Fprintf(&b, "go: %s\n", bi.GoVersion)
	}
	return b.String()
}
