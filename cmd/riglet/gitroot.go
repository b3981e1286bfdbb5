package main

import (
	"os"
	"path/filepath"
)

// repoRoot is dir relative to the root of the git repository holding it ("" when dir
// is that root, or in none): code scanning and workflow annotations place files by
// their path from the repository's root, which for a riglet in a monorepo folder
// (riglet -C infra lint) is not where riglet ran. A worktree's .git is a file.
func repoRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	for d := abs; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			rel, err := filepath.Rel(d, abs)
			if err != nil || rel == "." {
				return ""
			}
			return filepath.ToSlash(rel)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
