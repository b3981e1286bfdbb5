package compiler

import (
	"regexp"
	"strings"

	"github.com/riglet/riglet/ir"
)

// cfn-signal, cfn-init and cfn-hup name the resource they signal or whose
// AWS::CloudFormation::Init they read as text: "cfn-signal --resource Instance",
// "--resource=Instance", "cfn-init -r Instance", "path=Resources.Instance.Metadata...". The
// instance prefix renames the resource (Instance -> WebInstance), so the text must
// follow, or the stack waits out a CreationPolicy on a resource that no longer exists
// and fails. Only names of resources of the same block are rewritten; a name built at
// deploy time cannot be, and is reported.
var (
	// --resource takes the name after a blank or "="; the name ends at the first
	// character a logical ID cannot hold.
	// Each is (what comes before)(the name)(what comes after).
	resourceFlagRE = regexp.MustCompile(`((?:^|[\s"'])--resource(?:=|\s+))([A-Za-z0-9]+)()\b`)
	// -r is cfn-init's and cfn-get-metadata's --resource, but cfn-signal's --reason and
	// rm's --recursive: only on a line that runs one of the first two
	shortFlagRE = regexp.MustCompile(`((?:^|[\s"'])-r\s+)([A-Za-z0-9]+)()\b`)
	initPathRE  = regexp.MustCompile(`\b(Resources\.)([A-Za-z0-9]+)(\.Metadata)\b`)
	// a name that stays a ${...} of a Fn::Sub after folding, or comes from the next
	// part of a Fn::Join
	deployNameRE = regexp.MustCompile(`(^|[\s"'])(--resource(?:=|\s+)|-r\s+)\$\{([^!}][^}]*)\}`)
	danglingRE   = regexp.MustCompile(`(^|[\s"'])(--resource(?:=|\s*)|-r\s+)$`)
	danglingLong = regexp.MustCompile(`(^|[\s"'])--resource(?:=|\s*)$`)
)

// signalNames rewrites the resource names of cfn-signal and friends in the UserData
// and AWS::CloudFormation::Init of one evaluated resource. out is the resource as
// evalResource made it (its top-level map is its own; what it holds may be shared).
func (x *expander) signalNames(s *blockScope, out *ir.Node) {
	r := &signalRenamer{s: s, errs: x.errs}
	if props := out.Get("Properties"); props != nil && props.Kind == ir.Map {
		np := props
		if ud := props.Get("UserData"); ud != nil {
			if v := r.node(ud); v != ud {
				np = withKey(np, "UserData", v)
			}
		}
		if lt := props.Get("LaunchTemplateData"); lt != nil && lt.Kind == ir.Map {
			if ud := lt.Get("UserData"); ud != nil {
				if v := r.node(ud); v != ud {
					np = withKey(np, "LaunchTemplateData", withKey(lt, "UserData", v))
				}
			}
		}
		if np != props {
			out.Set("Properties", np)
		}
	}
	if md := out.Get("Metadata"); md != nil && md.Kind == ir.Map {
		if in := md.Get("AWS::CloudFormation::Init"); in != nil {
			if v := r.node(in); v != in {
				out.Set("Metadata", withKey(md, "AWS::CloudFormation::Init", v))
			}
		}
	}
}

// withKey is a copy of map m with key set to v: evaluated trees are shared, never
// changed in place.
func withKey(m *ir.Node, key string, v *ir.Node) *ir.Node {
	c := &ir.Node{Kind: ir.Map, Pos: m.Pos, Pairs: append([]ir.Pair(nil), m.Pairs...)}
	c.Set(key, v)
	return c
}

type signalRenamer struct {
	s    *blockScope
	errs *ir.Errors
}

// node returns n with its strings rewritten, copying only what changes.
func (r *signalRenamer) node(n *ir.Node) *ir.Node {
	switch n.Kind {
	case ir.String:
		if t := r.text(n.Text, n.Pos); t != n.Text {
			return &ir.Node{Kind: ir.String, Text: t, Pos: n.Pos}
		}
	case ir.List:
		// The items may be the parts of a Fn::Join: a line that runs cfn-init may go on
		// in the next part (" -r Instance "), so whether the line runs one carries over.
		var out *ir.Node
		cfnLine := false
		for i, it := range n.Items {
			v := it
			if it.Kind == ir.String {
				if i+1 < len(n.Items) && n.Items[i+1].Kind == ir.Map &&
					(danglingLong.MatchString(it.Text) || danglingRE.MatchString(it.Text) && (cfnLine || runsResourceTool(it.Text))) {
					// Fn::Join [" --resource ", !Ref Name]
					r.deployTime(it.Pos)
				}
				var t string
				t, cfnLine = r.lines(it.Text, it.Pos, cfnLine)
				if t != it.Text {
					v = &ir.Node{Kind: ir.String, Text: t, Pos: it.Pos}
				}
			} else {
				v = r.node(it)
			}
			if v != it && out == nil {
				out = &ir.Node{Kind: ir.List, Pos: n.Pos, Items: append([]*ir.Node(nil), n.Items...)}
			}
			if out != nil {
				out.Items[i] = v
			}
		}
		if out != nil {
			return out
		}
	case ir.Map:
		var out *ir.Node
		for i, p := range n.Pairs {
			v := r.node(p.Value)
			if v != p.Value && out == nil {
				out = &ir.Node{Kind: ir.Map, Pos: n.Pos, Pairs: append([]ir.Pair(nil), n.Pairs...)}
			}
			if out != nil {
				out.Pairs[i].Value = v
			}
		}
		if out != nil {
			return out
		}
	}
	return n
}

// text rewrites one string, line by line.
func (r *signalRenamer) text(t string, p ir.Pos) string {
	t, _ = r.lines(t, p, false)
	return t
}

// lines rewrites t line by line; cont says that its first line goes on a line that
// runs cfn-signal or cfn-init, and the result whether its last line does.
func (r *signalRenamer) lines(t string, p ir.Pos, cont bool) (string, bool) {
	if !cont && !strings.Contains(t, "--resource") && !strings.Contains(t, "Resources.") && !strings.Contains(t, "-r") && !runsResourceTool(t) {
		return t, false
	}
	lines := strings.Split(t, "\n")
	cfn := false
	for i, l := range lines {
		cfn = runsResourceTool(l) || i == 0 && cont
		if m := deployNameRE.FindStringSubmatch(l); m != nil && (strings.HasPrefix(strings.TrimSpace(m[2]), "--") || cfn) {
			r.deployTime(p)
		}
		l = resourceFlagRE.ReplaceAllStringFunc(l, r.rename(resourceFlagRE))
		if cfn {
			l = shortFlagRE.ReplaceAllStringFunc(l, r.rename(shortFlagRE))
		}
		lines[i] = initPathRE.ReplaceAllStringFunc(l, r.rename(initPathRE))
	}
	return strings.Join(lines, "\n"), cfn
}

// runsResourceTool reports a line that runs a tool whose -r is --resource.
func runsResourceTool(line string) bool {
	return strings.Contains(line, "cfn-init") || strings.Contains(line, "cfn-get-metadata")
}

// rename gives the name in re's match the prefix, when it names a resource of the
// block.
func (r *signalRenamer) rename(re *regexp.Regexp) func(string) string {
	return func(m string) string {
		g := re.FindStringSubmatch(m)
		if _, ok := r.s.resources[g[2]]; !ok {
			return m
		}
		return g[1] + r.s.prefix + g[2] + g[3]
	}
}

func (r *signalRenamer) deployTime(p ir.Pos) {
	r.errs.AddCode(ir.CodeIntrinsic, p, "cfn-signal and cfn-init name a resource by its logical ID, which riglet prefixes with the instance's name (%s...); a name known only at deploy time cannot follow it: write the resource's name in the text", r.s.prefix)
}
