package datasets

import (
	"fmt"
	"path/filepath"
)

// Rules broken by invalid input; each *Error names one.
const (
	RuleMissingColumn  = "missing column"
	RuleWrongType      = "wrong type"
	RuleDuplicate      = "duplicate (date, symbol)"
	RuleBadPrice       = "non-positive or non-finite price"
	RuleBadValue       = "negative or non-finite value"
	RuleHighLow        = "high < low"
	RuleEmpty          = "empty selection"
	RuleUnknownSymbol  = "unknown symbol"
	RuleUnreadable     = "unreadable file"
	RuleBadSymbol      = "invalid symbol"
	RuleNullKey        = "missing date or symbol"
	RuleBadRates       = "invalid rates"
	RuleDuplicateRates = "duplicate rates date"
	RuleNoInput        = "no input"
	RuleUnknownMapping = "unknown column mapping"
	RuleChanged        = "file changed"
)

// Error is a rejected input: the file, the key (a row as (date, symbol), a
// column or a symbol), the rule broken and what would be valid. It prints
// as one line.
type Error struct {
	File string // the input file (or pattern) concerned; may be empty
	Key  string // e.g. "row (2020-01-02, AAPL)", "column close"
	Rule string // one of the Rule constants
	Hint string // what would be valid
}

func (e *Error) Error() string {
	s := ""
	if e.File != "" {
		s = e.File + ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	s += e.Rule
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func newErr(file, key, rule, hint string, a ...any) *Error {
	if len(a) > 0 {
		hint = fmt.Sprintf(hint, a...)
	}
	return &Error{File: displayPath(file), Key: key, Rule: rule, Hint: hint}
}

// displayPath shortens absolute paths under the working directory.
func displayPath(p string) string {
	if p == "" || !filepath.IsAbs(p) {
		return p
	}
	if wd, err := filepath.Abs("."); err == nil {
		if r, err := filepath.Rel(wd, p); err == nil && !startsDotDot(r) {
			return r
		}
	}
	return p
}

func startsDotDot(r string) bool { return len(r) >= 2 && r[:2] == ".." }
