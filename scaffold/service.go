package scaffold

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// Service is a service stack for `riglet new service NAME --path P`.
type Service struct {
	Name  string // the stack is app-<Name>, its image <owner>/<Name>
	Owner string // the spec's owner (the image repository's prefix)
	Path  string // the listener rule's path pattern
	Port  int    // the container port; 0 means 8080
}

// pathRE is what an ALB path pattern may hold (its documented characters, no quotes),
// starting at the root.
var pathRE = regexp.MustCompile(`^/[A-Za-z0-9_.$/~@:+&*?-]*$`)

// StackName is the service's stack in the spec.
func (s Service) StackName() string { return "app-" + s.Name }

func (s Service) check() error {
	if !model.ValidName(s.StackName()) {
		return fmt.Errorf("service name %q: lower case letters, digits and dashes, starting with a letter, at most %d characters with its app- prefix", s.Name, model.MaxNameLen-len("app-"))
	}
	if len(s.Path) > 128 || !pathRE.MatchString(s.Path) {
		return fmt.Errorf("--path %q: a load balancer path pattern starts with / and has at most 128 of A-Z a-z 0-9 _ - . $ / ~ @ : + & * ?", s.Path)
	}
	return nil
}

// ServiceStack is the service's stack as spec text: its lines indented by base, each
// level of nesting by step, ending in a newline.
func ServiceStack(s Service, base, step string) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	port := s.Port
	if port == 0 {
		port = 8080
	}
	lines := []struct {
		depth int
		text  string
	}{
		{0, fmt.Sprintf("# The %s service: one container behind the load balancer, for %s.", s.Name, s.Path)},
		{0, s.StackName() + ":"},
		{1, "blocks:"},
		{2, "service:"},
		{3, "block: ecs-service"},
		{3, "params:"},
		{4, "Image: !Sub ${Env::Account}.dkr.ecr.${Env::Region}.amazonaws.com/" + s.Owner + "/" + s.Name},
		{4, fmt.Sprintf("ContainerPort: %d", port)},
		{4, "HealthCheckPath: /health"},
		{4, `PathPattern: "` + s.Path + `"`},
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(base + strings.Repeat(step, l.depth) + l.text + "\n")
	}
	return b.String(), nil
}

// AddService adds the service's stack at the end of the spec's stacks, editing the text
// where goccy's positions put the stacks and their indentation: every other byte of the
// file, comments and layout included, stays as it was. A spec whose stacks are written
// in flow style ({...}) is refused (CodeInvalidValue), as is a stack of that name
// (CodeDuplicateName), each at its position.
func AddService(file string, data []byte, s Service) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	root, err := source.Parse(file, data)
	if err != nil {
		return nil, err
	}
	if root.Kind != ir.Map {
		return nil, ir.Errorf(ir.CodeInvalidValue, root.Pos, "a riglet spec is a map with riglet, owner, envs and stacks")
	}
	var stacks *ir.Pair
	for i := range root.Pairs {
		if root.Pairs[i].Key == "stacks" {
			stacks = &root.Pairs[i]
		}
	}
	if stacks == nil || stacks.Value.Kind != ir.Map || len(stacks.Value.Pairs) == 0 {
		return nil, ir.Errorf(ir.CodeMissingKey, root.Pos, "riglet spec %s has no stacks to add the service to", file)
	}
	if s.Owner == "" {
		if o := root.Get("owner"); o != nil {
			s.Owner = o.Text
		}
	}
	for _, p := range stacks.Value.Pairs {
		if p.Key == s.StackName() {
			return nil, ir.Errorf(ir.CodeDuplicateName, p.KeyPos, "stack %s is already in %s", p.Key, file)
		}
	}
	nl := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		nl = "\r\n"
	}
	lines := strings.SplitAfter(string(data), "\n")
	at := func(pos ir.Pos) string { return strings.TrimRight(lines[pos.Line-1], "\r\n") }
	first := stacks.Value.Pairs[0].KeyPos
	if first.Line <= stacks.KeyPos.Line {
		return nil, ir.Errorf(ir.CodeInvalidValue, stacks.KeyPos, "the stacks of %s are in flow style ({...}); riglet new service edits block style: add stack %s by hand", file, s.StackName())
	}
	indent := leading(at(first))
	// One level of nesting as the spec writes it: the first stack's first key inside it.
	step := "  "
	for i := int(first.Line); i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r\n")
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if n := len(leading(l)); n > len(indent) {
			step = strings.Repeat(" ", n-len(indent))
		}
		break
	}
	// The stacks run to the first line of content indented less than the stack names;
	// the new stack goes after their last line (comments indented as stacks included),
	// before the blank lines and comments that lead to the next top-level key.
	// Stacks set apart by blank lines get one before the new stack too.
	last, blank, apart := int(first.Line)-1, false, false
	for i := int(first.Line); i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r\n")
		t := strings.TrimSpace(l)
		if t == "" {
			blank = true
			continue
		}
		n := len(leading(l))
		if strings.HasPrefix(t, "#") {
			if n >= len(indent) {
				last = i
			}
			continue
		}
		if n < len(indent) {
			break
		}
		apart = apart || blank && n == len(indent)
		blank = false
		last = i
	}
	text, err := ServiceStack(s, indent, step)
	if err != nil {
		return nil, err
	}
	if apart {
		text = "\n" + text
	}
	text = strings.ReplaceAll(text, "\n", nl)
	var out strings.Builder
	for i, l := range lines {
		out.WriteString(l)
		if i == last {
			if !strings.HasSuffix(l, "\n") {
				out.WriteString(nl)
			}
			out.WriteString(text)
		}
	}
	// What was written must read back as the spec with the stack added, or nothing is.
	got, err := source.Parse(file, []byte(out.String()))
	if err != nil || got.Get("stacks") == nil || got.Get("stacks").Get(s.StackName()).Get("blocks").Get("service") == nil ||
		len(got.Get("stacks").Pairs) != len(stacks.Value.Pairs)+1 {
		return nil, fmt.Errorf("%s: cannot add stack %s in place (its layout is one this edit does not know): add it by hand", file, s.StackName())
	}
	return []byte(out.String()), nil
}

func leading(l string) string { return l[:len(l)-len(strings.TrimLeft(l, " "))] }
