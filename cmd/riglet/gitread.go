package main

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os/exec"
	"sort"
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

// list returns the blobs under the paths (relative to dir) at the ref: path (relative
// to dir) -> object ID. One ls-tree, and no blob read: riglet diff reads only the
// blobs whose IDs are not those of the bytes it has (blobID).
func (g *gitTree) list(paths ...string) (map[string]string, error) {
	out, err := gitOut(g.dir, append([]string{"ls-tree", "-r", "-z", g.ref, "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
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
		ids[string(rec[tab+1:])] = f[2]
	}
	return ids, nil
}

// blobID is the object ID git gives data as a blob: the hash of "blob <size>\x00" and
// the bytes; SHA-1, or SHA-256 when like (an ID from the same repository) is that long.
func blobID(data []byte, like string) string {
	var h hash.Hash
	if len(like) == 2*sha256.Size {
		h = sha256.New()
	} else {
		h = sha1.New()
	}
	h.Write([]byte("blob " + strconv.Itoa(len(data)) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// blobs reads the blobs (path -> object ID, as list gives them) by their paths, with
// one cat-file --batch for all of them.
func (g *gitTree) blobs(ids map[string]string) (map[string][]byte, error) {
	files := map[string][]byte{}
	if len(ids) == 0 {
		return files, nil
	}
	names := make([]string, 0, len(ids))
	for p := range ids {
		names = append(names, p)
	}
	sort.Strings(names)
	var in strings.Builder
	for _, p := range names {
		in.WriteString(ids[p] + "\n")
	}
	cmd := exec.Command("git", "-C", g.dir, "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(in.String())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(stdout, 1<<16)
	for _, name := range names {
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
		files[name] = data[:n]
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %v", err)
	}
	return files, nil
}
