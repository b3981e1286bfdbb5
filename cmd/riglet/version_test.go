package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/riglet/riglet/model"
)

// TestVersionText: the version names the riglet version specs pin, the module
// version, and the commit, its time and whether the tree was modified, from what Go
// recorded; a binary without VCS stamps says so rather than inventing one.
func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/riglet/riglet", Version: "v0.3.1"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "f1be5822aa5a"}, {Key: "vcs.time", Value: "2026-12-01T23:10:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "riglet " + model.Version + "\nmodule: github.com/riglet/riglet v0.3.1\nrevision: f1be5822aa5a+modified\ndate: 2026-12-01T23:10:00Z\ngo: go1.26.8\n"
	if got := versionText(bi); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	bi.Settings = bi.Settings[:2]
	if got := versionText(bi); !strings.Contains(got, "revision: f1be5822aa5a\n") {
		t.Errorf("an unmodified tree: %s", got)
	}
	bi.Settings, bi.Main.Version = nil, ""
	if got := versionText(bi); !strings.Contains(got, "(devel)") || !strings.Contains(got, "revision: unknown\ndate: unknown\n") {
		t.Errorf("no VCS stamps: %s", got)
	}
	if got := versionText(nil); !strings.HasPrefix(got, "riglet "+model.Version+"\n") {
		t.Errorf("no build info: %s", got)
	}
}
