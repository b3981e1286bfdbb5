package model_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// fromExamples is a file made of every example of a table, one key a line.
func fromExamples(t *model.Table) string {
	var b strings.Builder
	for _, k := range t.Keys {
		if k.Example != "" {
			b.WriteString(k.Example + "\n")
		}
	}
	return b.String()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}

// TestEveryKeyIsDecoded: decoding files made of the tables' own examples reads every
// key of every table (none is documented but ignored), reports none of them as
// unknown, and reports a key no table has, with a suggestion from the table.
func TestEveryKeyIsDecoded(t *testing.T) {
	var mu sync.Mutex
	read := map[*model.Table]map[string]bool{}
	model.SetReadHook(func(tb *model.Table, k string) {
		mu.Lock()
		defer mu.Unlock()
		if read[tb] == nil {
			read[tb] = map[string]bool{}
		}
		read[tb][k] = true
	})
	defer model.SetReadHook(nil)

	fsys := fstest.MapFS{
		"envs/staging.yaml":   {Data: []byte(fromExamples(model.EnvKeys) + "unknwn: 1\nrgion: x\n")},
		"envs/base.yaml":      {Data: []byte("tags: {Team: a}\n")},
		"riglets/twig.yaml":   {Data: []byte(fromExamples(model.SpecKeys) + "stackz: {}\n")},
		"riglets/twig.lock":   {Data: []byte(fromExamples(model.LockKeys))},
		".riglet.yaml":        {Data: []byte(fromExamples(model.ConfigKeys))},
		"blocks/q/block.yaml": {Data: []byte(strings.Replace(fromExamples(model.BlockKeys), "Transform:", "Parameters2: {}\nTransform:", 1))},
		// Metadata.Riglet's keys, each as its example has it (a map parameter's keys are
		// read only where a block declares one)
		"blocks/m/block.yaml": {Data: []byte("Metadata:\n  Riglet:\n" + indent(fromExamples(model.RigletMetaKeys)) +
			"Parameters: {Secrets: {Type: CommaDelimitedList, Default: \"\"}, Environment: {Type: CommaDelimitedList, Default: \"\"}}\nResources: {}\n")},
	}
	var errs ir.Errors
	model.LoadEnv(fsys, "staging", &errs)
	model.LoadSpec(fsys, "riglets/twig.yaml", &errs)
	model.ReadLock(fsys, "riglets/twig.lock", &errs)
	model.LoadConfig(fsys, &errs)
	for _, b := range []string{"q", "m"} {
		if _, err := model.NewLibrary(fsys, nil).Get(b); err != nil {
			errs.Merge(err)
		}
	}
	unknown := map[string]string{}
	for _, e := range errs {
		if e.Code == ir.CodeUnknownKey {
			unknown[e.Pos.File.String()+":"+e.Msg] = e.Msg
		}
	}
	for _, want := range []string{
		`envs/staging.yaml:unknown key "unknwn" in env file`,
		`envs/staging.yaml:unknown key "rgion" in env file (did you mean "region"?)`,
		`riglets/twig.yaml:unknown key "stackz" in riglet spec (did you mean "stacks"?)`,
		`blocks/q/block.yaml:unknown key "Parameters2" in block q (did you mean "Parameters"?)`,
	} {
		if _, ok := unknown[want]; !ok {
			t.Errorf("no error %s; unknown keys reported: %v", want, unknown)
		}
		delete(unknown, want)
	}
	for k := range unknown {
		t.Errorf("a key of the tables' own examples is reported: %s", k)
	}
	for _, tb := range model.Tables() {
		for _, k := range tb.Keys {
			if !read[tb][k.Name] && !tb.Open {
				t.Errorf("%s: key %s is in the table but no decoder reads it", tb.Name, k.Name)
			}
		}
	}
}

// TestKeysAreDocumented: every key says what it does, and its example is YAML of that
// one key, so that the reference docs never show an empty cell or a wrong example.
func TestKeysAreDocumented(t *testing.T) {
	for _, tb := range model.Tables() {
		if len(tb.Keys) == 0 {
			t.Errorf("%s has no keys", tb.Name)
		}
		for _, k := range tb.Keys {
			if k.Doc == "" || k.Shape == nil {
				t.Errorf("%s.%s has no doc or shape", tb.Name, k.Name)
			}
			if k.Refused {
				continue
			}
			n, err := source.Parse("example.yaml", []byte(k.Example))
			if err != nil || n.Kind != ir.Map || len(n.Pairs) != 1 || n.Pairs[0].Key != k.Name {
				t.Errorf("%s.%s: example %q is not YAML of that key: %v", tb.Name, k.Name, k.Example, err)
			}
		}
	}
}

// TestDefaultsAreWhatDecodingGives: the defaults the docs show are the values a
// decoder gives a spec or env that leaves the key out.
func TestDefaultsAreWhatDecodingGives(t *testing.T) {
	fsys := fstest.MapFS{
		"riglets/x.yaml": {Data: []byte("riglet: x\nowner: o\nenvs: [a]\nstacks: {s: {blocks: {v: {block: vpc}}}}\n")},
		"envs/a.yaml":    {Data: []byte("region: r\nazs: [ra]\n")},
	}
	var errs ir.Errors
	s := model.LoadSpec(fsys, "riglets/x.yaml", &errs)
	e := model.LoadEnv(fsys, "a", &errs)
	if len(errs) > 0 {
		t.Fatal(errs.Err())
	}
	var tiers []string
	for _, tr := range s.Network.Tiers {
		tiers = append(tiers, tr.Name+": "+itoa(tr.Size))
	}
	for key, got := range map[*model.Key]string{
		model.NetworkKeys.Key("pool"):      s.Network.Pool.String(),
		model.NetworkKeys.Key("prefix"):    itoa(s.Network.Prefix),
		model.NetworkKeys.Key("max_azs"):   itoa(s.Network.MaxAZs),
		model.NetworkKeys.Key("tiers"):     "{" + strings.Join(tiers, ", ") + "}",
		model.EnvAlarmsKeys.Key("profile"): e.Alarms.Profile,
		model.StackKeys.Key("shared"):      "false",
	} {
		if key.Default != got {
			t.Errorf("%s: documented default %q, decoded %q", key.Name, key.Default, got)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
