package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"params", "envs", "block", "with", "alarms"}
	for s, want := range map[string]string{"parms": "params", "Block": "block", "zzzzzz": "", "alarm": "alarms", "env": "envs"} {
		if got := Closest(s, names); got != want {
			t.Errorf("Closest(%q) = %q, want %q", s, got, want)
		}
	}
	if Distance("kitten", "sitting") != 3 {
		t.Error("Distance(kitten, sitting) != 3")
	}
}
