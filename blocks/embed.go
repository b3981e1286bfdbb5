// Package blocks is riglet's built-in block library: every blocks/<name>/block.yaml
// here ships inside the binary. A block of the same name in a user's blocks/ replaces
// the built-in one.
package blocks

import "embed"

// FS holds <name>/block.yaml for every built-in block.
//
//go:embed */block.yaml alarms.yaml
var FS embed.FS
