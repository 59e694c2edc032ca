// Package strategies holds the registry of named strategies with typed
// parameter spaces, and the strategies themselves. Every strategy follows
// the rules of docs/semantics.md; its doc comment states them.
package strategies

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/rotor-bt/rotor/engine"
)

// Spec describes one strategy: its name, what it does, its parameters and
// how to build it.
type Spec struct {
	Name string
	Doc  string // one paragraph: the rule, timing and NaN handling
	// Params are the parameters, sorted by name, each with a default.
	Params []engine.ParamSpec
	// SingleAsset strategies trade one instrument; sweeps run them per asset.
	SingleAsset bool
	// Check, when set, validates constraints across parameters (e.g.
	// fast < slow) of a resolved parameter set; Resolve and Parse call it,
	// so a bad point is reported before any simulation.
	Check func(ps engine.Params) error
	// New builds the strategy for resolved (complete, valid, sorted) params.
	New func(ps engine.Params) (engine.Strategy, error)
	// Fast, when set, builds an Evaluator that shares work across points;
	// it returns nil when it does not cover cfg (e.g. a fill mode it does
	// not model), and the generic evaluator is used instead.
	Fast func(p *engine.Panel, cfg engine.Config) engine.Evaluator
}

var (
	mu       sync.RWMutex
	registry = map[string]*Spec{}
)

// Register adds a strategy. It panics on a duplicate name or unsorted
// params (a programming error, found at start-up).
func Register(s *Spec) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[s.Name]; dup {
		panic("strategies: registered twice: " + s.Name)
	}
	for i := 1; i < len(s.Params); i++ {
		if s.Params[i].Name <= s.Params[i-1].Name {
			panic("strategies: params of " + s.Name + " not sorted by name")
		}
	}
	registry[s.Name] = s
}

// Names returns the registered strategy names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// All returns every strategy, sorted by name.
func All() []*Spec {
	var out []*Spec
	for _, n := range Names() {
		s, _ := Lookup(n)
		out = append(out, s)
	}
	return out
}

// Lookup returns the strategy called name, or an error listing the valid names.
func Lookup(name string) (*Spec, error) {
	mu.RLock()
	s, ok := registry[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown strategy %q: valid strategies are %s", name, strings.Join(Names(), ", "))
	}
	return s, nil
}

// Param returns the spec of parameter n, or an error listing the valid names.
func (s *Spec) Param(n string) (engine.ParamSpec, error) {
	for _, p := range s.Params {
		if p.Name == n {
			return p, nil
		}
	}
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	return engine.ParamSpec{}, fmt.Errorf("strategy %s has no parameter %q: valid parameters are %s", s.Name, n, strings.Join(names, ", "))
}

// Parse reads name=value texts (e.g. from --param flags), fills defaults
// and validates: the canonical parameter set of one run.
func (s *Spec) Parse(kv map[string]string) (engine.Params, error) {
	names := make([]string, 0, len(kv))
	for n := range kv {
		names = append(names, n)
	}
	sort.Strings(names) // the first bad parameter by name is reported, every time
	ps := make(engine.Params, 0, len(s.Params))
	for _, n := range names {
		text := kv[n]
		spec, err := s.Param(n)
		if err != nil {
			return nil, err
		}
		v, err := spec.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("strategy %s: %w", s.Name, err)
		}
		ps = append(ps, engine.Param{Name: n, Value: v})
	}
	return s.Resolve(ps)
}

// Resolve checks typed params against the spec, fills defaults and
// returns them sorted by name.
func (s *Spec) Resolve(ps engine.Params) (engine.Params, error) {
	given := make(map[string]engine.Value, len(ps))
	for _, p := range ps {
		spec, err := s.Param(p.Name)
		if err != nil {
			return nil, err
		}
		if err := spec.Check(p.Value); err != nil {
			return nil, fmt.Errorf("strategy %s: %w", s.Name, err)
		}
		if _, dup := given[p.Name]; dup {
			return nil, fmt.Errorf("strategy %s: parameter %s is given twice", s.Name, p.Name)
		}
		given[p.Name] = p.Value
	}
	out := make(engine.Params, len(s.Params))
	for i, spec := range s.Params {
		v, ok := given[spec.Name]
		if !ok {
			v = spec.Default
		}
		out[i] = engine.Param{Name: spec.Name, Value: v}
	}
	if s.Check != nil {
		if err := s.Check(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Notes returns what the strategy has to say about a run on p with params
// ps (nil: the defaults), such as the size source of cap weighting, which
// SEMANTICS §7 wants printed with every result: it builds the strategy,
// prepares it on p and asks it (see Noter). Strategies without notes give
// nil. Commands print these lines under their result tables; a sweep calls
// it once, since the notes depend on the data, not on the point.
func (s *Spec) Notes(p *engine.Panel, ps engine.Params) ([]string, error) {
	ps, err := s.Resolve(ps)
	if err != nil {
		return nil, err
	}
	st, err := s.New(ps)
	if err != nil {
		return nil, err
	}
	n, ok := st.(Noter)
	if !ok {
		return nil, nil
	}
	if pr, ok := st.(engine.Preparer); ok {
		if err := pr.Prepare(p); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return n.Notes(), nil
}

// Evaluator returns the evaluator of the strategy on p under cfg: the
// strategy's shared fast path when it has one that covers cfg, else one
// simulation per point.
func (s *Spec) Evaluator(p *engine.Panel, cfg engine.Config) engine.Evaluator {
	if s.Fast != nil {
		if e := s.Fast(p, cfg); e != nil {
			return e
		}
	}
	return &simEvaluator{spec: s, panel: p, cfg: cfg}
}

// simEvaluator runs engine.Simulate once per (asset, point).
type simEvaluator struct {
	spec  *Spec
	panel *engine.Panel
	cfg   engine.Config
}

func (e *simEvaluator) Evaluate(points []engine.Params, assets []int, out []engine.Metrics) error {
	run := func(p *engine.Panel, ps engine.Params, dst *engine.Metrics) error {
		st, err := e.spec.New(ps)
		if err != nil {
			return err
		}
		res, err := engine.Simulate(p, st, e.cfg)
		if err != nil {
			return fmt.Errorf("%s %s: %w", e.spec.Name, ps, err)
		}
		*dst = res.Metrics
		return nil
	}
	if assets == nil {
		for k, ps := range points {
			if err := run(e.panel, ps, &out[k]); err != nil {
				return err
			}
		}
		return nil
	}
	for a, i := range assets {
		p := e.panel.Asset(i)
		for k, ps := range points {
			if err := run(p, ps, &out[a*len(points)+k]); err != nil {
				return fmt.Errorf("%s: %w", e.panel.Symbols[i], err)
			}
		}
	}
	return nil
}
