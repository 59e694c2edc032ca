// Package sweep runs one strategy over a grid of parameter points
// (SEMANTICS §5): grid syntax and files, --where constraints, seeded
// sampling, deterministic sharding, and a worker pool that dispatches
// points in chunks and streams rows in a deterministic order.
//
// Points are never materialised: a grid is a mixed-radix index space
// (the last parameter varies fastest) and every point is decoded from its
// index, so memory does not depend on the size of the grid.
package sweep

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// Axis is the values one parameter takes in a grid.
type Axis struct {
	Spec   engine.ParamSpec
	Values []engine.Value
	Text   string // the grid text it came from ("" for a default)
}

// Grid is the Cartesian product of one axis per strategy parameter, in
// the order of the specs (sorted by name). Parameters the grid does not
// name take their defaults.
type Grid struct {
	Axes []Axis
	size int64
}

// Size is the number of points in the grid (before any constraint).
func (g *Grid) Size() int64 { return g.size }

// Specs returns the parameter specs in axis order.
func (g *Grid) Specs() []engine.ParamSpec {
	out := make([]engine.ParamSpec, len(g.Axes))
	for i, a := range g.Axes {
		out[i] = a.Spec
	}
	return out
}

// Point decodes point i (0 ≤ i < Size) into dst (reused when it has the
// capacity) and returns it: complete params, sorted by name.
func (g *Grid) Point(i int64, dst engine.Params) engine.Params {
	if cap(dst) < len(g.Axes) {
		dst = make(engine.Params, len(g.Axes))
	}
	dst = dst[:len(g.Axes)]
	for k := len(g.Axes) - 1; k >= 0; k-- {
		a := &g.Axes[k]
		n := int64(len(a.Values))
		dst[k] = engine.Param{Name: a.Spec.Name, Value: a.Values[i%n]}
		i /= n
	}
	return dst
}

// Canonical is the grid as text in grid syntax, naming every parameter
// that takes more than its default (recorded in result metadata).
func (g *Grid) Canonical() string {
	var parts []string
	for _, a := range g.Axes {
		if a.Text == "" {
			continue
		}
		vs := make([]string, len(a.Values))
		for i, v := range a.Values {
			vs[i] = v.String()
		}
		parts = append(parts, a.Spec.Name+"="+strings.Join(vs, "|"))
	}
	return strings.Join(parts, ",")
}

// GridError is a bad grid: the parameter (when known) and what is wrong.
type GridError struct {
	Param string
	Msg   string
}

func (e *GridError) Error() string {
	if e.Param == "" {
		return "grid: " + e.Msg
	}
	return fmt.Sprintf("grid: parameter %s: %s", e.Param, e.Msg)
}

// maxAxis bounds the values of one axis (a range typo such as step 0.0001
// over [0, 1e6] is an error, not a 10-billion-value axis).
const maxAxis = 1_000_000

// Entry is one parameter's values in grid syntax, e.g. {"fast", "5:50:5"}.
type Entry struct {
	Name   string
	Values string
	From   string // where it was given, for errors ("--grid", "grid.yaml:3")
}

// ParseGrid reads grid text and builds the grid over specs (sorted by
// name): comma-separated name=values, where values is a range
// start:stop:step (inclusive, step > 0, numeric parameters), a list
// a|b|c, or one value. Every value is type- and range-checked.
func ParseGrid(text string, specs []engine.ParamSpec) (*Grid, error) {
	es, err := ParseEntries(text)
	if err != nil {
		return nil, err
	}
	return NewGrid(es, specs)
}

// ParseEntries splits grid text into entries without checking them.
func ParseEntries(text string) ([]Entry, error) {
	var es []Entry
	for _, part := range splitTop(text) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, vals, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, &GridError{Msg: fmt.Sprintf("%q is not name=values (e.g. fast=5:50:5 or weighting=equal|cap)", part)}
		}
		es = append(es, Entry{Name: name, Values: strings.TrimSpace(vals), From: "--grid"})
	}
	return es, nil
}

// splitTop splits on commas (a value never contains one).
func splitTop(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// NewGrid builds the grid of entries over specs (sorted by name).
// Parameters without an entry take their default.
func NewGrid(entries []Entry, specs []engine.ParamSpec) (*Grid, error) {
	byName := map[string]Entry{}
	for _, e := range entries {
		if findSpec(specs, e.Name) < 0 {
			return nil, &GridError{Param: e.Name, Msg: fmt.Sprintf("unknown parameter (in %s): valid parameters are %s", e.From, specNames(specs))}
		}
		if prev, dup := byName[e.Name]; dup {
			return nil, &GridError{Param: e.Name, Msg: fmt.Sprintf("given twice (in %s and %s)", prev.From, e.From)}
		}
		byName[e.Name] = e
	}
	g := &Grid{Axes: make([]Axis, len(specs))}
	size := big.NewInt(1)
	for i, s := range specs {
		e, given := byName[s.Name]
		a := Axis{Spec: s}
		if !given {
			if err := s.Check(s.Default); err != nil {
				return nil, &GridError{Param: s.Name, Msg: "default is invalid: " + err.Error()}
			}
			a.Values = []engine.Value{s.Default}
		} else {
			vs, err := parseValues(s, e.Values)
			if err != nil {
				return nil, err
			}
			a.Values, a.Text = vs, e.Values
		}
		g.Axes[i] = a
		size.Mul(size, big.NewInt(int64(len(a.Values))))
	}
	if !size.IsInt64() || size.Int64() > math.MaxInt64/4 {
		return nil, &GridError{Msg: fmt.Sprintf("%s points is too many to index; narrow the ranges or use --sample", size)}
	}
	g.size = size.Int64()
	return g, nil
}

func findSpec(specs []engine.ParamSpec, name string) int {
	for i, s := range specs {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// parseValues reads one parameter's values: a range, a list, or one value.
func parseValues(s engine.ParamSpec, text string) ([]engine.Value, error) {
	if text == "" {
		return nil, &GridError{Param: s.Name, Msg: "no values (want e.g. " + example(s) + ")"}
	}
	if strings.Contains(text, ":") {
		return parseRange(s, text)
	}
	parts := strings.Split(text, "|")
	vs := make([]engine.Value, 0, len(parts))
	seen := map[string]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, &GridError{Param: s.Name, Msg: fmt.Sprintf("empty value in list %q", text)}
		}
		v, err := s.Parse(p)
		if err != nil {
			return nil, &GridError{Param: s.Name, Msg: trimParamPrefix(err, s.Name)}
		}
		if seen[v.String()] {
			return nil, &GridError{Param: s.Name, Msg: fmt.Sprintf("value %s listed twice", v)}
		}
		seen[v.String()] = true
		vs = append(vs, v)
	}
	return vs, nil
}

// trimParamPrefix drops the "parameter x: " prefix of a spec error (the
// GridError adds it back).
func trimParamPrefix(err error, name string) string {
	return strings.TrimPrefix(err.Error(), "parameter "+name+": ")
}

func example(s engine.ParamSpec) string {
	switch s.Kind {
	case engine.EnumParam:
		return strings.Join(s.Choices, "|")
	case engine.BoolParam:
		return "true|false"
	case engine.FloatParam:
		return "0.5:2:0.5"
	}
	return "5:50:5"
}

// parseRange reads start:stop:step (step defaults to 1), inclusive of stop
// when it falls on the step. Float ranges are computed in decimal so that
// 0.1:0.3:0.1 gives exactly 0.1, 0.2, 0.3.
func parseRange(s engine.ParamSpec, text string) ([]engine.Value, error) {
	bad := func(msg string) error { return &GridError{Param: s.Name, Msg: msg} }
	if s.Kind == engine.EnumParam || s.Kind == engine.BoolParam {
		return nil, bad(fmt.Sprintf("range %q needs a numeric parameter; %s is %s (list values with |, e.g. %s)", text, s.Name, s.Kind, example(s)))
	}
	f := strings.Split(text, ":")
	if len(f) < 2 || len(f) > 3 {
		return nil, bad(fmt.Sprintf("range %q is not start:stop:step", text))
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	if len(f) == 2 {
		f = append(f, "1")
	}
	var vs []engine.Value
	switch s.Kind {
	case engine.IntParam, engine.BarsParam:
		var n [3]int64
		for i, x := range f {
			v, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return nil, bad(fmt.Sprintf("range %q: %q is not a whole number (%s)", text, x, s.Range()))
			}
			n[i] = v
		}
		start, stop, step := n[0], n[1], n[2]
		if step == 0 {
			return nil, bad(fmt.Sprintf("range %q has step 0 (want a positive step)", text))
		}
		if step < 0 {
			return nil, bad(fmt.Sprintf("range %q has a negative step (want start ≤ stop and a positive step)", text))
		}
		if start > stop {
			return nil, bad(fmt.Sprintf("range %q is empty (start %d > stop %d)", text, start, stop))
		}
		last := start + (stop-start)/step*step
		for _, x := range []int64{start, last} {
			if err := s.Check(engine.Value{Kind: s.Kind, I: x}); err != nil {
				return nil, bad(fmt.Sprintf("range %q: %s", text, trimParamPrefix(err, s.Name)))
			}
		}
		if (stop-start)/step+1 > maxAxis {
			return nil, bad(fmt.Sprintf("range %q has more than %d values", text, maxAxis))
		}
		for x := start; x <= stop; x += step {
			vs = append(vs, engine.Value{Kind: s.Kind, I: x})
			if x > math.MaxInt64-step {
				break
			}
		}
	case engine.FloatParam:
		var d [3]*big.Rat
		for i, x := range f {
			r, ok := new(big.Rat).SetString(x)
			if !ok || strings.ContainsAny(x, "/") {
				return nil, bad(fmt.Sprintf("range %q: %q is not a number (%s)", text, x, s.Range()))
			}
			d[i] = r
		}
		start, stop, step := d[0], d[1], d[2]
		if step.Sign() == 0 {
			return nil, bad(fmt.Sprintf("range %q has step 0 (want a positive step)", text))
		}
		if step.Sign() < 0 {
			return nil, bad(fmt.Sprintf("range %q has a negative step (want start ≤ stop and a positive step)", text))
		}
		if start.Cmp(stop) > 0 {
			return nil, bad(fmt.Sprintf("range %q is empty (start > stop)", text))
		}
		span := new(big.Rat).Quo(new(big.Rat).Sub(stop, start), step)
		count := new(big.Int).Quo(span.Num(), span.Denom()) // floor, span ≥ 0
		lastR := new(big.Rat).Add(start, new(big.Rat).Mul(step, new(big.Rat).SetInt(count)))
		for _, x := range []*big.Rat{start, lastR} {
			fx, _ := x.Float64()
			if err := s.Check(engine.Float(fx)); err != nil {
				return nil, bad(fmt.Sprintf("range %q: %s", text, trimParamPrefix(err, s.Name)))
			}
		}
		if count.Cmp(big.NewInt(maxAxis)) >= 0 {
			return nil, bad(fmt.Sprintf("range %q has more than %d values", text, maxAxis))
		}
		for k := int64(0); k <= count.Int64(); k++ {
			x := new(big.Rat).Add(start, new(big.Rat).Mul(step, new(big.Rat).SetInt64(k)))
			fx, _ := x.Float64()
			vs = append(vs, engine.Float(fx))
		}
	}
	for _, v := range vs {
		if err := s.Check(v); err != nil {
			return nil, bad(fmt.Sprintf("range %q: %s", text, trimParamPrefix(err, s.Name)))
		}
	}
	return vs, nil
}
