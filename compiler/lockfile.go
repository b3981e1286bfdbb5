package compiler

import (
	"path"
	"strings"
)

// LockFile is where the lock of the riglet spec specFile is: riglets/twig.yaml's is
// riglets/twig.lock.
func LockFile(specFile string) string {
	return strings.TrimSuffix(specFile, path.Ext(specFile)) + ".lock"
}
