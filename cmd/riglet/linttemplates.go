package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/riglet/riglet/lint"
)

// Beside the whole-run cache (lintcache.go), which only helps while nothing changed,
// lint keeps each template's findings (lint.TemplateCache): after one service changed,
// the template rules run on its few templates, and the rest are read back. The key
// of an entry is lint's digest of all a template rule reads; this binary's build ID
// names the pack, so that another riglet's rules never see these findings. A pack
// holds the entries of one command's last run in one repository (riglets and envs);
// missing, torn or another binary's pack is empty.

const packFormat = "riglet lint templates 1"

// templateCache is one pack: what it held, and what this run used or found.
type templateCache struct {
	path, exe string
	old       map[lint.Digest][]byte

	mu   sync.Mutex
	used map[lint.Digest][]byte
	puts int
}

// openTemplates returns the pack for a lint of specs (paths as found) in the working
// directory, or nil when there is no cache to use.
func openTemplates(g *globals, specs, envs []string) *templateCache {
	root := cacheRoot()
	if root == "" {
		return nil
	}
	exe := exeID()
	dir, err := filepath.Abs(g.Dir)
	if exe == "" || err != nil {
		return nil
	}
	h := sha256.New()
	for _, v := range append([]string{packFormat, exe, dir, fmt.Sprint(len(specs))}, append(specs, envs...)...) {
		fmt.Fprintf(h, "%d %s\n", len(v), v)
	}
	key := hex.EncodeToString(h.Sum(nil))
	c := &templateCache{path: filepath.Join(root, "lint-templates", key[:2], key), exe: exe, used: map[lint.Digest][]byte{}}
	if data, err := os.ReadFile(c.path); err == nil {
		c.old = parsePack(data, exe)
	}
	return c
}

func (c *templateCache) Get(key lint.Digest) ([]byte, bool) {
	data, ok := c.old[key] // read only after openTemplates
	if ok {
		c.mu.Lock()
		c.used[key] = data
		c.mu.Unlock()
	}
	return data, ok
}

func (c *templateCache) Put(key lint.Digest, data []byte) {
	c.mu.Lock()
	c.used[key] = data
	c.puts++
	c.mu.Unlock()
}

// save writes the pack back when this run found anything new or left entries unused,
// written aside and renamed in, so that a reader sees a whole pack or none. Failing
// costs only the next run's time, so it says nothing.
func (c *templateCache) save() {
	if c == nil || c.puts == 0 && len(c.used) == len(c.old) {
		return
	}
	writeCacheFile(c.path, packBytes(c.used, c.exe))
}

// packBytes is a pack: the format, the binary, the entries by key (sorted, so the same
// entries make the same bytes), and a hash of all that.
func packBytes(entries map[lint.Digest][]byte, exe string) []byte {
	keys := make([]lint.Digest, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b lint.Digest) int { return bytes.Compare(a[:], b[:]) })
	var b []byte
	b = fmt.Appendf(b, "%s\n%s\n%d\n", packFormat, exe, len(keys))
	for _, k := range keys {
		b = append(b, k[:]...)
		b = binary.AppendUvarint(b, uint64(len(entries[k])))
		b = append(b, entries[k]...)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// parsePack reads a pack of this binary's; anything else is an empty one.
func parsePack(data []byte, exe string) map[lint.Digest][]byte {
	if len(data) < sha256.Size {
		return nil
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil
	}
	var n int
	rest, ok := cutLine(body, packFormat)
	if !ok {
		return nil
	}
	if rest, ok = cutLine(rest, exe); !ok {
		return nil
	}
	line, rest, ok := bytes.Cut(rest, []byte("\n"))
	if _, err := fmt.Sscanf(string(line), "%d", &n); !ok || err != nil || n < 0 || n > len(rest) {
		return nil
	}
	out := make(map[lint.Digest][]byte, n)
	for range n {
		var k lint.Digest
		if len(rest) < len(k) {
			return nil
		}
		copy(k[:], rest)
		rest = rest[len(k):]
		size, w := binary.Uvarint(rest)
		if w <= 0 || size > uint64(len(rest)-w) {
			return nil
		}
		out[k] = rest[w : w+int(size)]
		rest = rest[w+int(size):]
	}
	if len(rest) != 0 {
		return nil
	}
	return out
}
