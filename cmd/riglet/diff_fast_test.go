package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/diff"
	"github.com/riglet/riglet/internal/benchgen"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// TestDiffSkipsOnlyWhatIsSame: riglet diff reads and parses only the templates whose
// bytes differ (the blob IDs of git's tree, or the bytes of --old's), keeps only their
// trees in the compile, and takes an unchanged lock for the new one. On random changes
// of the sources (images, ports, services added, removed and renamed, modifications,
// env params) and of the committed output (templates edited, broken, deleted, a
// stacks.json or a whole env gone, the lock edited), against git and against --old,
// for every env or one, it reports exactly what the comparison of everything reports.
func TestDiffSkipsOnlyWhatIsSame(t *testing.T) {
	dir := t.TempDir()
	for p, b := range benchgen.Files(5) {
		write(t, dir, p, string(b))
	}
	if code := run([]string{"-C", dir, "compile"}, io.Discard, os.Stderr); code != 0 {
		t.Fatalf("compile: exit %d", code)
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")
	base := baseCommit(t, dir)
	cases := 30
	rng := rand.New(rand.NewPCG(11, 1))
	kinds := map[string]int{}
	compared, changed := 0, 0
	for i := range cases {
		git(t, dir, "reset", "-q", "--hard", base)
		git(t, dir, "clean", "-qfdx")
		var did []string
		for range 1 + rng.IntN(3) {
			did = append(did, editOld(t, rng, dir))
		}
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprint(i))
		// the lock edited is the committed one: the compile reads the working tree's
		git(t, dir, "checkout", "-q", base, "--", "riglets/bench.lock")
		for range rng.IntN(3) {
			did = append(did, editSpec(t, rng, dir))
		}
		for _, d := range did {
			kinds[strings.Fields(d)[0]]++
		}
		var envs []string
		if rng.IntN(4) == 0 {
			envs = []string{"staging"}
		}
		for _, old := range []string{"", "out"} {
			g := &globals{Stdout: io.Discard, Stderr: io.Discard, Dir: dir}
			c := &diffCmd{Env: envs, Old: old, Format: "text", Out: "out"}
			fast, ferr := c.riglets(g)
			full, err := fullDiff(g, c)
			if (ferr == nil) != (err == nil) {
				t.Fatalf("case %d %v (--old %q): fast error %v, full error %v", i, did, old, ferr, err)
			}
			if d := cmp.Diff(full, fast, cmp.Exporter(func(reflect.Type) bool { return true })); d != "" {
				t.Fatalf("case %d %v (--old %q, envs %v): report (-full +fast):\n%s", i, did, old, envs, d)
			}
			if ferr != nil {
				continue
			}
			compared++
			for _, e := range fast.Riglets[0].Envs {
				if len(e.Changes) > 0 {
					changed++
					break
				}
			}
		}
	}
	// the cases compile, find changes, and are made of every kind of edit
	if compared < cases || changed < cases {
		t.Errorf("of %d comparisons, %d compiled and %d found changes", 2*cases, compared, changed)
	}
	for _, k := range []string{"image", "port", "remove", "add", "rename", "autoscale", "param", "touch", "edit", "break", "delete", "manifest", "env", "lock"} {
		if kinds[k] == 0 {
			t.Errorf("no case did %s (%v)", k, kinds)
		}
	}
}

func baseCommit(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "rev-list", "--max-parents=0", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// services are the spec's service stacks: each chunk of the spec from "  app-svc" to
// the next.
func services(spec string) (head string, svcs []string) {
	parts := strings.Split(spec, "\n  app-")
	head = parts[0]
	for _, p := range parts[1:] {
		svcs = append(svcs, "\n  app-"+p)
	}
	return head, svcs
}

// editSpec changes the sources in the working tree (the new side), one random edit.
func editSpec(t *testing.T, rng *rand.Rand, dir string) string {
	p := filepath.Join(dir, "riglets", "bench.yaml")
	b, _ := os.ReadFile(p)
	head, svcs := services(string(b))
	k := rng.IntN(len(svcs))
	name := strings.TrimSuffix(strings.Fields(svcs[k])[0], ":")
	var did string
	switch rng.IntN(7) {
	case 0:
		svcs[k] = strings.Replace(svcs[k], "\n          Image: example/", "\n          Image: example/v2-", 1)
		did = "image"
	case 1:
		svcs[k] = strings.Replace(svcs[k], "ContainerPort: 8080", fmt.Sprintf("ContainerPort: %d", 8000+rng.IntN(99)), 1)
		did = "port"
	case 2:
		if len(svcs) > 2 {
			svcs = append(svcs[:k], svcs[k+1:]...)
		}
		did = "remove"
	case 3:
		n := fmt.Sprintf("new%d", rng.IntN(1000))
		s := strings.Replace(svcs[k], "app-svc", "app-"+n+"-svc", 1)
		s = strings.Replace(s, "PathPattern: /svc", "PathPattern: /"+n+"/svc", 1)
		svcs = append(svcs, s)
		did = "add"
	case 4:
		svcs[k] = strings.Replace(svcs[k], "\n      service:\n", "\n      svc:\n", 1)
		did = "rename"
	case 5:
		if strings.Contains(svcs[k], "with: [autoscale]") {
			svcs[k] = strings.Replace(svcs[k], "        with: [autoscale]\n", "", 1)
		} else {
			svcs[k] = strings.TrimSuffix(svcs[k], "\n") + "\n        with: [autoscale]\n"
		}
		did = "autoscale"
	case 6:
		env := filepath.Join(dir, "envs", []string{"integration", "staging", "production"}[rng.IntN(3)]+".yaml")
		e, _ := os.ReadFile(env)
		os.WriteFile(env, bytes.Replace(e, []byte("params:\n"), []byte(fmt.Sprintf("params:\n  DesiredCount: %d\n", 2+rng.IntN(3))), 1), 0o644)
		return "param"
	}
	os.WriteFile(p, []byte(head+strings.Join(svcs, "")), 0o644)
	return did + " " + name
}

// editOld changes the committed output (the old side), one random edit.
func editOld(t *testing.T, rng *rand.Rand, dir string) string {
	var templates []string
	filepath.WalkDir(filepath.Join(dir, "out"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".yaml") {
			templates = append(templates, p)
		}
		return nil
	})
	sort.Strings(templates)
	if len(templates) == 0 {
		return "touch nothing"
	}
	p := templates[rng.IntN(len(templates))]
	b, _ := os.ReadFile(p)
	rel, _ := filepath.Rel(dir, p)
	switch rng.IntN(7) {
	case 0: // other bytes, the same template
		b = append(b, '\n')
		os.WriteFile(p, b, 0o644)
		return "touch " + rel
	case 1: // a value changes
		lines := strings.Split(string(b), "\n")
		for range 20 {
			j := rng.IntN(len(lines))
			if strings.Contains(lines[j], ": ") && !strings.HasSuffix(lines[j], ":") {
				lines[j] += "x"
				break
			}
		}
		os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)
		return "edit " + rel
	case 2:
		os.WriteFile(p, b[:len(b)/2], 0o644)
		return "break " + rel
	case 3:
		os.Remove(p)
		return "delete " + rel
	case 4:
		os.Remove(filepath.Join(filepath.Dir(p), "stacks.json"))
		return "manifest " + rel
	case 5:
		os.RemoveAll(filepath.Dir(p))
		return "env " + rel
	default:
		lock := filepath.Join(dir, "riglets", "bench.lock")
		l, _ := os.ReadFile(lock)
		lines := strings.Split(string(l), "\n")
		j := rng.IntN(len(lines))
		if rng.IntN(2) == 0 {
			lines = append(lines[:j], lines[j+1:]...)
		} else {
			lines[j] = strings.Replace(lines[j], "0", "1", 1)
		}
		os.WriteFile(lock, []byte(strings.Join(lines, "\n")), 0o644)
		return "lock " + fmt.Sprint(j)
	}
}

// fullDiff is riglet diff without skipping anything: a compile keeping every tree,
// every template rendered with its index, every blob of the old side read from git
// (or --old), and the old lock parsed.
func fullDiff(g *globals, c *diffCmd) (*diff.Report, error) {
	specs, err := specFiles(g.Dir, c.Args)
	if err != nil {
		return nil, err
	}
	out := "out"
	report := &diff.Report{Version: diff.Version}
	for _, f := range specs {
		res, err := compiler.Compile(os.DirFS(g.Dir), builtinBlocks(), f, compiler.Options{Envs: c.Env})
		if err != nil {
			return nil, err
		}
		var envs []*compiler.EnvResult
		for _, e := range res.Envs {
			if c.wants(e.Env) {
				envs = append(envs, e)
			}
		}
		new := diff.FromResult(res, out, envs)
		var old *diff.Side
		if c.Old == "" {
			git, err := openGit(g.Dir, "HEAD")
			if err != nil {
				return nil, err
			}
			ids, err := git.list(out+"/"+res.Spec.Name, res.LockFile)
			if err != nil {
				return nil, err
			}
			files, err := git.blobs(ids)
			if err != nil {
				return nil, err
			}
			old = c.side(res.Spec.Name, out+"/"+res.Spec.Name, files, "HEAD:", sideHints{})
			if b, ok := files[res.LockFile]; ok {
				var errs ir.Errors
				if l := model.ParseLock("HEAD:"+res.LockFile, b, &errs); len(errs) == 0 {
					old.Lock = l
				}
			} else {
				old.Lock = &model.Lock{}
			}
		} else {
			files, err := readDir(filepath.Join(g.Dir, c.Old, res.Spec.Name))
			if err != nil {
				return nil, err
			}
			prefixed := map[string][]byte{}
			for p, b := range files {
				prefixed[c.Old+"/"+res.Spec.Name+"/"+p] = b
			}
			old = c.side(res.Spec.Name, c.Old+"/"+res.Spec.Name, prefixed, "", sideHints{})
			new.Lock = nil
		}
		report.Riglets = append(report.Riglets, diff.Compare(old, new))
	}
	return report, nil
}

// TestBlobID: blobID is git's own ID of the bytes as a blob, in a SHA-1 repository and
// in a SHA-256 one, whatever the bytes (none, binary, a template).
func TestBlobID(t *testing.T) {
	tpl, _ := os.ReadFile("../../out/twig/staging/foundation.yaml")
	inputs := [][]byte{{}, []byte("a"), {0, 1, 2, 0xff, '\n'}, tpl}
	for _, format := range []string{"sha1", "sha256"} {
		dir := t.TempDir()
		git(t, dir, "init", "-q", "--object-format="+format)
		for _, in := range inputs {
			cmd := exec.Command("git", "-C", dir, "hash-object", "--stdin")
			cmd.Stdin = bytes.NewReader(in)
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSpace(string(out))
			if got := blobID(in, want); got != want {
				t.Errorf("%s, %d bytes: blobID %s, git %s", format, len(in), got, want)
			}
		}
	}
	if len(tpl) == 0 {
		t.Error("no template read")
	}
}
