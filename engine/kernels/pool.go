package kernels

import "sync"

// scratch is a pooled float64 buffer.
type scratch struct{ buf []float64 }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// getScratch returns a pooled buffer with room for n values.
func getScratch(n int) *scratch {
	s := scratchPool.Get().(*scratch)
	if cap(s.buf) < n {
		s.buf = make([]float64, n)
	}
	s.buf = s.buf[:n]
	return s
}

func putScratch(s *scratch) { scratchPool.Put(s) }

var prefixPool = sync.Pool{New: func() any { return new(Prefix) }}

func getPrefix(x []float64) *Prefix {
	p := prefixPool.Get().(*Prefix)
	p.Reset(x)
	return p
}

func putPrefix(p *Prefix) {
	p.X = nil
	prefixPool.Put(p)
}

// gridScratch is the pooled working set of a grid evaluation.
type gridScratch struct {
	f       []float64 // returns, then one SMA per distinct window
	windows []int     // distinct windows
	slot    []int32   // window → index into windows (-1 absent)
	p       Prefix
	rt      rowTerms
}

var gridPool = sync.Pool{New: func() any { return new(gridScratch) }}

// index collects the distinct windows of pairs; slot[w] is w's position.
func (g *gridScratch) index(pairs []Pair) {
	maxW := 0
	for _, p := range pairs {
		checkPair(p)
		maxW = max(maxW, p.Fast, p.Slow)
	}
	if cap(g.slot) < maxW+1 {
		g.slot = make([]int32, maxW+1)
	}
	g.slot = g.slot[:maxW+1]
	for i := range g.slot {
		g.slot[i] = -1
	}
	g.windows = g.windows[:0]
	for _, p := range pairs {
		for _, w := range [2]int{p.Fast, p.Slow} {
			if g.slot[w] < 0 {
				g.slot[w] = int32(len(g.windows))
				g.windows = append(g.windows, w)
			}
		}
	}
}

type ints struct{ buf []int32 }

var intsPool = sync.Pool{New: func() any { return new(ints) }}

func getInts(n int) *ints {
	s := intsPool.Get().(*ints)
	if cap(s.buf) < n {
		s.buf = make([]int32, 0, n)
	}
	return s
}

func putInts(s *ints) { intsPool.Put(s) }
