package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/ir"
)

// loadCase reads a testdata case: its files over testdata/base.txtar's (a case's own
// file of the same name wins), and the riglet specs it holds.
func loadCase(t testing.TB, file string) (fstest.MapFS, []string, *txtar.Archive) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	base, err := txtar.ParseFile("testdata/base.txtar")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range base.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	var specs []string
	for _, f := range ar.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		if strings.HasPrefix(f.Name, "riglets/") && strings.HasSuffix(f.Name, ".yaml") ||
			strings.HasPrefix(f.Name, "templates/") {
			specs = append(specs, f.Name)
		}
	}
	return fsys, specs, ar
}

// lintCase lints a case's riglet specs, and its templates/* as plain templates.
func lintCase(t testing.TB, fsys fstest.MapFS, specs []string) *Report {
	var riglets []string
	rep := &Report{}
	for _, s := range specs {
		if !strings.HasPrefix(s, "templates/") {
			riglets = append(riglets, s)
			continue
		}
		r, err := Template(s, fsys[s].Data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	if len(riglets) > 0 {
		r, err := Lint(fsys, builtinAlarms, riglets, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	return rep
}

var wantRE = regexp.MustCompile(`# want ("(?:[^"\\]|\\.)*")`)

type expectation struct {
	file string
	line int
	re   *regexp.Regexp
	raw  string
	hit  bool
}

// expectations reads the `# want "regexp"` comments of a case's files.
func expectations(t testing.TB, ar *txtar.Archive) []*expectation {
	var out []*expectation
	for _, f := range ar.Files {
		for i, l := range strings.Split(string(f.Data), "\n") {
			for _, m := range wantRE.FindAllStringSubmatch(l, -1) {
				s, err := strconv.Unquote(m[1])
				if err != nil {
					t.Fatalf("%s:%d: bad want %s: %v", f.Name, i+1, m[1], err)
				}
				re, err := regexp.Compile(s)
				if err != nil {
					t.Fatalf("%s:%d: bad want regexp: %v", f.Name, i+1, err)
				}
				out = append(out, &expectation{file: f.Name, line: i + 1, re: re, raw: s})
			}
		}
	}
	return out
}

// checkCase lints a case and compares the findings of rule id with its wants: each
// want must be met by a finding of that rule on its line, each such finding by a want.
func checkCase(t *testing.T, id, file string) {
	fsys, specs, ar := loadCase(t, file)
	if len(specs) == 0 {
		t.Fatalf("%s holds no riglets/*.yaml or templates/*", file)
	}
	rep := lintCase(t, fsys, specs)
	wants := expectations(t, ar)
	var unexpected []string
	if id != "SRC001" {
		for _, f := range rep.Findings {
			if f.Rule == "SRC001" {
				t.Fatalf("%s does not parse, so it tests nothing: %s: %s", file, f.Pos, f.Msg)
			}
		}
	}
	for _, f := range rep.Findings {
		if id != "" && f.Rule != id {
			continue
		}
		matched := false
		msg := f.Message()
		if id == "" {
			msg = f.Rule + " " + msg
		}
		for _, w := range wants {
			if w.file == f.Pos.File.String() && w.line == int(f.Pos.Line) && w.re.MatchString(msg) {
				w.hit, matched = true, true
			}
		}
		if !matched {
			unexpected = append(unexpected, fmt.Sprintf("%s: unexpected finding: %s", f.Pos, f.Message()))
		}
	}
	for _, w := range wants {
		if !w.hit {
			var got []string
			for _, f := range rep.Findings {
				got = append(got, fmt.Sprintf("  %s: %s (%s)", f.Pos, f.Message(), f.Rule))
			}
			t.Errorf("%s:%d: no %s finding matching %q; all findings:\n%s", w.file, w.line, id, w.raw, strings.Join(got, "\n"))
		}
	}
	for _, u := range unexpected {
		t.Error(u)
	}
}

// TestRules runs every rule's testdata: testdata/<ID>/*.txtar.
func TestRules(t *testing.T) {
	for _, r := range Rules() {
		files, _ := filepath.Glob(filepath.Join("testdata", r.ID, "*.txtar"))
		for _, file := range files {
			t.Run(r.ID+"/"+strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
				checkCase(t, r.ID, file)
			})
		}
	}
}

// TestWhole runs testdata/whole/*.txtar, whose wants cover the findings of every
// rule: suppressions, env merging and the like.
func TestWhole(t *testing.T) {
	files, _ := filepath.Glob("testdata/whole/*.txtar")
	if len(files) == 0 {
		t.Fatal("no testdata/whole cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) { checkCase(t, "", file) })
	}
}

// TestRegistry checks the rule set: IDs well formed and unique (never a retired one),
// every rule documented with examples, every rule with testdata that finds something
// and testdata that stays clean, every compile error code owned by one rule.
func TestRegistry(t *testing.T) {
	idRE := regexp.MustCompile(`^(SRC|CFN|NET|LB|OBS|SEC|REL|LINT)[0-9]{3}$`)
	nameRE := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	retired := map[string]bool{}
	for _, id := range Retired {
		retired[id] = true
	}
	names := map[string]string{}
	codes := map[ir.Code]string{}
	families := map[string]int{}
	for _, r := range Rules() {
		if !idRE.MatchString(r.ID) {
			t.Errorf("%s: ID is not FAMILY + 3 digits", r.ID)
		}
		if retired[r.ID] {
			t.Errorf("%s: reuses a retired ID", r.ID)
		}
		if !nameRE.MatchString(r.Name) {
			t.Errorf("%s: name %q is not kebab-case", r.ID, r.Name)
		}
		if o, ok := names[r.Name]; ok {
			t.Errorf("%s: name %s already used by %s", r.ID, r.Name, o)
		}
		names[r.Name] = r.ID
		if r.Title == "" || len(r.Title) > 80 || strings.HasSuffix(r.Title, ".") || strings.ToLower(r.Title[:1]) != r.Title[:1] {
			t.Errorf("%s: title %q must be one lower-case line of at most 80 characters without a final period", r.ID, r.Title)
		}
		if len(r.Doc) < 40 || r.Bad == "" || r.Good == "" {
			t.Errorf("%s: needs a doc and a bad and a good example", r.ID)
		}
		if r.Family == "" {
			t.Errorf("%s: no family", r.ID)
		}
		families[r.Family]++
		switch r.Scope {
		case ScopeSource:
			if r.Run != nil {
				t.Errorf("%s: source rules have no Run", r.ID)
			}
		default:
			if r.Run == nil {
				t.Errorf("%s: no Run", r.ID)
			}
		}
		if r.Code != "" {
			if o, ok := codes[r.Code]; ok {
				t.Errorf("%s: code %s already owned by %s", r.ID, r.Code, o)
			}
			codes[r.Code] = r.ID
		}
		files, _ := filepath.Glob(filepath.Join("testdata", r.ID, "*.txtar"))
		finds, clean := false, false
		for _, f := range files {
			data, _ := os.ReadFile(f)
			if wantRE.Match(data) {
				finds = true
			} else {
				clean = true
			}
		}
		if !finds || !clean {
			t.Errorf("%s: needs testdata/%s/*.txtar with a `# want` case and a clean case (have %d files)", r.ID, r.ID, len(files))
		}
	}
	// Every compile error code is owned by a rule, so that `riglet rules ID` documents
	// what compile prints, and no rule claims a code the compiler does not have.
	known := map[ir.Code]bool{}
	for _, c := range ir.Codes {
		known[c] = true
		if codes[c] == "" {
			t.Errorf("compile error code %s has no rule", c)
		}
	}
	for c, id := range codes {
		if !known[c] {
			t.Errorf("%s: code %s is not in ir.Codes", id, c)
		}
	}
	for _, fam := range []string{"source", "cloudformation", "network", "load-balancing", "observability", "security", "reliability"} {
		if families[fam] < 2 {
			t.Errorf("family %s has %d rules", fam, families[fam])
		}
	}
	if n := len(Rules()); n < 45 {
		t.Errorf("%d rules, want at least 45", n)
	}
	// Every testdata directory belongs to a rule: a removed rule's cases go with it.
	dirs, _ := os.ReadDir("testdata")
	var stray []string
	for _, d := range dirs {
		if d.IsDir() && idRE.MatchString(d.Name()) && Lookup(d.Name()) == nil {
			stray = append(stray, d.Name())
		}
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Errorf("testdata for unknown rules: %v", stray)
	}
}

// TestShowCase prints every finding of the case named by $LINT_CASE (a development
// aid for writing testdata; skipped otherwise).
func TestShowCase(t *testing.T) {
	file := os.Getenv("LINT_CASE")
	if file == "" {
		t.Skip("set LINT_CASE to a txtar")
	}
	fsys, specs, _ := loadCase(t, file)
	rep := lintCase(t, fsys, specs)
	var b strings.Builder
	Write(&b, "text", rep.Findings)
	t.Log("\n" + b.String())
}

func posOf(file string, line, col int) ir.Pos {
	return ir.Pos{File: ir.FileOf(file), Line: int32(line), Col: int32(col)}
}

func sprintf(f string, a ...any) string { return fmt.Sprintf(f, a...) }
