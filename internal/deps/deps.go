package deps

import (
	_ "github.com/alecthomas/kong"
	_ "github.com/aws-cloudformation/rain/cft/diff"
	_ "github.com/aws-cloudformation/rain/cft/format"
	_ "github.com/aws-cloudformation/rain/cft/graph"
	_ "github.com/aws-cloudformation/rain/cft/parse"
	_ "github.com/goccy/go-yaml/parser"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "golang.org/x/tools/txtar"
)
