package report

import (
	"html"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-bt/rotor/engine"
)

// Chart geometry and typography shared by every chart. Label widths are
// estimated from the character count at the chart font size; the estimate
// errs wide so that thinned labels never touch.
const (
	fontSize   = 11.0 // px, tick labels and legends
	charWidth  = 6.6  // px, upper estimate of one character at fontSize (sans-serif digits ≈ 6.1)
	labelGap   = 14.0 // px, minimum free space between two tick labels
	lineHeight = 15.0 // px, one row of legend or marker labels
)

// palette holds the series colours (Tableau 10): distinct in print and for
// the common forms of colour blindness when paired in order.
var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

// textWidth estimates the rendered width of s in px at fontSize.
func textWidth(s string) float64 {
	return float64(len([]rune(s))) * charWidth
}

// svgBuilder writes SVG markup. Coordinates are printed with one decimal,
// which is a tenth of a CSS pixel.
type svgBuilder struct {
	strings.Builder
}

func (b *svgBuilder) num(x float64) {
	b.WriteString(coord(x))
}

// coord formats a pixel coordinate with at most one decimal.
func coord(x float64) string {
	r := math.Round(x*10) / 10
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func (b *svgBuilder) text(x, y float64, anchor, class, s string) {
	b.WriteString(`<text x="`)
	b.num(x)
	b.WriteString(`" y="`)
	b.num(y)
	b.WriteString(`"`)
	if anchor != "" && anchor != "start" {
		b.WriteString(` text-anchor="` + anchor + `"`)
	}
	if class != "" {
		b.WriteString(` class="` + class + `"`)
	}
	b.WriteString(`>` + esc(s) + `</text>`)
}

func (b *svgBuilder) line(x1, y1, x2, y2 float64, class string) {
	b.WriteString(`<line x1="`)
	b.num(x1)
	b.WriteString(`" y1="`)
	b.num(y1)
	b.WriteString(`" x2="`)
	b.num(x2)
	b.WriteString(`" y2="`)
	b.num(y2)
	b.WriteString(`" class="` + class + `"/>`)
}

// markerLine draws a dashed vertical event line from y0 to y1.
func (b *svgBuilder) markerLine(x, y0, y1 float64, color string) {
	b.WriteString(`<line x1="`)
	b.num(x)
	b.WriteString(`" y1="`)
	b.num(y0)
	b.WriteString(`" x2="`)
	b.num(x)
	b.WriteString(`" y2="`)
	b.num(y1)
	b.WriteString(`" stroke="` + color + `" stroke-dasharray="4 3" stroke-width="1.2"/>`)
}

// markerColor is a marker's colour, dark red by default.
func markerColor(c string) string {
	if c == "" {
		return "#8b1a1a"
	}
	return c
}

func (b *svgBuilder) rect(x, y, w, h float64, fill, extra string) {
	b.WriteString(`<rect x="`)
	b.num(x)
	b.WriteString(`" y="`)
	b.num(y)
	b.WriteString(`" width="`)
	b.num(w)
	b.WriteString(`" height="`)
	b.num(h)
	b.WriteString(`" fill="` + fill + `"`)
	if extra != "" {
		b.WriteString(" " + extra)
	}
	b.WriteString(`/>`)
}

// open starts an <svg> element of the given size with an accessible title.
// Inline SVG in HTML needs no namespace declaration, so the document
// holds no URL at all.
func (b *svgBuilder) open(w, h float64, class, title, attrs string) {
	b.WriteString(`<svg class="` + class + `"` + attrs + ` width="`)
	b.num(w)
	b.WriteString(`" height="`)
	b.num(h)
	b.WriteString(`" viewBox="0 0 `)
	b.num(w)
	b.WriteString(" ")
	b.num(h)
	b.WriteString(`" role="img">`)
	if title != "" {
		b.WriteString(`<title>` + esc(title) + `</title>`)
	}
}

func esc(s string) string { return html.EscapeString(s) }

// linScale maps a data interval onto a pixel interval; with log set, the
// data are mapped by log10 (the domain bounds are then stored as logs).
type linScale struct {
	d0, d1 float64 // domain (log10 of it when log)
	r0, r1 float64 // range, px
	log    bool
}

func newScale(lo, hi, r0, r1 float64, log bool) linScale {
	if log {
		lo, hi = math.Log10(lo), math.Log10(hi)
	}
	if !(hi > lo) {
		lo, hi = lo-0.5, hi+0.5
	}
	return linScale{lo, hi, r0, r1, log}
}

func (s linScale) at(v float64) float64 {
	if s.log {
		v = math.Log10(v)
	}
	return s.r0 + (v-s.d0)/(s.d1-s.d0)*(s.r1-s.r0)
}

// inv maps a pixel position back to a data value.
func (s linScale) inv(px float64) float64 {
	v := s.d0 + (px-s.r0)/(s.r1-s.r0)*(s.d1-s.d0)
	if s.log {
		return math.Pow(10, v)
	}
	return v
}

// niceStep returns the smallest of 1, 2, 2.5, 5 × 10^k that is ≥ raw.
func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// niceTicks returns at most maxN round values covering [lo, hi] and the
// step between them.
func niceTicks(lo, hi float64, maxN int) ([]float64, float64) {
	if maxN < 2 {
		maxN = 2
	}
	if !(hi > lo) {
		return []float64{lo}, 1
	}
	step := niceStep((hi - lo) / float64(maxN-1))
	var out []float64
	for {
		out = out[:0]
		start := math.Ceil(lo/step-1e-9) * step
		// Decimals of the step, to print ticks as round numbers (0.6, not
		// 0.6000000000000001).
		dec := 0
		if step < 1 {
			dec = int(math.Ceil(-math.Log10(step)-1e-9)) + 1
		}
		for k := 0; ; k++ {
			v := start + float64(k)*step
			if v > hi+step*1e-9 {
				break
			}
			x, _ := strconv.ParseFloat(strconv.FormatFloat(math.Round(v/step)*step, 'f', dec, 64), 64)
			if x == 0 {
				x = 0
			}
			out = append(out, x)
		}
		if len(out) <= maxN {
			return out, step
		}
		step = niceStep(step * 1.01)
	}
}

// niceDomain widens [lo, hi] to round numbers so that the plot area ends on
// ticks. For log scales it returns the data bounds padded by 2%.
func niceDomain(lo, hi float64, maxN int, log bool) (float64, float64) {
	if log {
		if !(hi > lo) {
			return lo / 1.1, hi * 1.1
		}
		span := math.Log10(hi) - math.Log10(lo)
		return lo / math.Pow(10, 0.03*span), hi * math.Pow(10, 0.03*span)
	}
	if !(hi > lo) {
		if lo == 0 {
			return -1, 1
		}
		d := math.Abs(lo) * 0.1
		return lo - d, hi + d
	}
	_, step := niceTicks(lo, hi, maxN)
	return math.Floor(lo/step+1e-9) * step, math.Ceil(hi/step-1e-9) * step
}

// logTicks returns round values in [lo, hi] for a log axis that fit
// maxN: powers of ten, then 1-2-5 sequences; when the range spans less than
// two of those, linear nice ticks (placed on the log scale) are used.
func logTicks(lo, hi float64, maxN int) []float64 {
	for _, mult := range [][]float64{{1, 1.5, 2, 3, 5, 7}, {1, 2, 5}, {1, 3}, {1}} {
		var out []float64
		for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
			for _, m := range mult {
				v := m * math.Pow(10, e)
				if v >= lo*(1-1e-12) && v <= hi*(1+1e-12) {
					out = append(out, v)
				}
			}
		}
		if len(out) <= maxN && len(out) >= 3 {
			return out
		}
		if len(out) > maxN {
			continue
		}
		break
	}
	t, _ := niceTicks(lo, hi, maxN)
	var out []float64
	for _, v := range t {
		if v > 0 {
			out = append(out, v)
		}
	}
	return out
}

// Format says how axis and cell values are printed.
type Format uint8

const (
	// Plain prints numbers ("1.25", "1,000").
	Plain Format = iota
	// Percent prints fractions as percentages ("12.5%").
	Percent
	// Multiple prints a multiple of the starting value ("1.5×").
	Multiple
)

// formatTick formats v with the decimals that step needs.
func formatTick(v, step float64, f Format) string {
	if f == Percent {
		v, step = v*100, step*100
	}
	d := 0
	if step > 0 && step < 1 {
		d = int(math.Ceil(-math.Log10(step) - 1e-9))
		if math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-6 {
			d++
		}
	}
	if d > 6 {
		d = 6
	}
	s := groupThousands(strconv.FormatFloat(v, 'f', d, 64))
	if s == "-0" {
		s = "0"
	}
	switch f {
	case Percent:
		return s + "%"
	case Multiple:
		return s + "×"
	}
	return s
}

// formatValue prints a cell value with about three significant decimals.
func formatValue(v float64, f Format) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	if f == Percent {
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	}
	a := math.Abs(v)
	switch {
	case a >= 1000:
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || a == 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// groupThousands inserts commas into the integer part of a formatted number.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	if len(intPart) > 3 {
		var b strings.Builder
		pre := len(intPart) % 3
		if pre > 0 {
			b.WriteString(intPart[:pre])
		}
		for i := pre; i < len(intPart); i += 3 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(intPart[i : i+3])
		}
		intPart = b.String()
	}
	if neg {
		return "-" + intPart + frac
	}
	return intPart + frac
}

// dateTick is one labelled position of a date axis.
type dateTick struct {
	d     engine.Date
	label string
}

// dateTicks chooses calendar-aligned ticks (days, weeks, months, quarters,
// years, multi-year) for [lo, hi] so that their labels fit width px with
// labelGap between them.
func dateTicks(lo, hi engine.Date, width float64) []dateTick {
	type step struct {
		days, months int
		layout       string
	}
	steps := []step{
		{days: 1, layout: "2006-01-02"}, {days: 7, layout: "2006-01-02"}, {days: 14, layout: "2006-01-02"},
		{months: 1, layout: "2006-01"}, {months: 2, layout: "2006-01"},
		{months: 3, layout: "2006-01"}, {months: 6, layout: "2006-01"},
		{months: 12, layout: "2006"}, {months: 24, layout: "2006"},
		{months: 60, layout: "2006"}, {months: 120, layout: "2006"},
		{months: 240, layout: "2006"}, {months: 600, layout: "2006"},
	}
	var best []dateTick
	for _, s := range steps {
		var out []dateTick
		if s.days > 0 {
			d := lo
			if s.days >= 7 { // Mondays
				for (int(d)+3)%7 != 0 {
					d++
				}
			}
			for ; d <= hi; d += engine.Date(s.days) {
				out = append(out, dateTick{d, d.Time().Format(s.layout)})
				if len(out) > 500 {
					break
				}
			}
		} else {
			t := lo.Time()
			y, m := t.Year(), int(t.Month())
			// First aligned month start ≥ lo.
			k := y*12 + m - 1
			if engine.DateOf(y, t.Month(), 1) < lo {
				k++
			}
			for k%s.months != 0 {
				k++
			}
			for ; ; k += s.months {
				d := engine.DateOf(k/12, time.Month(k%12+1), 1)
				if d > hi {
					break
				}
				out = append(out, dateTick{d, d.Time().Format(s.layout)})
				if len(out) > 500 {
					break
				}
			}
		}
		if len(out) == 0 {
			continue
		}
		lw := textWidth(out[0].label) + labelGap
		if float64(len(out))*lw <= width {
			return out
		}
		best = out
	}
	return best[:1]
}

// thinLabels returns the indices of labels to keep along an axis so that no
// two overlap: pos are label centres in px (increasing), widths the label
// extents along the axis. Every k-th label is kept for the smallest k that
// leaves gap px between neighbours.
func thinLabels(pos, widths []float64, gap float64) []int {
	n := len(pos)
	for k := 1; k <= n; k++ {
		ok := true
		for i := k; i < n; i += k {
			if math.Abs(pos[i]-pos[i-k]) < (widths[i]+widths[i-k])/2+gap {
				ok = false
				break
			}
		}
		if ok {
			idx := make([]int, 0, n/k+1)
			for i := 0; i < n; i += k {
				idx = append(idx, i)
			}
			return idx
		}
	}
	if n == 0 {
		return nil
	}
	return []int{0}
}
