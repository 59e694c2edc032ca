package engine

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// bytesStrategy reads its decisions from fuzz input: per bar a trade flag
// and one weight per asset, any float64 bit pattern (NaN, ±Inf, huge,
// subnormal included).
type bytesStrategy struct{ data []byte }

func (s *bytesStrategy) next() uint64 {
	if len(s.data) < 8 {
		return 0
	}
	x := binary.LittleEndian.Uint64(s.data)
	s.data = s.data[8:]
	return x
}

func (s *bytesStrategy) Decide(v View, w []float64) (bool, error) {
	trade := s.next()&1 == 1
	for i := range w {
		x := math.Float64frombits(s.next())
		if s.next()&3 != 0 { // mostly plain weights in [-1, 1]
			x = math.Mod(x, 1)
			if x != x {
				x = 0
			}
		}
		w[i] = x
	}
	return trade, nil
}

// FuzzSimulate: whatever a strategy outputs, Simulate returns an error
// naming a bar, or a result whose equity is finite and whose metrics are
// finite or NaN; it never panics.
func FuzzSimulate(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0xf0, 0x3f}, uint8(0), uint16(2))
	f.Add([]byte(strings.Repeat("\x01\x00\x00\x00\x00\x00\xe0\x3f", 40)), uint8(2), uint16(1000))
	f.Fuzz(func(t *testing.T, data []byte, fill uint8, lev uint16) {
		rng := rand.New(rand.NewPCG(uint64(len(data)), 1))
		p := randomPanel(rng, 6+len(data)%40, 1+len(data)%5)
		cfg := DefaultConfig()
		cfg.Fill = Fill(fill % 3)
		cfg.MaxLeverage = 0.5 + float64(lev%400)/100
		cfg.CostBps = float64(lev % 50)
		res, err := Simulate(p, &bytesStrategy{data: data}, cfg)
		if err != nil {
			if !strings.Contains(err.Error(), "bar ") {
				t.Fatalf("error without a bar: %v", err)
			}
			return
		}
		for k, v := range res.Equity {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("V[%d] = %v", k, v)
			}
		}
		for k, v := range res.Metrics.Values() {
			if math.IsInf(v, 0) {
				t.Fatalf("%s = %v", MetricNames[k], v)
			}
		}
	})
}
