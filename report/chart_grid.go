package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// colorScale maps values to colours: diverging red–white–blue around zero
// when the values have both signs, else sequential (viridis).
type colorScale struct {
	lo, hi    float64
	diverging bool
}

var (
	viridis = [][3]float64{{68, 1, 84}, {72, 40, 120}, {62, 74, 137}, {49, 104, 142}, {38, 130, 142}, {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {181, 222, 43}, {253, 231, 37}}
	rdBu    = [][3]float64{{178, 24, 43}, {214, 96, 77}, {244, 165, 130}, {253, 219, 199}, {247, 247, 247}, {209, 229, 240}, {146, 197, 222}, {67, 147, 195}, {33, 102, 172}}
)

func newColorScale(lo, hi float64) colorScale {
	if math.IsInf(lo, 0) || math.IsNaN(lo) {
		lo, hi = 0, 1
	}
	c := colorScale{lo: lo, hi: hi}
	if lo < 0 && hi > 0 {
		m := math.Max(-lo, hi)
		c = colorScale{lo: -m, hi: m, diverging: true}
	}
	if !(c.hi > c.lo) {
		c.lo, c.hi = c.lo-0.5, c.hi+0.5
	}
	return c
}

// rgb returns the colour of v (NaN is light grey).
func (c colorScale) rgb(v float64) [3]float64 {
	if math.IsNaN(v) {
		return [3]float64{224, 224, 224}
	}
	t := (v - c.lo) / (c.hi - c.lo)
	t = math.Max(0, math.Min(1, t))
	stops := viridis
	if c.diverging {
		stops = rdBu
	}
	f := t * float64(len(stops)-1)
	i := int(f)
	if i >= len(stops)-1 {
		return stops[len(stops)-1]
	}
	u := f - float64(i)
	var out [3]float64
	for k := 0; k < 3; k++ {
		out[k] = stops[i][k] + u*(stops[i+1][k]-stops[i][k])
	}
	return out
}

func (c colorScale) color(v float64) string {
	x := c.rgb(v)
	return fmt.Sprintf("#%02x%02x%02x", int(x[0]+0.5), int(x[1]+0.5), int(x[2]+0.5))
}

// textOn returns black or white, whichever reads better on the colour of v.
func (c colorScale) textOn(v float64) string {
	x := c.rgb(v)
	if 0.299*x[0]+0.587*x[1]+0.114*x[2] > 140 {
		return "#111"
	}
	return "#fff"
}

// Heatmap is a grid of cells coloured by value over two parameters. Cells
// are aggregates (one element per cell, never per point).
type Heatmap struct {
	Title          string
	XLabel, YLabel string
	XCats, YCats   []string    // column labels left to right, row labels bottom to top
	Values         [][]float64 // Values[y][x]; NaN: no finite value in the cell
	Counts         [][]int64   // rows aggregated in each cell (tooltips); optional
	Notes          [][]string  // extra tooltip text per cell; optional
	Format         Format
	ValueLabel     string // the metric and how cells aggregate, e.g. "sharpe (best)"
	Width          float64
}

// SVG renders the heatmap with a colour legend.
func (h *Heatmap) SVG() string {
	W := h.Width
	if W <= 0 {
		W = 1100
	}
	nx, ny := len(h.XCats), len(h.YCats)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range h.Values {
		for _, v := range row {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	cs := newColorScale(lo, hi)
	maxYL := 0.0
	for _, s := range h.YCats {
		maxYL = math.Max(maxYL, textWidth(s))
	}
	m := chartMargins{left: maxYL + 36, right: 130, top: 10, bottom: 48}
	plotW := W - m.left - m.right
	cw := plotW / float64(max(nx, 1))
	ch := math.Max(14, math.Min(34, cw*0.75))
	if ny > 0 && ch*float64(ny) > 900 {
		ch = math.Max(6, 900/float64(ny))
	}
	plotH := ch * float64(ny)
	if plotH < 160 {
		m.top += (160 - plotH) / 2
	}
	H := m.top + plotH + m.bottom
	if H < 220 {
		H = 220
	}
	var b svgBuilder
	b.open(W, H, "chart heatmap", h.Title, "")
	b.WriteString(`<g class="cells">`)
	for yi := 0; yi < ny; yi++ {
		y := m.top + plotH - float64(yi+1)*ch
		for xi := 0; xi < nx; xi++ {
			v := math.NaN()
			if yi < len(h.Values) && xi < len(h.Values[yi]) {
				v = h.Values[yi][xi]
			}
			x := m.left + float64(xi)*cw
			tip := fmt.Sprintf("%s=%s, %s=%s: %s = %s", h.XLabel, h.XCats[xi], h.YLabel, h.YCats[yi], h.ValueLabel, formatValue(v, h.Format))
			if h.Counts != nil {
				tip += fmt.Sprintf(" (%d rows)", h.Counts[yi][xi])
			}
			if h.Notes != nil && h.Notes[yi][xi] != "" {
				tip += "; " + h.Notes[yi][xi]
			}
			attrs := `class="cell" data-x="` + esc(h.XCats[xi]) + `" data-y="` + esc(h.YCats[yi]) + `" data-value="` + floatAttr(v) + `"`
			b.WriteString(`<g>`)
			b.rect(x, y, cw, ch, cs.color(v), attrs+` stroke="#fff" stroke-width="0.5"`)
			b.WriteString(`<title>` + esc(tip) + `</title>`)
			if math.IsNaN(v) {
				if cw >= 10 && ch >= 10 {
					b.text(x+cw/2, y+ch/2+4, "middle", "nan", "×")
				}
			} else if s := formatValue(v, h.Format); cw >= textWidth(s)+4 && ch >= 14 {
				b.WriteString(`<text x="`)
				b.num(x + cw/2)
				b.WriteString(`" y="`)
				b.num(y + ch/2 + 4)
				b.WriteString(`" text-anchor="middle" class="cellv" fill="` + cs.textOn(v) + `">` + esc(s) + `</text>`)
			}
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</g><g class="axis">`)
	// X labels, thinned.
	pos := make([]float64, nx)
	wd := make([]float64, nx)
	for i, s := range h.XCats {
		pos[i] = m.left + (float64(i)+0.5)*cw
		wd[i] = textWidth(s)
	}
	for _, i := range thinLabels(pos, wd, 8) {
		b.line(pos[i], m.top+plotH, pos[i], m.top+plotH+4, "tickmark")
		b.text(pos[i], m.top+plotH+16, "middle", "tick", h.XCats[i])
	}
	// Y labels, thinned (positions increase downwards: reverse order).
	pos = pos[:0]
	wd = wd[:0]
	for i := ny - 1; i >= 0; i-- {
		pos = append(pos, m.top+plotH-(float64(i)+0.5)*ch)
		wd = append(wd, lineHeight-3)
	}
	for _, j := range thinLabels(pos, wd, 1) {
		i := ny - 1 - j
		b.text(m.left-6, pos[j]+4, "end", "tick", h.YCats[i])
	}
	b.text(m.left+plotW/2, m.top+plotH+36, "middle", "axis-title", h.XLabel)
	b.WriteString(`<text class="axis-title" text-anchor="middle" transform="translate(12,`)
	b.num(m.top + plotH/2)
	b.WriteString(`) rotate(-90)">` + esc(h.YLabel) + `</text>`)
	// Colour legend: a stack of bands with ticks.
	lx := m.left + plotW + 24
	lh := math.Max(120, math.Min(plotH, 260))
	ly := m.top + (plotH-lh)/2
	if plotH < lh {
		ly = m.top
	}
	b.text(lx, ly-2, "", "legend", "")
	const bands = 48
	for k := 0; k < bands; k++ {
		v := cs.lo + (cs.hi-cs.lo)*(float64(k)+0.5)/bands
		b.rect(lx, ly+lh-float64(k+1)*lh/bands, 16, lh/bands+0.3, cs.color(v), "")
	}
	ticks, step := niceTicks(cs.lo, cs.hi, int(lh/30)+1)
	for _, v := range ticks {
		y := ly + lh - (v-cs.lo)/(cs.hi-cs.lo)*lh
		b.line(lx+16, y, lx+20, y, "tickmark")
		b.text(lx+23, y+4, "", "tick", formatTick(v, step, h.Format))
	}
	b.rect(lx, ly+lh+12, 16, 12, cs.color(math.NaN()), "")
	b.text(lx+23, ly+lh+22, "", "tick", "no data")
	b.WriteString(`<text class="axis-title" text-anchor="middle" transform="translate(`)
	b.num(W - 8)
	b.WriteString(",")
	b.num(ly + lh/2)
	b.WriteString(`) rotate(-90)">` + esc(h.ValueLabel) + `</text>`)
	b.WriteString(`</g></svg>`)
	return b.String()
}

func floatAttr(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// ValueMarker is a vertical line at a value of a numeric axis.
type ValueMarker struct {
	Value float64
	Label string
	Color string
}

// Histogram draws counts of equal-width bins over [Lo, Hi].
type Histogram struct {
	Title   string
	XLabel  string // the value and its unit
	YLabel  string // default "count"
	Format  Format
	Lo, Hi  float64
	Counts  []int64
	Markers []ValueMarker
	Width   float64
	Height  float64
}

// SVG renders the histogram.
func (h *Histogram) SVG() string {
	W, H := h.Width, h.Height
	if W <= 0 {
		W = 1100
	}
	if H <= 0 {
		H = 280
	}
	var maxC int64
	for _, c := range h.Counts {
		maxC = max(maxC, c)
	}
	m := chartMargins{right: 24, top: 10 + lineHeight*2, bottom: 42}
	plotH := H - m.top - m.bottom
	yt, ystep := niceTicks(0, float64(max(maxC, 1)), int(plotH/34)+1)
	yhi := yt[len(yt)-1]
	if yhi < float64(maxC) {
		yhi += ystep
		yt = append(yt, yhi)
	}
	maxw := 0.0
	for _, v := range yt {
		maxw = math.Max(maxw, textWidth(formatTick(v, ystep, Plain)))
	}
	m.left = maxw + 30
	plotW := W - m.left - m.right
	lo, hi := h.Lo, h.Hi
	if !(hi > lo) {
		lo, hi = lo-0.5, hi+0.5
	}
	xs := newScale(lo, hi, m.left, m.left+plotW, false)
	ys := newScale(0, yhi, m.top+plotH, m.top, false)
	var b svgBuilder
	b.open(W, H, "chart histogram", h.Title, fmt.Sprintf(` data-plot="%s,%s,%s,%s" data-x-domain="%s,%s"`, coord(m.left), coord(m.top), coord(plotW), coord(plotH), floatAttr(lo), floatAttr(hi)))
	b.WriteString(`<g class="axis">`)
	for _, v := range yt {
		y := ys.at(v)
		b.line(m.left, y, m.left+plotW, y, "grid")
		b.text(m.left-6, y+4, "end", "tick", formatTick(v, ystep, Plain))
	}
	maxT := int(plotW/(textWidth(formatValue(hi, h.Format))+labelGap+10)) + 1
	xt, xstep := niceTicks(lo, hi, maxT)
	for _, v := range xt {
		x := xs.at(v)
		b.line(x, m.top+plotH, x, m.top+plotH+4, "tickmark")
		b.text(x, m.top+plotH+17, "middle", "tick", formatTick(v, xstep, h.Format))
	}
	b.line(m.left, m.top+plotH, m.left+plotW, m.top+plotH, "frame")
	b.text(m.left+plotW/2, H-6, "middle", "axis-title", h.XLabel)
	yl := h.YLabel
	if yl == "" {
		yl = "count"
	}
	b.WriteString(`<text class="axis-title" text-anchor="middle" transform="translate(12,`)
	b.num(m.top + plotH/2)
	b.WriteString(`) rotate(-90)">` + esc(yl) + `</text></g>`)
	n := len(h.Counts)
	bw := (hi - lo) / float64(max(n, 1))
	b.WriteString(`<g class="bars">`)
	for k, c := range h.Counts {
		if c == 0 {
			continue
		}
		x0, x1 := xs.at(h.Lo+float64(k)*bw), xs.at(h.Lo+float64(k+1)*bw)
		y := ys.at(float64(c))
		b.rect(x0+0.5, y, math.Max(x1-x0-1, 0.8), m.top+plotH-y, palette[0],
			fmt.Sprintf(`class="bar" data-count="%d"`, c))
	}
	b.WriteString(`</g>`)
	// Markers with labels in up to two rows above the plot.
	var used [2][][2]float64
	for _, mk := range h.Markers {
		if math.IsNaN(mk.Value) {
			continue
		}
		col := markerColor(mk.Color)
		x := xs.at(math.Max(lo, math.Min(hi, mk.Value)))
		b.WriteString(`<g class="marker"><title>` + esc(mk.Label) + `</title>`)
		b.markerLine(x, m.top, m.top+plotH, col)
		tx, anchor := markerLabelX(x, mk.Label, m.left+plotW)
		a, e := tx, tx+textWidth(mk.Label)
		if anchor == "end" {
			a, e = tx-textWidth(mk.Label), tx
		}
		for r := 0; r < 2; r++ {
			free := true
			for _, s := range used[r] {
				if a < s[1]+8 && e > s[0]-8 {
					free = false
				}
			}
			if free {
				used[r] = append(used[r], [2]float64{a, e})
				b.WriteString(`<text x="`)
				b.num(tx)
				b.WriteString(`" y="`)
				b.num(10 + float64(r)*lineHeight + 10)
				b.WriteString(`" class="mlabel" fill="` + col + `"`)
				if anchor != "start" {
					b.WriteString(` text-anchor="end"`)
				}
				b.WriteString(`>` + esc(mk.Label) + `</text>`)
				break
			}
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// histogramLabel joins a metric name and its unit for axis titles.
func histogramLabel(metric string) string {
	return strings.TrimSpace(metric + " " + metricUnit(metric))
}
