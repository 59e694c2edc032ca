// Package report renders results for people: aligned terminal and Markdown
// tables, CSV and JSON, and self-contained HTML reports with charts.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Table is a small result table with the conventions it was made with.
// Cells are strings already formatted for people, except in Values, which
// keeps the numbers for CSV and JSON (NaN prints as NaN in CSV and null in
// JSON, SEMANTICS §4).
type Table struct {
	Title   string
	Columns []string
	Rows    [][]string // formatted cells, one slice per row
	Values  [][]any    // optional raw cells for CSV/JSON: float64, int, string, bool
	Footer  []string   // conventions and notes, one per line
}

// Formats lists the values of --format.
const Formats = "table|md|csv|json"

// Write renders t in format f (table, md, csv or json).
func (t *Table) Write(w io.Writer, f string) error {
	switch f {
	case "table", "":
		return t.WriteText(w)
	case "md", "markdown":
		return t.WriteMarkdown(w)
	case "csv":
		return t.WriteCSV(w)
	case "json":
		return t.WriteJSON(w)
	}
	return fmt.Errorf("invalid format %q: want %s", f, Formats)
}

func (t *Table) widths() []int {
	wd := make([]int, len(t.Columns))
	for j, c := range t.Columns {
		wd[j] = utf8.RuneCountInString(c)
	}
	for _, r := range t.Rows {
		for j, c := range r {
			if j < len(wd) && utf8.RuneCountInString(c) > wd[j] {
				wd[j] = utf8.RuneCountInString(c)
			}
		}
	}
	return wd
}

// numeric reports whether a formatted cell reads as a number (right-aligned).
func numeric(s string) bool {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if s == "NaN" || s == "" {
		return s == "NaN"
	}
	_, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	return err == nil
}

func pad(s string, w int, right bool) string {
	n := w - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// WriteText writes an aligned plain-text table: numbers right-aligned.
func (t *Table) WriteText(w io.Writer) error {
	wd := t.widths()
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	line := func(cells []string, header bool) {
		for j := range t.Columns {
			c := ""
			if j < len(cells) {
				c = cells[j]
			}
			if j > 0 {
				b.WriteString("  ")
			}
			b.WriteString(pad(c, wd[j], !header && numeric(c) || header && j > 0))
		}
		b.WriteString("\n")
	}
	line(t.Columns, true)
	for j := range t.Columns {
		if j > 0 {
			b.WriteString("  ")
		}
		b.WriteString(strings.Repeat("-", wd[j]))
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		line(r, false)
	}
	for _, f := range t.Footer {
		b.WriteString(f + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes a GitHub-flavoured Markdown table with the footer as notes.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	if t.Title != "" {
		b.WriteString("### " + t.Title + "\n\n")
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	b.WriteString("|")
	for _, c := range t.Columns {
		b.WriteString(" " + esc(c) + " |")
	}
	b.WriteString("\n|")
	for j := range t.Columns {
		if j > 0 {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		b.WriteString("|")
		for _, c := range r {
			b.WriteString(" " + esc(c) + " |")
		}
		b.WriteString("\n")
	}
	if len(t.Footer) > 0 {
		b.WriteString("\n")
		for _, f := range t.Footer {
			b.WriteString("_" + f + "_  \n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Table) cells() [][]any {
	if t.Values != nil {
		return t.Values
	}
	out := make([][]any, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = make([]any, len(r))
		for j, c := range r {
			out[i][j] = c
		}
	}
	return out
}

// WriteCSV writes a header and one line per row; floats in full precision,
// NaN as NaN. The footer is not written (CSV has no place for it).
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, r := range t.cells() {
		for j := range rec {
			rec[j] = ""
			if j < len(r) {
				rec[j] = FormatCell(r[j])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// FormatCell formats a raw cell for CSV: floats shortest round-trip, NaN as NaN.
func FormatCell(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) {
			return "NaN"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// WriteJSON writes {"title", "columns", "rows": [{col: value}], "conventions"}.
// NaN and ±Inf become null.
func (t *Table) WriteJSON(w io.Writer) error {
	rows := make([]map[string]any, 0, len(t.Rows))
	for _, r := range t.cells() {
		m := make(map[string]any, len(t.Columns))
		for j, c := range t.Columns {
			var v any
			if j < len(r) {
				v = r[j]
			}
			if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
				v = nil
			}
			m[c] = v
		}
		rows = append(rows, m)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Title       string           `json:"title,omitempty"`
		Columns     []string         `json:"columns"`
		Rows        []map[string]any `json:"rows"`
		Conventions []string         `json:"conventions,omitempty"`
	}{t.Title, t.Columns, rows, t.Footer})
}

// Pct formats a fraction as a percentage with d decimals ("+12.34%"); NaN as "NaN".
func Pct(x float64, d int) string {
	if math.IsNaN(x) {
		return "NaN"
	}
	return strconv.FormatFloat(100*x, 'f', d, 64) + "%"
}

// Num formats x with d decimals; NaN as "NaN".
func Num(x float64, d int) string {
	if math.IsNaN(x) {
		return "NaN"
	}
	return strconv.FormatFloat(x, 'f', d, 64)
}
