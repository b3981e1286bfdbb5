package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// gitTree reads files of one commit without touching the working tree: one ls-tree for
// the names and one cat-file --batch for every blob, not a process per file (a riglet
// of 800 services has 2,400 templates).
type gitTree struct {
	dir, ref string
}

// openGit checks that dir is in a git repository with the full history of ref.
func openGit(dir, ref string) (*gitTree, error) {
	out, err := gitOut(dir, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return nil, usageError{fmt.Errorf("diff against %s: %s is not in a git repository (use --old DIR to compare with a directory of templates)", ref, dir)}
	}
	shallow := strings.TrimSpace(string(out)) == "true"
	if _, err := gitOut(dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		if shallow {
			return nil, usageError{fmt.Errorf("diff against %s: no such commit in this shallow clone: fetch the history (git fetch --unshallow, or actions/checkout with fetch-depth: 0)", ref)}
		}
		return nil, usageError{fmt.Errorf("diff against %s: no such commit (git rev-parse %s fails)", ref, ref)}
	}
	return &gitTree{dir: dir, ref: ref}, nil
}

func gitOut(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// read returns the files under the paths (relative to dir) at the ref, by their path
// relative to dir.
func (g *gitTree) read(paths ...string) (map[string][]byte, error) {
	out, err := gitOut(g.dir, append([]string{"ls-tree", "-r", "-z", g.ref, "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	var names, ids []string
	for _, rec := range bytes.Split(out, []byte{0}) {
		// <mode> SP <type> SP <object> TAB <file>
		tab := bytes.IndexByte(rec, '\t')
		if tab < 0 {
			continue
		}
		f := strings.Fields(string(rec[:tab]))
		if len(f) != 3 || f[1] != "blob" {
			continue
		}
		names = append(names, string(rec[tab+1:]))
		ids = append(ids, f[2])
	}
	files := map[string][]byte{}
	if len(ids) == 0 {
		return files, nil
	}
	cmd := exec.Command("git", "-C", g.dir, "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(stdout, 1<<16)
	for i := range ids {
		head, err := r.ReadString('\n')
		if err != nil {
			cmd.Wait()
			return nil, fmt.Errorf("git cat-file: %v", err)
		}
		f := strings.Fields(head) // <id> blob <size>
		if len(f) != 3 {
			cmd.Wait()
			return nil, fmt.Errorf("git cat-file: %s", strings.TrimSpace(head))
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			cmd.Wait()
			return nil, fmt.Errorf("git cat-file: %s", strings.TrimSpace(head))
		}
		data := make([]byte, n+1) // and the newline after it
		if _, err := io.ReadFull(r, data); err != nil {
			cmd.Wait()
			return nil, fmt.Errorf("git cat-file: %v", err)
		}
		files[names[i]] = data[:n]
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %v", err)
	}
	return files, nil
}
