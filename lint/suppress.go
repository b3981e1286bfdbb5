package lint

import (
	"io/fs"
	"sort"
	"strings"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// Rules about suppressions themselves; suppressions cannot silence them (only
// --ignore can), or a bad suppression could hide itself.
const (
	idNoReason = "LINT001"
	idUnused   = "LINT002"
	idUnknown  = "LINT003"
)

// fileCache reads source files once per lint: block library files (built-in
// blocks and the alarm catalogue included) through the library the compile used,
// everything else from the repository.
type fileCache struct {
	fsys  fs.FS
	lib   *model.Library // nil for a plain template
	lines map[string][]string
}

func (c *fileCache) get(file string) []string {
	if l, ok := c.lines[file]; ok {
		return l
	}
	if c.fsys == nil {
		c.lines[file] = nil // a plain template's own lines are preloaded
		return nil
	}
	var data []byte
	err := fs.ErrNotExist
	if c.lib != nil {
		data, err = c.lib.ReadFile(file)
	}
	if err != nil {
		data, err = fs.ReadFile(c.fsys, file)
	}
	var l []string
	if err == nil {
		l = strings.Split(string(data), "\n")
	}
	c.lines[file] = l
	return l
}

// builtin reports whether file is the built-in library's: its suppressions are
// the library's, not the user's to remove.
func (c *fileCache) builtin(file string) bool { return c.lib != nil && c.lib.IsBuiltin(file) }

// suppression is one `# riglet:ignore` comment or one instance `ignore:` entry.
type suppression struct {
	ids      []string
	reason   string
	pos      ir.Pos
	instance string // instance path; "" for a comment
	used     bool
}

// covers reports whether s silences f.
func (s *suppression) covers(f *Finding) bool {
	if strings.HasPrefix(f.Rule, "LINT") {
		return false
	}
	found := false
	for _, id := range s.ids {
		found = found || strings.EqualFold(id, f.Rule)
	}
	if !found {
		return false
	}
	if s.instance != "" {
		return f.Instance == s.instance || strings.HasPrefix(f.Instance, s.instance+".")
	}
	if s.at(f.Pos) {
		return true
	}
	for _, p := range f.Moved {
		if s.at(p) {
			return true
		}
	}
	return false
}

// at reports whether a comment suppression sits on p's line or the line above it.
func (s *suppression) at(p ir.Pos) bool {
	return p.File == s.pos.File && (p.Line == s.pos.Line || p.Line == s.pos.Line+1)
}

// parseComments finds `# riglet:ignore ID[,ID] reason` comments in a file's lines.
func parseComments(file string, lines []string) []*suppression {
	var out []*suppression
	for i, l := range lines {
		j := strings.Index(l, "riglet:ignore")
		if j < 0 {
			continue
		}
		h := strings.LastIndexByte(l[:j], '#')
		if h < 0 || strings.TrimSpace(l[h+1:j]) != "" {
			continue
		}
		rest := l[j+len("riglet:ignore"):]
		if k := strings.Index(rest, " #"); k >= 0 {
			rest = rest[:k] // a further comment on the line is not part of the reason
		}
		rest = strings.TrimSpace(rest)
		idPart, reason, _ := strings.Cut(rest, " ")
		s := &suppression{reason: strings.TrimSpace(reason), pos: ir.Pos{File: ir.FileOf(file), Line: int32(i + 1), Col: int32(h + 1)}}
		for _, id := range strings.Split(idPart, ",") {
			if id != "" {
				s.ids = append(s.ids, strings.ToUpper(id))
			}
		}
		out = append(out, s)
	}
	return out
}

// suppress drops the findings that comments and instance ignores silence, and adds
// findings for suppressions without a reason, naming unknown rules, or (when the
// whole riglet was linted, so that every finding had its chance) silencing nothing.
func suppress(fs []Finding, files *fileCache, spec string, res *compiler.Result, complete bool) []Finding {
	want := map[string]bool{spec: true}
	for _, f := range fs {
		if f.Pos.File != 0 {
			want[f.Pos.File.String()] = true
		}
		for _, p := range f.Moved {
			want[p.File.String()] = true
		}
	}
	var sups []*suppression
	if res != nil {
		for _, e := range res.Envs {
			if e.EnvFile != nil {
				want[e.EnvFile.File] = true
			}
			for _, s := range e.Stacks {
				for _, o := range s.Origins {
					want[o.Pos.File.String()] = true
				}
			}
		}
		for _, st := range res.Spec.Stacks {
			for _, in := range st.Instances {
				if in.Ignore == nil {
					continue
				}
				for _, p := range in.Ignore.Pairs {
					sups = append(sups, &suppression{ids: []string{strings.ToUpper(p.Key)}, reason: strings.TrimSpace(text(p.Value)),
						pos: p.KeyPos, instance: st.Name + "." + in.Name})
				}
			}
		}
	} else {
		complete = false // template rules did not run
	}
	names := make([]string, 0, len(want))
	for f := range want {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		sups = append(sups, parseComments(f, files.get(f))...)
	}
	out := fs[:0]
	for _, f := range fs {
		silenced := false
		for _, s := range sups {
			if s.covers(&f) {
				s.used, silenced = true, true
			}
		}
		if !silenced {
			out = append(out, f)
		}
	}
	for _, s := range sups {
		where := "riglet:ignore"
		if s.instance != "" {
			where = "ignore on instance " + s.instance
		}
		if len(s.ids) == 0 {
			out = append(out, meta(idUnknown, s.pos, "%s names no rule", where))
			continue
		}
		unknown := false
		for _, id := range s.ids {
			if Lookup(id) == nil {
				unknown = true
				out = append(out, meta(idUnknown, s.pos, "%s names unknown rule %s%s", where, id, suggestRule(id)))
			}
		}
		if s.reason == "" {
			out = append(out, meta(idNoReason, s.pos, "%s %s gives no reason: say why the finding does not apply", where, strings.Join(s.ids, ",")))
		}
		// A built-in block's suppression may be for a configuration this riglet does
		// not use; only the user's own can be unused.
		if complete && !s.used && !unknown && !files.builtin(s.pos.File.String()) && !forAnotherRiglet(s, res) {
			out = append(out, meta(idUnused, s.pos, "%s %s suppresses nothing: remove it", where, strings.Join(s.ids, ",")))
		}
	}
	return out
}

// forAnotherRiglet says whether an unused suppression may be another riglet's: env
// files are shared by the riglets of a repository, and an env param one riglet lacks
// is another's setting (SRC024 says to ignore it there with a reason), so such a
// suppression goes unused in every riglet but the ones that lack the param.
func forAnotherRiglet(s *suppression, res *compiler.Result) bool {
	if res == nil || len(s.ids) != 1 || s.ids[0] != "SRC024" {
		return false
	}
	for _, e := range res.Envs {
		if e.EnvFile != nil && e.EnvFile.File == s.pos.File.String() {
			return true
		}
	}
	return false
}

func meta(id string, pos ir.Pos, format string, args ...any) Finding {
	r := byID[id]
	p := &Pass{Rule: r, out: new([]*Finding)}
	return *p.ReportAt(pos, format, args...)
}

// suggestRule returns a "did you mean" for a mistyped rule ID.
func suggestRule(id string) string {
	best, bd := "", 3
	for _, r := range registry {
		if d := suggest.Distance(strings.ToUpper(id), r.ID); d < bd {
			best, bd = r.ID, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}
