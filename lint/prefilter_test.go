package lint

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The cheap first tests of SEC007 never turn away what its regular expressions match:
// names and keys made of pieces of the secret words, in any case, with the Unicode
// letters that (?i) folds onto ASCII ones.
func TestSecretPrefilters(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"pass", "word", "passwd", "secret", "token", "api", "_", "key", "private",
		"auth", "Key", "SECRET", "Pass", "to", "ken", "se", "cret", "\u212Aey", "\u017Fecret", "x", "Id", "Name", "é"}
	hits, propHits := 0, 0
	for trial := 0; trial < 200000; trial++ {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			p := pieces[r.IntN(len(pieces))]
			if r.IntN(3) == 0 {
				p = strings.ToUpper(p)
			}
			b.WriteString(p)
		}
		s := b.String()
		if secretName.MatchString(s) {
			hits++
			if !mayBeSecretName(s) {
				t.Fatalf("mayBeSecretName(%q) is false, secretName matches", s)
			}
		}
		if secretProp.MatchString(s) && !mayBeSecretProp(s) {
			t.Fatalf("mayBeSecretProp(%q) is false, secretProp matches", s)
		}
		if got, want := isSecretProp(s), secretProp.MatchString(s); got != want {
			t.Fatalf("isSecretProp(%q) = %v, secretProp says %v", s, got, want)
		}
		if want := secretProp.MatchString(s); want {
			propHits++
		}
	}
	if hits < 1000 || propHits < 1000 {
		t.Fatalf("only %d names and %d keys matched: the test proves little", hits, propHits)
	}
	for _, s := range []string{"ServiceName", "ContainerPort", "Image", "LogGroup"} {
		if mayBeSecretName(s) {
			t.Errorf("mayBeSecretName(%q): a common name should not need the regexp", s)
		}
	}
}
