package report

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// metricInfo says how a metric of SEMANTICS §4 is printed and ranked.
type metricInfo struct {
	format Format
	unit   string
	lower  bool // lower is better (drawdowns, volatility, costs)
}

var metricInfos = map[string]metricInfo{
	"total_return":      {Percent, "(%)", false},
	"cagr":              {Percent, "(% per year)", false},
	"volatility":        {Percent, "(% per year)", true},
	"sharpe":            {Plain, "(annualized)", false},
	"sortino":           {Plain, "(annualized)", false},
	"max_drawdown":      {Percent, "(% of peak)", true},
	"max_drawdown_days": {Plain, "(bars)", true},
	"calmar":            {Plain, "(ratio)", false},
	"turnover":          {Percent, "(one-sided, % per year)", true},
	"costs":             {Percent, "(% of initial capital)", true},
	"exposure":          {Percent, "(% of bars invested)", false},
	"beta":              {Plain, "(vs benchmark)", false},
	"alpha":             {Percent, "(% per year)", false},
	"tracking_error":    {Percent, "(% per year)", true},
	"information_ratio": {Plain, "(annualized)", false},
	"excess_cagr":       {Percent, "(% per year)", false},
}

func metricFormat(name string) Format { return metricInfos[name].format }
func metricUnit(name string) string   { return metricInfos[name].unit }

// LowerIsBetter reports whether a smaller value of the metric is the better
// one (max_drawdown, volatility, turnover, costs, tracking_error,
// max_drawdown_days). Rankings and "best" cells use it.
func LowerIsBetter(metric string) bool { return metricInfos[metric].lower }

// better reports whether a beats b for the metric (NaN never wins).
func better(metric string, a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	if math.IsNaN(b) {
		return true
	}
	if LowerIsBetter(metric) {
		return a < b
	}
	return a > b
}

// FormatMetric prints a metric value for people (percentages for
// fractions, two decimals for ratios, NaN as NaN).
func FormatMetric(name string, v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	switch metricFormat(name) {
	case Percent:
		return Pct(v, 2)
	}
	if name == "max_drawdown_days" {
		return Num(v, 0)
	}
	return Num(v, 2)
}

const pageCSS = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d1d1f;margin:0;background:#fafafa}
main{max-width:1160px;margin:0 auto;padding:20px 24px 48px;background:#fff}
h1{font-size:24px;margin:8px 0 4px}
h2{font-size:19px;margin:32px 0 6px;padding-top:8px;border-top:1px solid #ddd}
h3{font-size:15px;margin:20px 0 4px}
p{margin:4px 0 8px;line-height:1.45}
.sub{color:#555;margin-bottom:14px}
.note{color:#555;font-size:13px}
figure{margin:6px 0 18px}
figcaption{font-size:13px;color:#555;margin:2px 0 0}
svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}
svg .tick{font-size:11px;fill:#333}
svg .axis-title{font-size:12px;fill:#333}
svg .legend{font-size:12px;fill:#222}
svg .mlabel{font-size:11px}
svg .cellv{font-size:10px}
svg .nan{font-size:11px;fill:#777}
svg .grid{stroke:#e6e6e6;stroke-width:1}
svg .grid-x{stroke:#f0f0f0}
svg .frame{stroke:#777;stroke-width:1}
svg .tickmark{stroke:#777;stroke-width:1}
svg .ref{stroke:#999;stroke-width:1;stroke-dasharray:3 3}
table.tbl{border-collapse:collapse;font-size:13px;margin:6px 0 4px;font-variant-numeric:tabular-nums}
table.tbl th,table.tbl td{padding:3px 9px;border-bottom:1px solid #e3e3e3;text-align:left;white-space:nowrap}
table.tbl th{background:#f3f3f3;font-weight:600}
table.tbl td.n,table.tbl th.n{text-align:right}
table.tbl caption{text-align:left;font-weight:600;padding:4px 0}
.wrap{overflow-x:auto}
table.cal{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
table.cal th,table.cal td{padding:3px 6px;text-align:right;border:1px solid #fff;min-width:54px}
table.cal th{background:#f3f3f3}
table.cal td.y{font-weight:600}
.conv{font-size:12px;color:#555;margin:2px 0 10px}
.conv div{margin:1px 0}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px}
.kv dt{color:#555}.kv dd{margin:0;overflow-wrap:anywhere;min-width:0}
`

// page accumulates one self-contained HTML document.
type page struct {
	b    strings.Builder
	conv map[string]bool // conventions printed at the top of the page
}

func newPage(title, subtitle string) *page {
	p := &page{}
	p.b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	p.b.WriteString(esc(title))
	p.b.WriteString("</title>\n<style>" + pageCSS + "</style>\n</head>\n<body>\n<main>\n<h1>" + esc(title) + "</h1>\n")
	if subtitle != "" {
		p.b.WriteString(`<p class="sub">` + esc(subtitle) + "</p>\n")
	}
	return p
}

func (p *page) h2(s string)   { p.b.WriteString("<h2>" + esc(s) + "</h2>\n") }
func (p *page) h3(s string)   { p.b.WriteString("<h3>" + esc(s) + "</h3>\n") }
func (p *page) para(s string) { p.b.WriteString("<p>" + esc(s) + "</p>\n") }
func (p *page) note(s string) { p.b.WriteString(`<p class="note">` + esc(s) + "</p>\n") }

// figure adds a chart with a caption under it.
func (p *page) figure(svg, caption string) {
	p.b.WriteString("<figure>\n" + svg + "\n")
	if caption != "" {
		p.b.WriteString("<figcaption>" + esc(caption) + "</figcaption>\n")
	}
	p.b.WriteString("</figure>\n")
}

// table adds t; footer lines already printed as the page's conventions
// are not repeated under it.
func (p *page) table(t *Table) {
	p.b.WriteString(`<div class="wrap">`)
	tt := *t
	tt.Footer = nil
	for _, l := range t.Footer {
		if !p.conv[l] {
			tt.Footer = append(tt.Footer, l)
		}
	}
	tt.writeHTML(&p.b)
	p.b.WriteString("</div>\n")
}

func (p *page) conventions(lines []string) {
	if len(lines) == 0 {
		return
	}
	p.b.WriteString(`<div class="conv">`)
	if p.conv == nil {
		p.conv = map[string]bool{}
	}
	for _, l := range lines {
		p.conv[l] = true
		p.b.WriteString("<div>" + esc(l) + "</div>")
	}
	p.b.WriteString("</div>\n")
}

func (p *page) finish(w io.Writer, footer string) error {
	if footer != "" {
		p.b.WriteString(`<p class="note">` + esc(footer) + "</p>\n")
	}
	p.b.WriteString("</main>\n</body>\n</html>\n")
	_, err := io.WriteString(w, p.b.String())
	return err
}

// WriteHTML writes t as an HTML table (numbers right-aligned) followed by
// its footer lines.
func (t *Table) WriteHTML(w io.Writer) error {
	var b strings.Builder
	t.writeHTML(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Table) writeHTML(b *strings.Builder) {
	b.WriteString(`<table class="tbl">`)
	if t.Title != "" {
		b.WriteString("<caption>" + esc(t.Title) + "</caption>")
	}
	// A column is numeric when every non-empty cell reads as a number.
	num := make([]bool, len(t.Columns))
	for j := range t.Columns {
		num[j] = len(t.Rows) > 0
		for _, r := range t.Rows {
			if j < len(r) && r[j] != "" && !numeric(r[j]) {
				num[j] = false
				break
			}
		}
	}
	b.WriteString("<thead><tr>")
	for j, c := range t.Columns {
		if num[j] {
			b.WriteString(`<th class="n">` + esc(c) + "</th>")
		} else {
			b.WriteString("<th>" + esc(c) + "</th>")
		}
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range t.Rows {
		b.WriteString("<tr>")
		for j := range t.Columns {
			c := ""
			if j < len(r) {
				c = r[j]
			}
			if num[j] {
				b.WriteString(`<td class="n">` + esc(c) + "</td>")
			} else {
				b.WriteString("<td>" + esc(c) + "</td>")
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	if len(t.Footer) > 0 {
		b.WriteString(`<div class="conv">`)
		for _, l := range t.Footer {
			b.WriteString("<div>" + esc(l) + "</div>")
		}
		b.WriteString("</div>")
	}
}

// WriteFile writes a report to path atomically: render writes into a
// temporary file in the same directory, which replaces path only when
// rendering and closing succeeded. On error no file is left behind.
func WriteFile(path string, render func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = render(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
