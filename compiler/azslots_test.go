package compiler_test

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

var allAZs = []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}

func azFS(azs []string, singleNat bool, lock []byte) fstest.MapFS {
	spec := fmt.Sprintf("riglet: az\nowner: acme\nenvs: [dev]\nnetwork: {max_azs: 6}\nstacks:\n  foundation:\n    blocks:\n      network: {block: vpc, params: {SingleNatGateway: %q}}\n", fmt.Sprint(singleNat))
	env := fmt.Sprintf("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [%s]\ncidr: 10.4.0.0/16\nalarms: {profile: none}\n", strings.Join(azs, ", "))
	fsys := fstest.MapFS{"riglets/az.yaml": {Data: []byte(spec)}, "envs/dev.yaml": {Data: []byte(env)}}
	if lock != nil {
		fsys["riglets/az.lock"] = &fstest.MapFile{Data: lock}
	}
	return fsys
}

// perAZ is the vpc block's per-AZ resources: the logical ID ends in the set's number.
var perAZ = regexp.MustCompile(`^Network(PublicSubnet|PublicAssoc|NatEip|NatGateway|PrivateRouteTable|PrivateRoute|AppSubnet|AppAssoc|DbSubnet|DbAssoc)([0-9]+)$`)

// azView is what a compile made of the per-AZ resources: each one's properties as
// text, the AZ each set belongs to, and the subnets each subnet list output names.
type azView struct {
	props   map[string]string // logical ID -> properties
	setAZ   map[string]string // set number -> AZ
	outputs map[string][]string
}

func dumpNode(b *strings.Builder, n *ir.Node) {
	switch n.Kind {
	case ir.Map:
		b.WriteString("{")
		for _, p := range n.Pairs {
			b.WriteString(p.Key + ":")
			dumpNode(b, p.Value)
			b.WriteString(",")
		}
		b.WriteString("}")
	case ir.List:
		b.WriteString("[")
		for _, it := range n.Items {
			dumpNode(b, it)
			b.WriteString(",")
		}
		b.WriteString("]")
	default:
		fmt.Fprintf(b, "%q", n.Text)
	}
}

func viewOf(t *testing.T, res *compiler.Result) azView {
	t.Helper()
	v := azView{props: map[string]string{}, setAZ: map[string]string{}, outputs: map[string][]string{}}
	tmpl := res.Envs[0].Stacks[0].Template
	for _, r := range tmpl.Get("Resources").Pairs {
		m := perAZ.FindStringSubmatch(r.Key)
		if m == nil {
			continue
		}
		var b strings.Builder
		dumpNode(&b, r.Value.Get("Properties"))
		v.props[r.Key] = b.String()
		if m[1] == "PublicSubnet" {
			v.setAZ[m[2]] = r.Value.Get("Properties").Get("AvailabilityZone").Text
		}
	}
	for _, o := range tmpl.Get("Outputs").Pairs {
		if !strings.HasSuffix(o.Key, "SubnetIds") {
			continue
		}
		for _, it := range o.Value.Get("Value").Get("Fn::Join").Items[1].Items {
			v.outputs[o.Key] = append(v.outputs[o.Key], it.Get("Ref").Text)
		}
	}
	return v
}

// setOf returns the AZ a per-AZ resource belongs to.
func (v azView) setOf(id string) string { return v.setAZ[perAZ.FindStringSubmatch(id)[2]] }

// editAZs applies one random edit to an env's azs: insert an unused AZ anywhere,
// append one, remove one, or re-order them.
func editAZs(r *rand.Rand, azs []string) ([]string, string) {
	var unused []string
	for _, az := range allAZs {
		if !slices.Contains(azs, az) {
			unused = append(unused, az)
		}
	}
	out := slices.Clone(azs)
	switch op := r.IntN(4); {
	case op == 0 && len(unused) > 0:
		i := r.IntN(len(out) + 1)
		return slices.Insert(out, i, unused[r.IntN(len(unused))]), "insert"
	case op == 1 && len(unused) > 0:
		return append(out, unused[r.IntN(len(unused))]), "append"
	case op == 2 && len(out) > 2:
		i := r.IntN(len(out))
		return slices.Delete(out, i, i+1), "remove"
	default:
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out, "re-order"
	}
}

// TestPerAZResourcesNeverMove edits an env's azs at random, feeding the written lock
// back, and checks that per-AZ resources are named by something that never moves: a
// resource whose AZ is still in the env keeps its logical ID and every property (its
// AZ and CIDR included), new resources belong only to an added AZ, vanished ones only
// to a removed AZ, and the subnet list outputs name exactly the env's AZs' subnets.
// With one NAT gateway for the env, the gateway may only move when its own AZ goes.
func TestPerAZResourcesNeverMove(t *testing.T) {
	for _, single := range []bool{false, true} {
		r := rand.New(rand.NewPCG(10, 2))
		for run := 0; run < 6; run++ {
			azs := slices.Clone(allAZs[:2+r.IntN(3)])
			var lock []byte
			var prev azView
			for step := 0; step < 20; step++ {
				var op string
				if step > 0 {
					azs, op = editAZs(r, azs)
				}
				res, err := compiler.Compile(azFS(azs, single, lock), blocks.FS, "riglets/az.yaml", compiler.Options{})
				if err != nil {
					t.Fatalf("single NAT %v run %d step %d (%s to %v): %v", single, run, step, op, azs, err)
				}
				v := viewOf(t, res)
				where := fmt.Sprintf("single NAT %v run %d step %d (%s to %v)", single, run, step, op, azs)
				checkAZView(t, where, v, azs, single)
				if step > 0 {
					checkAZStable(t, where, prev, v, azs, single)
				}
				prev, lock = v, res.Lock.Marshal("riglets/az.yaml")
			}
		}
	}
}

// checkAZView checks one compile alone: one set per AZ, and the outputs list them all.
func checkAZView(t *testing.T, where string, v azView, azs []string, single bool) {
	t.Helper()
	var got []string
	for _, az := range v.setAZ {
		got = append(got, az)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(azs))
	if !slices.Equal(got, want) {
		t.Fatalf("%s: per-AZ sets are for %v, want %v", where, got, want)
	}
	for _, tier := range []string{"Public", "App", "Db"} {
		var named []string
		for _, id := range v.outputs["Network"+tier+"SubnetIds"] {
			named = append(named, v.setOf(id))
		}
		slices.Sort(named)
		if !slices.Equal(named, want) {
			t.Fatalf("%s: %sSubnetIds names the subnets of %v, want %v", where, tier, named, want)
		}
	}
	nats := 0
	for id := range v.props {
		if strings.HasPrefix(id, "NetworkNatGateway") {
			nats++
		}
	}
	if want := map[bool]int{true: 1, false: len(azs)}[single]; nats != want {
		t.Fatalf("%s: %d NAT gateways, want %d", where, nats, want)
	}
	if single {
		lowest := slices.MinFunc(slices.Collect(maps.Keys(v.setAZ)), func(a, b string) int {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return x - y
		})
		if _, ok := v.props["NetworkNatGateway"+lowest]; !ok {
			t.Fatalf("%s: the one NAT gateway is not in the lowest slot, %s", where, lowest)
		}
	}
}

// checkAZStable compares a compile with the one before it.
func checkAZStable(t *testing.T, where string, prev, v azView, azs []string, single bool) {
	t.Helper()
	// with one NAT gateway, it and the routes to it move when (and only when) its AZ goes
	natMoves := func(id string) bool {
		return single && (strings.HasPrefix(id, "NetworkNat") || strings.HasPrefix(id, "NetworkPrivateRoute") && !strings.Contains(id, "Table"))
	}
	natAZ := func(w azView) string {
		for id := range w.props {
			if strings.HasPrefix(id, "NetworkNatGateway") {
				return w.setOf(id)
			}
		}
		return ""
	}
	// It lives in the lowest slot, so it also moves when a new AZ takes a lower slot
	// than its own, freed by an AZ removed earlier.
	if single && natAZ(prev) != natAZ(v) && slices.Contains(azs, natAZ(prev)) && slices.Contains(slices.Collect(maps.Values(prev.setAZ)), natAZ(v)) {
		t.Fatalf("%s: the NAT gateway moved from %s to %s, both still in the env", where, natAZ(prev), natAZ(v))
	}
	for id, p := range prev.props {
		az := prev.setOf(id)
		q, ok := v.props[id]
		switch {
		case !slices.Contains(azs, az):
			if ok && v.setOf(id) == az {
				t.Fatalf("%s: %s of removed AZ %s is still there", where, id, az)
			}
		case natMoves(id) && natAZ(prev) != natAZ(v):
		case !ok:
			t.Fatalf("%s: %s of %s disappeared, and %s is still in the env", where, id, az, az)
		case q != p:
			t.Fatalf("%s: %s of %s changed:\n  was %s\n  now %s", where, id, az, p, q)
		}
	}
	for id := range v.props {
		if _, ok := prev.props[id]; ok && prev.setOf(id) == v.setOf(id) {
			continue
		}
		if az := v.setOf(id); slices.Contains(slices.Collect(maps.Values(prev.setAZ)), az) && !(natMoves(id) && natAZ(prev) != natAZ(v)) {
			t.Fatalf("%s: %s appeared for %s, which was already in the env", where, id, az)
		}
	}
}

// An AZ in a slot the vpc block has no resources for is an error at the env's azs,
// not a VPC that silently lacks its subnets.
func TestAZBeyondTheBlockSlotsIsAnError(t *testing.T) {
	azs := []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f", "us-east-1g"}
	fsys := azFS(azs, false, nil)
	fsys["riglets/az.yaml"].Data = []byte(strings.Replace(string(fsys["riglets/az.yaml"].Data), "max_azs: 6", "max_azs: 8", 1))
	_, err := compiler.Compile(fsys, blocks.FS, "riglets/az.yaml", compiler.Options{})
	var errs ir.Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("want one error, got %v", err)
	}
	e := errs[0]
	if e.Code != ir.CodeNetwork || e.Pos.File.String() != "envs/dev.yaml" || e.Pos.Line != 4 || !strings.Contains(e.Msg, "us-east-1g (slot 7)") || !strings.Contains(e.Msg, "foundation.network") {
		t.Fatalf("got %s at %s", e.Msg, e.Pos)
	}
	// six AZs fit
	if _, err := compiler.Compile(azFS(azs[:6], false, nil), blocks.FS, "riglets/az.yaml", compiler.Options{}); err != nil {
		t.Fatal(err)
	}
}

// couchdb puts its instance in the first db subnet and its data volume in that
// subnet's AZ: re-ordering or inserting AZs must move neither, and they must agree
// (a volume attaches only in its own AZ).
func TestCouchdbVolumeStaysWithItsSubnet(t *testing.T) {
	withDB := func(azs []string, lock []byte) fstest.MapFS {
		fsys := azFS(azs, false, lock)
		spec := string(fsys["riglets/az.yaml"].Data) + "  db:\n    blocks:\n      couch: {block: couchdb}\n"
		fsys["riglets/az.yaml"] = &fstest.MapFile{Data: []byte(spec)}
		return fsys
	}
	var lock []byte
	for i, azs := range [][]string{
		{"us-east-1a", "us-east-1b"},
		{"us-east-1c", "us-east-1a", "us-east-1b"}, // inserted in front
		{"us-east-1b", "us-east-1c", "us-east-1a"}, // re-ordered
	} {
		res, err := compiler.Compile(withDB(azs, lock), blocks.FS, "riglets/az.yaml", compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		lock = res.Lock.Marshal("riglets/az.yaml")
		var volumeAZ string
		for _, s := range res.Envs[0].Stacks {
			for _, r := range s.Template.Get("Resources").Pairs {
				if r.Value.Get("Type").Text == "AWS::EC2::Volume" {
					volumeAZ = r.Value.Get("Properties").Get("AvailabilityZone").Text
				}
			}
		}
		// the instance's subnet is the first of DbSubnetIds: the vpc block's DbSubnet1 here
		v := viewOf(t, res)
		first := v.outputs["NetworkDbSubnetIds"][0]
		if volumeAZ != "us-east-1a" || v.setOf(first) != volumeAZ {
			t.Fatalf("step %d (%v): volume in %q, first db subnet %s in %s; want both in us-east-1a", i, azs, volumeAZ, first, v.setOf(first))
		}
	}
}
