package outdir

import (
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

// A Check handed the files one at a time, from many goroutines at once and in any
// order, finds what a comparison of the whole list does: every kind of difference
// (other bytes of the same size, other size, longer, missing, extra, a directory or a
// link where a file should be), and a link to the right bytes is no difference, as
// for anyone reading the file through it.
func TestCheckFindsEveryDifference(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"same.yaml": "same bytes", "samesize.yaml": "abcd", "shorter.yaml": "ab", "longer.yaml": "abcdef",
		"extra.yaml": "x", "sub/deep.yaml": "deep", "target": "linked", "empty.yaml": "",
	})
	if err := os.Mkdir(filepath.Join(root, "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target", filepath.Join(root, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	files := []File{
		{"same.yaml", []byte("same bytes")}, {"samesize.yaml", []byte("abce")}, {"shorter.yaml", []byte("abc")},
		{"longer.yaml", []byte("abcd")}, {"missing.yaml", []byte("m")}, {"sub/deep.yaml", []byte("deep")},
		{"dir.yaml", []byte("d")}, {"link.yaml", []byte("linked")}, {"target", []byte("linked")}, {"empty.yaml", nil},
	}
	want := []string{
		filepath.Join(root, "dir.yaml") + " (missing)",
		filepath.Join(root, "extra.yaml") + " (should not exist)",
		filepath.Join(root, "longer.yaml") + " (differs)",
		filepath.Join(root, "missing.yaml") + " (missing)",
		filepath.Join(root, "samesize.yaml") + " (differs)",
		filepath.Join(root, "shorter.yaml") + " (differs)",
	}
	whole, err := Stale(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(whole, want) {
		t.Fatalf("Stale = %q\nwant %q", whole, want)
	}
	for round := range 20 {
		c := NewCheck(root)
		var wg sync.WaitGroup
		for i := range files {
			f := files[(i*7+round)%len(files)]
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := append([]byte(nil), f.Data...)
				c.File(f.Path, data)
				for j := range data {
					data[j] = '!' // the caller's buffer is reused once File returns
				}
			}()
		}
		wg.Wait()
		got, err := c.Stale()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: Check = %q\nwant %q", round, got, want)
		}
	}
}

// A file that cannot be read is an error of the comparison, not a difference.
func TestCheckReportsUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads a file whatever its mode: make the path unreadable another way
		root := t.TempDir()
		p := filepath.Join(root, "loop.yaml")
		if err := os.Symlink("loop.yaml", p); err != nil {
			t.Fatal(err)
		}
		c := NewCheck(root)
		c.File("loop.yaml", []byte("x"))
		if _, err := c.Stale(); err == nil {
			t.Fatal("a link loop compared without an error")
		}
		return
	}
	root := t.TempDir()
	write(t, root, map[string]string{"a.yaml": "a"})
	if err := os.Chmod(filepath.Join(root, "a.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	c := NewCheck(root)
	c.File("a.yaml", []byte("a"))
	if _, err := c.Stale(); err == nil {
		t.Fatal("an unreadable file compared without an error")
	}
}
