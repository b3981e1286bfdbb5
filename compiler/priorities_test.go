package compiler_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
)

// externalFS is a riglet whose services attach to listeners it does not own, each
// listener written the same way in two stacks.
func externalFS(listener string, lock []byte) fstest.MapFS {
	var b strings.Builder
	b.WriteString("riglet: ext\nowner: acme\nenvs: [dev]\nstacks:\n")
	for i, p := range []string{"/b/*", "/b/v2/*", "/c"} {
		fmt.Fprintf(&b, "  svc%d:\n    blocks:\n      s: {block: svc, params: {Path: %q, ListenerArn: %s}}\n", i, p, listener)
	}
	fsys := fstest.MapFS{
		"envs/dev.yaml":         {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.4.0.0/16\nalarms: {profile: none}\n")},
		"riglets/ext.yaml":      {Data: []byte(b.String())},
		"blocks/svc/block.yaml": {Data: []byte(svcBlock)},
	}
	if lock != nil {
		fsys["riglets/ext.lock"] = &fstest.MapFile{Data: lock}
	}
	return fsys
}

// Rules on one listener value share one numbering whatever stack they are in: the
// narrower /b/v2/* comes before /b/*, no two share a number, and the lock keys the
// listener by its value and reads back as written.
func TestExternalListenersShareNumbering(t *testing.T) {
	for _, l := range []struct{ spec, key string }{
		{`"arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/f2f7dc8efc522ab2"`, "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/f2f7dc8efc522ab2"},
		{`"{{resolve:ssm:/shared/edge/listener}}"`, "{{resolve:ssm:/shared/edge/listener}}"},
		{`!ImportValue shared-edge-listener`, "shared-edge-listener"},
	} {
		res, err := compiler.Compile(externalFS(l.spec, nil), builtinAlarms, "riglets/ext.yaml", compiler.Options{})
		if err != nil {
			t.Fatalf("%s: %v", l.spec, err)
		}
		byPath := map[string]int{}
		seen := map[int]string{}
		for _, a := range res.Envs[0].Priorities {
			if k, ok := seen[a.Priority]; ok {
				t.Errorf("%s: %s and %s both have priority %d", l.spec, k, a.Key, a.Priority)
			}
			seen[a.Priority] = a.Key
			byPath[a.Paths[0]] = a.Priority
		}
		if len(byPath) != 3 || byPath["/b/v2/*"] >= byPath["/b/*"] {
			t.Errorf("%s: /b/v2/* must come before /b/*: %v", l.spec, byPath)
		}
		lock := res.Lock.Marshal("riglets/ext.yaml")
		if !strings.Contains(string(lock), l.key) {
			t.Errorf("%s: the lock does not key the listener by its value:\n%s", l.spec, lock)
		}
		again, err := compiler.Compile(externalFS(l.spec, lock), builtinAlarms, "riglets/ext.yaml", compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := again.Lock.Marshal("riglets/ext.yaml"); string(got) != string(lock) {
			t.Errorf("%s: the lock does not round-trip:\n%s\nthen\n%s", l.spec, lock, got)
		}
	}
}
