package engine_test

import (
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/strategies"
)

// Every registered strategy passes the causality check on a synthetic
// market (IPOs, delistings, splits, rate cycles): with its defaults and
// with each choice of each enum parameter. A strategy whose Prepare used a
// later bar's data would fail here.
func TestRegisteredStrategiesAreCausal(t *testing.T) {
	p, err := synth.Generate(synth.Config{Symbols: 24, Days: 700, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	bars := []int{0, 1, 20, 63, 64, 200, 350, 500, 698}
	checked := 0
	defer func() {
		if checked < len(strategies.All()) {
			t.Errorf("checked %d variants of %d strategies", checked, len(strategies.All()))
		}
		t.Logf("checked %d parameter variants of %d strategies", checked, len(strategies.All()))
	}()
	for _, spec := range strategies.All() {
		variants := []engine.Params{nil}
		for _, ps := range spec.Params {
			if ps.Kind != engine.EnumParam {
				continue
			}
			for _, c := range ps.Choices {
				variants = append(variants, engine.Params{{Name: ps.Name, Value: engine.Enum(c)}})
			}
		}
		for _, v := range variants {
			params, err := spec.Resolve(v)
			if err != nil {
				continue // a combination the strategy rejects is not runnable
			}
			checked++
			name := spec.Name + " " + params.String()
			mk := func() (engine.Strategy, error) { return spec.New(params) }
			if err := engine.CheckCausal(p, mk, bars); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			st, err := mk()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if _, err := engine.Simulate(p, st, engine.DefaultConfig()); err != nil {
				t.Errorf("%s: simulate: %v", name, err)
			}
		}
	}
}
