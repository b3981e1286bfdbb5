// Package deploykit is riglet's deploy kit: riglet.mk (the make targets that deploy a
// riglet's committed out/ with the AWS CLI) and deploy.sh (the calls behind them).
// riglet's own Makefile includes riglet.mk; `riglet new` writes both into a new riglet
// repository, whose Makefile includes it, so that a user gets the deploy targets and none
// of riglet's developer targets.
package deploykit

import "embed"

// FS holds riglet.mk and deploy.sh.
//
//go:embed riglet.mk deploy.sh
var FS embed.FS

// Dir is where a riglet repository keeps the kit, and Include the line of its Makefile
// that takes the targets in.
const (
	Dir     = "deploykit"
	Include = "include $(dir $(lastword $(MAKEFILE_LIST)))" + Dir + "/riglet.mk"
)
