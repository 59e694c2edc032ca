package strategies

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary name=value texts to every strategy's Parse:
// it never panics, an error is one line, and an accepted set round-trips
// through its canonical text.
func FuzzParse(f *testing.F) {
	for _, seed := range [][3]string{
		{"sma_cross", "fast", "5"}, {"sma_cross", "slow", "1e3"}, {"ts_momentum", "threshold", "-0.5"},
		{"xs_momentum", "top_n", "99999999999999999999"}, {"equal_weight", "rebalance", " weekly "},
		{"rate_regime", "falling", "cash"}, {"cap_weight", "every", "-1"}, {"nope", "x", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, name, key, val string) {
		spec, err := Lookup(name)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		ps, err := spec.Parse(map[string]string{key: val})
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(key+val, "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		kv := map[string]string{}
		for _, p := range ps {
			kv[p.Name] = p.Value.String()
		}
		again, err := spec.Parse(kv)
		if err != nil {
			t.Fatalf("canonical %s does not parse back: %v", ps, err)
		}
		if again.String() != ps.String() {
			t.Fatalf("round trip %s → %s", ps, again)
		}
		if _, err := spec.New(ps); err != nil {
			t.Fatalf("accepted %s but New fails: %v", ps, err)
		}
	})
}
