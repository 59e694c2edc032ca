package strategies

import (
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

func TestRegistryNames(t *testing.T) {
	have := map[string]bool{}
	for _, s := range All() {
		have[s.Name] = true
		if s.Doc == "" || s.New == nil {
			t.Errorf("%s: missing doc or constructor", s.Name)
		}
		for _, p := range s.Params {
			if p.Doc == "" {
				t.Errorf("%s.%s: no doc", s.Name, p.Name)
			}
			if err := p.Check(p.Default); err != nil {
				t.Errorf("%s: default invalid: %v", s.Name, err)
			}
		}
		// The defaults make a valid strategy.
		ps, err := s.Resolve(nil)
		if err != nil {
			t.Errorf("%s: defaults: %v", s.Name, err)
			continue
		}
		if _, err := s.New(ps); err != nil {
			t.Errorf("%s: New(defaults): %v", s.Name, err)
		}
	}
	for _, n := range []string{"buy_hold", "equal_weight", "cap_weight", "sma_cross", "ts_momentum", "xs_momentum", "rate_regime"} {
		if !have[n] {
			t.Errorf("strategy %s not registered", n)
		}
	}
}

// Every bad input gets one line naming what is wrong and what is valid.
func TestRegistryErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		kv   map[string]string
		want []string // substrings of the error
	}{
		{"no_such", nil, []string{`unknown strategy "no_such"`, "buy_hold", "sma_cross", "xs_momentum"}},
		{"sma_cross", map[string]string{"fats": "5"}, []string{`no parameter "fats"`, "valid parameters are fast, slow"}},
		{"sma_cross", map[string]string{"fast": "0"}, []string{"fast", "out of range", "bars in [1, ∞]"}},
		{"sma_cross", map[string]string{"fast": "five"}, []string{"fast", `"five" is not a whole number`, "bars in [1, ∞]"}},
		{"sma_cross", map[string]string{"fast": "2.5"}, []string{"fast", "not a whole number"}},
		{"sma_cross", map[string]string{"fast": "50", "slow": "20"}, []string{"fast (50) must be less than slow (20)"}},
		{"ts_momentum", map[string]string{"threshold": "x"}, []string{"threshold", "not a finite number", "float in [-1, ∞]"}},
		{"ts_momentum", map[string]string{"threshold": "NaN"}, []string{"threshold", "not a finite number"}},
		{"ts_momentum", map[string]string{"threshold": "-2"}, []string{"threshold", "out of range"}},
		{"equal_weight", map[string]string{"rebalance": "yearly"}, []string{"rebalance", `"yearly" is not valid`, "one of daily|weekly|monthly|quarterly"}},
		{"equal_weight", map[string]string{"every": "-1"}, []string{"every", "out of range", "bars in [0, ∞]"}},
		{"xs_momentum", map[string]string{"skip": "300"}, []string{"skip (300) must be less than lookback (252)"}},
		{"xs_momentum", map[string]string{"top_n": "0"}, []string{"top_n", "out of range", "int in [1, ∞]"}},
		{"rate_regime", map[string]string{"falling": "bonds"}, []string{"falling", `"bonds"`, "one of equal|cap|cash"}},
	} {
		var err error
		spec, err := Lookup(tc.name)
		if err == nil {
			_, err = spec.Parse(tc.kv)
		}
		if err == nil {
			t.Errorf("%s %v: no error", tc.name, tc.kv)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("%s %v: error spans lines: %q", tc.name, tc.kv, msg)
		}
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s %v: error %q lacks %q", tc.name, tc.kv, msg, w)
			}
		}
	}
}

// Typed values (from grids) are checked by kind as well as range.
func TestResolveWrongType(t *testing.T) {
	spec, _ := Lookup("sma_cross")
	_, err := spec.Resolve(engine.Params{{Name: "fast", Value: engine.Float(5)}})
	if err == nil || !strings.Contains(err.Error(), "got a float, want a bars") {
		t.Fatalf("err = %v", err)
	}
	_, err = spec.Resolve(engine.Params{{Name: "fast", Value: engine.Bars(5)}, {Name: "fast", Value: engine.Bars(6)}})
	if err == nil || err.Error() != "strategy sma_cross: parameter fast is given twice" {
		t.Fatalf("duplicate: err = %v", err)
	}
	ps, err := spec.Resolve(engine.Params{{Name: "slow", Value: engine.Bars(60)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ps.String(); got != "fast=50,slow=60" {
		t.Fatalf("resolved %s, want the default fast filled in", got)
	}
}
