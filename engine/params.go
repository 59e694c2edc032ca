package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ParamKind is the type of a strategy parameter.
type ParamKind uint8

const (
	IntParam   ParamKind = iota // whole number
	FloatParam                  // real number
	EnumParam                   // one of Choices
	BoolParam                   // true|false
	BarsParam                   // a duration counted in bars (whole number ≥ 0)
)

var paramKindNames = [...]string{"int", "float", "enum", "bool", "bars"}

func (k ParamKind) String() string {
	if int(k) < len(paramKindNames) {
		return paramKindNames[k]
	}
	return fmt.Sprintf("ParamKind(%d)", k)
}

// Value is one parameter value. Int and Bars use I, Float uses F, Enum uses
// S, Bool uses B.
type Value struct {
	Kind ParamKind
	I    int64
	F    float64
	S    string
	B    bool
}

// Int, Float, Enum, Bool and Bars build Values.
func Int(i int64) Value     { return Value{Kind: IntParam, I: i} }
func Float(f float64) Value { return Value{Kind: FloatParam, F: f} }
func Enum(s string) Value   { return Value{Kind: EnumParam, S: s} }
func Bool(b bool) Value     { return Value{Kind: BoolParam, B: b} }
func Bars(n int64) Value    { return Value{Kind: BarsParam, I: n} }
func (v Value) Int() int    { return int(v.I) }
func (v Value) Num() float64 { // numeric value for expressions (bool: 0/1, enum: NaN)
	switch v.Kind {
	case IntParam, BarsParam:
		return float64(v.I)
	case FloatParam:
		return v.F
	case BoolParam:
		if v.B {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// String is the canonical text of v: it parses back to v and is the form
// hashed into config ids.
func (v Value) String() string {
	switch v.Kind {
	case IntParam, BarsParam:
		return strconv.FormatInt(v.I, 10)
	case FloatParam:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case BoolParam:
		return strconv.FormatBool(v.B)
	}
	return v.S
}

// ParamSpec declares one parameter of a strategy.
type ParamSpec struct {
	Name    string
	Kind    ParamKind
	Doc     string
	Default Value
	Min     float64  // inclusive bounds for Int, Float, Bars
	Max     float64  // (Max = +Inf: unbounded)
	Choices []string // for Enum
}

// Parse reads s as a value of the spec, checking type and range. The error
// names the parameter and what would be valid.
func (p ParamSpec) Parse(s string) (Value, error) {
	var v Value
	switch p.Kind {
	case IntParam, BarsParam:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return v, fmt.Errorf("parameter %s: %q is not a whole number (%s)", p.Name, s, p.Range())
		}
		v = Value{Kind: p.Kind, I: i}
	case FloatParam:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return v, fmt.Errorf("parameter %s: %q is not a finite number (%s)", p.Name, s, p.Range())
		}
		v = Float(f)
	case BoolParam:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return v, fmt.Errorf("parameter %s: %q is not true|false", p.Name, s)
		}
		v = Bool(b)
	case EnumParam:
		v = Enum(strings.TrimSpace(s))
	}
	return v, p.Check(v)
}

// Check reports whether v is a valid value of the spec.
func (p ParamSpec) Check(v Value) error {
	if v.Kind != p.Kind {
		return fmt.Errorf("parameter %s: got a %s, want a %s (%s)", p.Name, v.Kind, p.Kind, p.Range())
	}
	switch p.Kind {
	case IntParam, BarsParam, FloatParam:
		x := v.Num()
		if x < p.Min || x > p.Max {
			return fmt.Errorf("parameter %s: %s is out of range (%s)", p.Name, v, p.Range())
		}
	case EnumParam:
		for _, c := range p.Choices {
			if c == v.S {
				return nil
			}
		}
		return fmt.Errorf("parameter %s: %q is not valid (%s)", p.Name, v.S, p.Range())
	}
	return nil
}

// Range describes the valid values, e.g. "int in [1, 500]" or "one of equal|cap".
func (p ParamSpec) Range() string {
	switch p.Kind {
	case EnumParam:
		return "one of " + strings.Join(p.Choices, "|")
	case BoolParam:
		return "true|false"
	}
	hi := "∞"
	if !math.IsInf(p.Max, 1) {
		hi = strconv.FormatFloat(p.Max, 'g', -1, 64)
	}
	return fmt.Sprintf("%s in [%s, %s]", p.Kind, strconv.FormatFloat(p.Min, 'g', -1, 64), hi)
}

// Param is a named value.
type Param struct {
	Name  string
	Value Value
}

// Params is a parameter set sorted by name (the canonical order).
type Params []Param

// Get returns the value named n.
func (ps Params) Get(n string) (Value, bool) {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].Name >= n })
	if i < len(ps) && ps[i].Name == n {
		return ps[i].Value, true
	}
	return Value{}, false
}

// Sorted returns ps sorted by name (it sorts in place).
func (ps Params) Sorted() Params {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	return ps
}

// String is the canonical text: name=value pairs sorted by name, joined by commas.
func (ps Params) String() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(p.Value.String())
	}
	return b.String()
}

// ConfigID is the stable id of a strategy run (SEMANTICS §5): the first 16
// hex digits of SHA-256 over "strategy?canonical params". ps must be sorted.
func ConfigID(strategy string, ps Params) string {
	h := sha256.Sum256([]byte(strategy + "?" + ps.String()))
	return hex.EncodeToString(h[:8])
}
