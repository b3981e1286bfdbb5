package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestRoundTrip: every committed stacks.json reads into these types and writes back
// byte for byte, so that no field riglet writes is one rigletdeploy cannot see.
func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("../out/*/*/" + File)
	if len(files) < 3 {
		t.Fatalf("only %d manifests under out/", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var m Manifest
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out, _ := json.MarshalIndent(m, "", "  ")
		if !bytes.Equal(append(out, '\n'), data) {
			t.Errorf("%s does not round-trip", f)
		}
	}
}
