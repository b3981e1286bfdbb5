package blocks_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
)

// secretEntry is one entry of a random Secrets map, with what it must compile to.
type secretEntry struct {
	name, yaml string
	arn        any // the policy's Resource item
	valueFrom  any // the container's ValueFrom
}

const importedSecret = "acme-t-test-data--DbSecretArn"

// randomSecrets makes a map of up to 9 entries: literal ARNs from a small pool (so
// that entries share secrets) and a wired one, given bare, as {Arn} or {Arn, Key}.
func randomSecrets(r *rand.Rand) []secretEntry {
	pool := []string{"db-AbCdEf", "stripe-AbCdEf", "smtp-AbCdEf", "path/to/x-AbCdEf"}
	used := map[string]bool{}
	var out []secretEntry
	for range r.IntN(10) {
		name := string(rune('A'+r.IntN(26))) + fmt.Sprintf("_%d", r.IntN(50))
		if used[name] {
			continue
		}
		used[name] = true
		var arnYAML string
		var arn any
		if r.IntN(4) == 0 {
			arnYAML, arn = "!Output data.db.SecretArn", map[string]any{"Fn::ImportValue": importedSecret}
		} else {
			s := "arn:aws:secretsmanager:us-west-2:123456789012:secret:" + pool[r.IntN(len(pool))]
			arnYAML, arn = s, s
		}
		e := secretEntry{name: name, arn: arn, valueFrom: arn}
		switch r.IntN(3) {
		case 0:
			e.yaml = arnYAML
		case 1:
			e.yaml = "{Arn: " + arnYAML + "}"
		default:
			key := []string{"password", "username", "token"}[r.IntN(3)]
			e.yaml = "{Arn: " + arnYAML + ", Key: " + key + "}"
			if s, ok := arn.(string); ok {
				e.valueFrom = s + ":" + key + "::"
			} else {
				e.valueFrom = map[string]any{"Fn::Sub": []any{"${Arn}:" + key + "::", map[string]any{"Arn": arn}}}
			}
		}
		out = append(out, e)
	}
	return out
}

func secretsSpec(entries []secretEntry) string {
	var b strings.Builder
	b.WriteString(`riglet: t
owner: acme
envs: [test]
stacks:
  data:
    blocks:
      db: {block: secret}
  app:
    blocks:
      web:
        block: ecs-service
        params:
          ClusterName: test-cluster
          LaunchType: FARGATE
          VpcId: vpc-0a1b2c3d4e5f60718
          SubnetIds: [subnet-0a1b2c3d4e5f60711, subnet-0a1b2c3d4e5f60712]
          Image: example/web
          Environment: [PLAIN_ONE=1, PLAIN_TWO=two]
`)
	if len(entries) > 0 {
		b.WriteString("          Secrets:\n")
	}
	for _, e := range entries {
		b.WriteString("            " + e.name + ": " + e.yaml + "\n")
	}
	return b.String()
}

// TestSecretsMapProperties: for random maps, every entry reaches the container once,
// through ValueFrom only, with its key; the execution role reads exactly the set of
// their secrets, each once; and the YAML's order changes no byte of the output.
func TestSecretsMapProperties(t *testing.T) {
	env, err := os.ReadFile("testdata/envs/test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(17, 6))
	for i := range 30 {
		entries := randomSecrets(r)
		fsys := fstest.MapFS{"envs/test.yaml": {Data: env}, "riglets/t.yaml": {Data: []byte(secretsSpec(entries))}}
		stacks, err := compileStacks(fsys, "riglets/t.yaml")
		if err != nil {
			t.Fatalf("case %d:\n%s\n%v", i, secretsSpec(entries), err)
		}
		var app stack
		for _, s := range stacks {
			if s.name == "app" {
				app = s
			}
		}
		td := app.resources["WebTaskDefinition"]["Properties"].(map[string]any)
		c := list(td["ContainerDefinitions"])[0].(map[string]any)
		got := map[string]any{}
		for _, s := range list(c["Secrets"]) {
			m := s.(map[string]any)
			name := str(m["Name"])
			if _, dup := got[name]; dup {
				t.Errorf("case %d: %s twice in the container's Secrets", i, name)
			}
			got[name] = m["ValueFrom"]
		}
		want := map[string]any{}
		for _, e := range entries {
			want[e.name] = e.valueFrom
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("case %d: container Secrets\n got %v\nwant %v", i, got, want)
		}
		for _, ev := range list(c["Environment"]) {
			v := fmt.Sprint(ev.(map[string]any)["Value"])
			if strings.Contains(v, "secretsmanager") || strings.Contains(v, "ImportValue") {
				t.Errorf("case %d: a secret in the plain Environment: %v", i, ev)
			}
		}
		var resources []any
		role := app.resources["WebExecutionRole"]["Properties"].(map[string]any)
		for _, st := range list(list(role["Policies"])[0].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"]) {
			if m := st.(map[string]any); m["Sid"] == "Secrets" {
				resources = list(m["Resource"])
			}
		}
		var wantRes []any
		for _, e := range entries {
			if !containsValue(wantRes, e.arn) {
				wantRes = append(wantRes, e.arn)
			}
		}
		if len(resources) != len(wantRes) {
			t.Errorf("case %d: policy Resource %v, want each of %v once", i, resources, wantRes)
		}
		for _, w := range wantRes {
			if !containsValue(resources, w) {
				t.Errorf("case %d: policy Resource %v lacks %v", i, resources, w)
			}
		}

		// the same map in another order: the same bytes
		shuffled := append([]secretEntry(nil), entries...)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if a, b := templates(t, env, entries), templates(t, env, shuffled); !reflect.DeepEqual(a, b) {
			t.Errorf("case %d: the output depends on the map's order", i)
		}
	}
}

func containsValue(l []any, v any) bool {
	for _, it := range l {
		if reflect.DeepEqual(it, v) {
			return true
		}
	}
	return false
}

// templates compiles the spec of entries and returns every output file's bytes.
func templates(t *testing.T, env []byte, entries []secretEntry) map[string]string {
	t.Helper()
	fsys := fstest.MapFS{"envs/test.yaml": {Data: env}, "riglets/t.yaml": {Data: []byte(secretsSpec(entries))}}
	res, err := compiler.Compile(fsys, blocks.FS, "riglets/t.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range res.Files() {
		out[f.Path] = string(f.Data)
	}
	return out
}
