package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/report"
	"github.com/rotor-bt/rotor/strategies"
)

func init() {
	register(&command{
		name:    "strategies",
		summary: "list the strategies and their parameters (type, default, valid values)",
		run:     runStrategies,
	})
}

func runStrategies(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("strategies", "[NAME...] [--format table|md|csv|json] [--names]",
		"Lists every strategy (or the named ones) with its rule and its parameters: name, type,\n"+
			"default, valid values and meaning. Parameters are set with --param name=value or swept\n"+
			"with --grid; these are the names and ranges both accept.", stdout)
	format := fs.String("format", "table", "output format: "+report.Formats)
	names := fs.Bool("names", false, "print only the strategy names, one per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var specs []*strategies.Spec
	if fs.NArg() == 0 {
		specs = strategies.All()
	}
	for _, n := range fs.Args() {
		s, err := strategies.Lookup(n)
		if err != nil {
			return usageError{err}
		}
		specs = append(specs, s)
	}
	if *names {
		for _, s := range specs {
			fmt.Fprintln(stdout, s.Name)
		}
		return nil
	}
	switch *format {
	case "table", "":
		return writeStrategiesText(stdout, specs)
	case "md", "markdown":
		return writeStrategiesMarkdown(stdout, specs)
	case "csv":
		return strategiesFlatTable(specs).WriteCSV(stdout)
	case "json":
		return writeStrategiesJSON(stdout, specs)
	}
	return usagef("strategies: invalid --format %q: want %s", *format, report.Formats)
}

// paramTable is the parameter table of one strategy.
func paramTable(s *strategies.Spec) *report.Table {
	t := &report.Table{Columns: []string{"parameter", "type", "default", "valid", "meaning"}}
	for _, p := range s.Params {
		t.Rows = append(t.Rows, []string{p.Name, p.Kind.String(), p.Default.String(), p.Range(), p.Doc})
	}
	return t
}

func strategyHeading(s *strategies.Spec) string {
	if s.SingleAsset {
		return s.Name + "  (single asset; --per-asset sweeps run it on each symbol)"
	}
	return s.Name
}

func writeStrategiesText(w io.Writer, specs []*strategies.Spec) error {
	var b strings.Builder
	for k, s := range specs {
		if k > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strategyHeading(s) + "\n")
		for _, line := range wrapText(s.Doc, 76) {
			b.WriteString("  " + line + "\n")
		}
		if len(s.Params) == 0 {
			b.WriteString("  (no parameters)\n")
			continue
		}
		writeParamsText(&b, s.Params)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeParamsText writes the parameters as an aligned list: name, type,
// default and valid values on one line, the meaning wrapped below it.
func writeParamsText(b *strings.Builder, params []engine.ParamSpec) {
	rows := [][]string{{"parameter", "type", "default", "valid"}}
	for _, p := range params {
		rows = append(rows, []string{p.Name, p.Kind.String(), p.Default.String(), p.Range()})
	}
	wd := make([]int, 4)
	for _, r := range rows {
		for j, c := range r {
			wd[j] = max(wd[j], utf8.RuneCountInString(c))
		}
	}
	for k, r := range rows {
		b.WriteString("  ")
		for j, c := range r {
			b.WriteString(c)
			if j < len(r)-1 {
				b.WriteString(strings.Repeat(" ", wd[j]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString("\n")
		if k == 0 {
			continue
		}
		for _, line := range wrapText(params[k-1].Doc, 70) {
			b.WriteString("      " + line + "\n")
		}
	}
}

func writeStrategiesMarkdown(w io.Writer, specs []*strategies.Spec) error {
	for k, s := range specs {
		if k > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "### %s\n\n%s\n\n", s.Name, s.Doc)
		if s.SingleAsset {
			fmt.Fprint(w, "Single asset: sweeps can run it per symbol (`--per-asset`).\n\n")
		}
		if len(s.Params) == 0 {
			fmt.Fprint(w, "No parameters.\n")
			continue
		}
		if err := paramTable(s).WriteMarkdown(w); err != nil {
			return err
		}
	}
	return nil
}

// strategiesFlatTable has one row per (strategy, parameter); a strategy
// without parameters has one row with the parameter cells empty.
func strategiesFlatTable(specs []*strategies.Spec) *report.Table {
	t := &report.Table{Columns: []string{"strategy", "single_asset", "parameter", "type", "default", "valid", "meaning", "strategy_doc"}}
	for _, s := range specs {
		if len(s.Params) == 0 {
			t.Values = append(t.Values, []any{s.Name, s.SingleAsset, "", "", "", "", "", s.Doc})
		}
		for _, p := range s.Params {
			t.Values = append(t.Values, []any{s.Name, s.SingleAsset, p.Name, p.Kind.String(), p.Default.String(), p.Range(), p.Doc, s.Doc})
		}
	}
	return t
}

type jsonParam struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Default any      `json:"default"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"` // absent: unbounded
	Choices []string `json:"choices,omitempty"`
	Valid   string   `json:"valid"`
	Doc     string   `json:"doc"`
}

type jsonStrategy struct {
	Name        string      `json:"name"`
	Doc         string      `json:"doc"`
	SingleAsset bool        `json:"single_asset"`
	Params      []jsonParam `json:"params"`
}

func writeStrategiesJSON(w io.Writer, specs []*strategies.Spec) error {
	out := make([]jsonStrategy, 0, len(specs))
	for _, s := range specs {
		js := jsonStrategy{Name: s.Name, Doc: s.Doc, SingleAsset: s.SingleAsset, Params: []jsonParam{}}
		for _, p := range s.Params {
			jp := jsonParam{Name: p.Name, Type: p.Kind.String(), Valid: p.Range(), Doc: p.Doc}
			switch p.Kind {
			case engine.IntParam, engine.BarsParam:
				jp.Default = p.Default.I
			case engine.FloatParam:
				jp.Default = p.Default.F
			case engine.BoolParam:
				jp.Default = p.Default.B
			default:
				jp.Default = p.Default.S
			}
			switch p.Kind {
			case engine.IntParam, engine.BarsParam, engine.FloatParam:
				lo, hi := p.Min, p.Max
				jp.Min = &lo
				if !math.IsInf(hi, 1) {
					jp.Max = &hi
				}
			case engine.EnumParam:
				jp.Choices = p.Choices
			}
			js.Params = append(js.Params, jp)
		}
		out = append(out, js)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// wrapText splits text into lines of at most width runes at spaces.
func wrapText(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		l := len([]rune(word))
		if n > 0 && n+1+l > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += l
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
