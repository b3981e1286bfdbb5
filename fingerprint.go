// Package riglet holds what identifies this build of riglet's compiler: the sources of
// every package a compile runs, so that a record of a compile (package record) can tell
// whether this binary would write the same output, whatever version string it carries.
package riglet

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"strings"
	"sync"

	"github.com/riglet/riglet/blocks"
)

// The packages a compile runs (TestFingerprintCoversCompile checks the list against
// `go list -deps`), and the module's dependency versions. Tests are not part of it.
//
//go:embed go.mod go.sum
//go:embed ir/*.go source/*.go eval/*.go model/*.go compiler/*.go emit/*.go
//go:embed netplan/*.go priority/*.go alarms/*.go manifest/*.go outdir/*.go
//go:embed internal/graph/*.go internal/fargate/*.go internal/suggest/*.go internal/phase/*.go
//go:embed record/*.go cmd/riglet/compile.go cmd/riglet/main.go blocks/*.go
var sources embed.FS

var fingerprint = sync.OnceValue(func() string {
	h := sha256.New()
	add := func(fsys fs.FS, prefix string) {
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
				return err
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			// name, length, content: no two trees hash alike by shifting bytes between files
			h.Write([]byte(prefix + p + "\x00"))
			var n [8]byte
			for i, l := 0, len(data); i < 8; i, l = i+1, l>>8 {
				n[i] = byte(l)
			}
			h.Write(n[:])
			h.Write(data)
			return nil
		})
	}
	add(sources, "src/")
	add(blocks.FS, "blocks/") // the built-in blocks and the alarm catalogue
	return hex.EncodeToString(h.Sum(nil))
})

// Fingerprint is a hash of the compiler's sources and built-in blocks: two binaries with
// the same fingerprint compile the same inputs to the same bytes.
func Fingerprint() string { return fingerprint() }
