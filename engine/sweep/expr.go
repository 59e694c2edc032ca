package sweep

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// Expr is a compiled --where constraint: a boolean expression over the
// parameters of one strategy. The language is small and safe (it only
// reads parameter values; there are no calls and no assignments):
//
//	or-expr    := and-expr { ("or" | "||") and-expr }
//	and-expr   := not-expr { ("and" | "&&") not-expr }
//	not-expr   := ("not" | "!") not-expr | comparison
//	comparison := sum [ ("<" | "<=" | ">" | ">=" | "==" | "=" | "!=") sum ]
//	sum        := product { ("+" | "-") product }
//	product    := unary { ("*" | "/" | "%") unary }
//	unary      := "-" unary | primary
//	primary    := number | parameter | 'text' | "text" | true | false | "(" or-expr ")"
//
// Numbers, int/float/bars parameters and arithmetic are float64; bool
// parameters and comparisons are booleans; enum parameters compare (== and
// != only) with text literals, which must be one of the enum's choices.
// A division by zero gives ±Inf or NaN, and a comparison with NaN is false.
type Expr struct {
	src  string
	root node
}

// String is the source text.
func (e *Expr) String() string { return e.src }

// Eval reports whether ps (complete and sorted in the order of the specs
// the expression was compiled against) satisfies the expression.
func (e *Expr) Eval(ps engine.Params) bool { return e.root.num(ps) != 0 }

type kind uint8

const (
	kNum kind = iota
	kBool
	kText
)

func (k kind) String() string {
	return [...]string{"a number", "a boolean", "text"}[k]
}

type node interface {
	kind() kind
	num(ps engine.Params) float64 // numbers; booleans as 0/1
}

type numLit float64

func (n numLit) kind() kind                     { return kNum }
func (n numLit) num(engine.Params) float64      { return float64(n) }
func (n boolLit) kind() kind                    { return kBool }
func (n boolLit) num(engine.Params) float64     { return b2f(bool(n)) }
func (n textLit) kind() kind                    { return kText }
func (n textLit) num(engine.Params) float64     { return math.NaN() }
func (n paramRef) kind() kind                   { return n.k }
func (n paramRef) num(ps engine.Params) float64 { return ps[n.idx].Value.Num() }

type boolLit bool
type textLit struct {
	s   string
	pos int
}
type paramRef struct {
	idx  int
	k    kind
	spec engine.ParamSpec
}

type unary struct {
	op byte // '-' or '!'
	x  node
}

func (n unary) kind() kind {
	if n.op == '!' {
		return kBool
	}
	return kNum
}
func (n unary) num(ps engine.Params) float64 {
	if n.op == '!' {
		return b2f(n.x.num(ps) == 0)
	}
	return -n.x.num(ps)
}

type binary struct {
	op   string
	x, y node
}

func (n binary) kind() kind {
	switch n.op {
	case "+", "-", "*", "/", "%":
		return kNum
	}
	return kBool
}

func (n binary) num(ps engine.Params) float64 {
	switch n.op {
	case "and":
		return b2f(n.x.num(ps) != 0 && n.y.num(ps) != 0)
	case "or":
		return b2f(n.x.num(ps) != 0 || n.y.num(ps) != 0)
	}
	a, b := n.x.num(ps), n.y.num(ps)
	switch n.op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		return a / b
	case "%":
		return math.Mod(a, b)
	case "<":
		return b2f(a < b)
	case "<=":
		return b2f(a <= b)
	case ">":
		return b2f(a > b)
	case ">=":
		return b2f(a >= b)
	case "==":
		return b2f(a == b)
	case "!=":
		return b2f(a != b)
	}
	panic("sweep: unknown operator " + n.op)
}

// textCmp compares an enum parameter with a text literal.
type textCmp struct {
	idx int
	lit string
	eq  bool
}

func (n textCmp) kind() kind { return kBool }
func (n textCmp) num(ps engine.Params) float64 {
	return b2f((ps[n.idx].Value.S == n.lit) == n.eq)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ExprError is a syntax or type error in a --where expression, at a
// 1-based column of the source.
type ExprError struct {
	Src string
	Col int
	Msg string
}

func (e *ExprError) Error() string {
	return fmt.Sprintf("--where %q: column %d: %s", e.Src, e.Col, e.Msg)
}

// ParseExpr compiles src against the parameters of a strategy (specs
// sorted by name, the order of resolved Params). The result must be a
// boolean.
func ParseExpr(src string, specs []engine.ParamSpec) (*Expr, error) {
	p := &parser{src: src, specs: specs}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if len(p.toks) == 1 {
		return nil, p.errAt(0, "empty expression: want a condition such as fast<slow")
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.typ != tEOF {
		return nil, p.errAt(t.pos, fmt.Sprintf("unexpected %q after a complete expression", t.text))
	}
	if n.kind() != kBool {
		return nil, p.errAt(0, fmt.Sprintf("the expression is %s; want a condition (a comparison, and, or, not)", n.kind()))
	}
	return &Expr{src: src, root: n}, nil
}

type tokType uint8

const (
	tEOF tokType = iota
	tNum
	tIdent
	tText
	tOp
)

type token struct {
	typ  tokType
	text string
	pos  int // byte offset
	num  float64
}

type parser struct {
	src   string
	specs []engine.ParamSpec
	toks  []token
	i     int
}

func (p *parser) errAt(pos int, msg string) error {
	return &ExprError{Src: p.src, Col: len([]rune(p.src[:min(pos, len(p.src))])) + 1, Msg: msg}
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdent(c byte) bool      { return isIdentStart(c) || c >= '0' && c <= '9' }

func (p *parser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '+' || s[j] == '-') && j > i && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			f, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil {
				return p.errAt(i, fmt.Sprintf("%q is not a number", s[i:j]))
			}
			p.toks = append(p.toks, token{typ: tNum, text: s[i:j], pos: i, num: f})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			p.toks = append(p.toks, token{typ: tIdent, text: s[i:j], pos: i})
			i = j
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return p.errAt(i, "unterminated text literal")
			}
			p.toks = append(p.toks, token{typ: tText, text: s[i+1 : i+1+j], pos: i})
			i += j + 2
		default:
			op := ""
			for _, o := range []string{"<=", ">=", "==", "!=", "&&", "||", "<", ">", "=", "!", "+", "-", "*", "/", "%", "(", ")"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return p.errAt(i, fmt.Sprintf("unexpected character %q (valid: parameters, numbers, 'text', < <= > >= == != + - * / %% ( ) and or not)", s[i:i+1]))
			}
			p.toks = append(p.toks, token{typ: tOp, text: op, pos: i})
			i += len(op)
		}
	}
	p.toks = append(p.toks, token{typ: tEOF, text: "end of expression", pos: len(s)})
	return nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.typ != tEOF {
		p.i++
	}
	return t
}

// isOp reports whether the next token is one of the operators or keywords.
func (p *parser) isOp(ops ...string) (string, bool) {
	t := p.peek()
	if t.typ != tOp && t.typ != tIdent {
		return "", false
	}
	for _, o := range ops {
		if t.text == o {
			return o, true
		}
	}
	return "", false
}

func (p *parser) wantBool(n node, pos int, op string) error {
	if n.kind() != kBool {
		return p.errAt(pos, fmt.Sprintf("%s needs conditions on both sides, got %s", op, n.kind()))
	}
	return nil
}

func (p *parser) or() (node, error)  { return p.logical(p.and, "or", "or", "||") }
func (p *parser) and() (node, error) { return p.logical(p.not, "and", "and", "&&") }

// logical parses sub { op sub } for a boolean operator spelled ops.
func (p *parser) logical(sub func() (node, error), name string, ops ...string) (node, error) {
	pos := p.peek().pos
	x, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.isOp(ops...)
		if !ok {
			return x, nil
		}
		opPos := p.next().pos
		y, err := sub()
		if err != nil {
			return nil, err
		}
		if err := p.wantBool(x, pos, op); err != nil {
			return nil, err
		}
		if err := p.wantBool(y, opPos, op); err != nil {
			return nil, err
		}
		x = binary{op: name, x: x, y: y}
	}
}

func (p *parser) not() (node, error) {
	if op, ok := p.isOp("not", "!"); ok {
		pos := p.next().pos
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		if x.kind() != kBool {
			return nil, p.errAt(pos, fmt.Sprintf("%s needs a condition, got %s", op, x.kind()))
		}
		return unary{op: '!', x: x}, nil
	}
	return p.cmp()
}

func (p *parser) cmp() (node, error) {
	x, err := p.sum()
	if err != nil {
		return nil, err
	}
	op, ok := p.isOp("<", "<=", ">", ">=", "==", "=", "!=")
	if !ok {
		return x, nil
	}
	opTok := p.next()
	y, err := p.sum()
	if err != nil {
		return nil, err
	}
	if op == "=" {
		op = "=="
	}
	if _, ok := p.isOp("<", "<=", ">", ">=", "==", "=", "!="); ok {
		return nil, p.errAt(p.peek().pos, "comparisons do not chain: write a<b and b<c")
	}
	if x.kind() == kText || y.kind() == kText {
		return p.textCompare(x, y, op, opTok.pos)
	}
	if x.kind() != y.kind() {
		return nil, p.errAt(opTok.pos, fmt.Sprintf("cannot compare %s with %s", x.kind(), y.kind()))
	}
	if x.kind() == kBool && op != "==" && op != "!=" {
		return nil, p.errAt(opTok.pos, fmt.Sprintf("booleans compare with == or != only, not %s", op))
	}
	return binary{op: op, x: x, y: y}, nil
}

// textCompare builds enum == 'text' (either side).
func (p *parser) textCompare(x, y node, op string, pos int) (node, error) {
	ref, lit := x, y
	if _, isLit := x.(textLit); isLit {
		ref, lit = y, x
	}
	r, ok1 := ref.(paramRef)
	l, ok2 := lit.(textLit)
	if !ok1 || !ok2 || r.spec.Kind != engine.EnumParam {
		return nil, p.errAt(pos, "text compares only with an enum parameter, as in weighting=='equal'")
	}
	if op != "==" && op != "!=" {
		return nil, p.errAt(pos, fmt.Sprintf("text compares with == or != only, not %s", op))
	}
	valid := false
	for _, c := range r.spec.Choices {
		valid = valid || c == l.s
	}
	if !valid {
		return nil, p.errAt(l.pos, fmt.Sprintf("%q is not a value of %s (%s)", l.s, r.spec.Name, r.spec.Range()))
	}
	return textCmp{idx: r.idx, lit: l.s, eq: op == "=="}, nil
}

func (p *parser) sum() (node, error) {
	return p.arith(p.product, "+", "-")
}

func (p *parser) product() (node, error) {
	return p.arith(p.unary, "*", "/", "%")
}

func (p *parser) arith(sub func() (node, error), ops ...string) (node, error) {
	pos := p.peek().pos
	x, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.isOp(ops...)
		if !ok || p.peek().typ != tOp {
			return x, nil
		}
		p.next()
		yPos := p.peek().pos
		y, err := sub()
		if err != nil {
			return nil, err
		}
		if x.kind() != kNum {
			return nil, p.errAt(pos, fmt.Sprintf("%s needs numbers, got %s", op, x.kind()))
		}
		if y.kind() != kNum {
			return nil, p.errAt(yPos, fmt.Sprintf("%s needs numbers, got %s", op, y.kind()))
		}
		x = binary{op: op, x: x, y: y}
	}
}

func (p *parser) unary() (node, error) {
	if t := p.peek(); t.typ == tOp && t.text == "-" {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if x.kind() != kNum {
			return nil, p.errAt(t.pos, fmt.Sprintf("- needs a number, got %s", x.kind()))
		}
		return unary{op: '-', x: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	t := p.next()
	switch t.typ {
	case tNum:
		return numLit(t.num), nil
	case tText:
		return textLit{s: t.text, pos: t.pos}, nil
	case tIdent:
		switch t.text {
		case "true":
			return boolLit(true), nil
		case "false":
			return boolLit(false), nil
		case "and", "or", "not":
			return nil, p.errAt(t.pos, fmt.Sprintf("unexpected %q: want a parameter, number or (", t.text))
		}
		for i, s := range p.specs {
			if s.Name == t.text {
				k := kNum
				switch s.Kind {
				case engine.BoolParam:
					k = kBool
				case engine.EnumParam:
					k = kText
				}
				return paramRef{idx: i, k: k, spec: s}, nil
			}
		}
		return nil, p.errAt(t.pos, fmt.Sprintf("unknown parameter %q: valid parameters are %s", t.text, specNames(p.specs)))
	case tOp:
		if t.text == "(" {
			x, err := p.or()
			if err != nil {
				return nil, err
			}
			if c := p.next(); c.typ != tOp || c.text != ")" {
				return nil, p.errAt(c.pos, fmt.Sprintf("want ) to close the ( at column %d, got %s", len([]rune(p.src[:t.pos]))+1, describe(c)))
			}
			return x, nil
		}
	}
	return nil, p.errAt(t.pos, fmt.Sprintf("unexpected %s: want a parameter, number, 'text' or (", describe(t)))
}

func describe(t token) string {
	if t.typ == tEOF {
		return t.text
	}
	return strconv.Quote(t.text)
}

func specNames(specs []engine.ParamSpec) string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}
