package sweep

import (
	"crypto/sha256"
	bin "encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/rotor-bt/rotor/engine"
)

// idHasher computes engine.ConfigID without allocating per point (beyond
// the id string): the canonical text is appended into a reused buffer.
type idHasher struct {
	buf []byte
}

// id returns engine.ConfigID(strategy, ps) and its 64 bits as a number
// (the id is those bits in hex).
func (h *idHasher) id(strategy string, ps engine.Params) (string, uint64) {
	b := append(h.buf[:0], strategy...)
	b = append(b, '?')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p.Name...)
		b = append(b, '=')
		b = appendValue(b, p.Value)
	}
	h.buf = b
	sum := sha256.Sum256(b)
	var hx [16]byte
	hex.Encode(hx[:], sum[:8])
	return string(hx[:]), bin.BigEndian.Uint64(sum[:8])
}

// appendValue appends v.String() to dst.
func appendValue(dst []byte, v engine.Value) []byte {
	switch v.Kind {
	case engine.IntParam, engine.BarsParam:
		return strconv.AppendInt(dst, v.I, 10)
	case engine.FloatParam:
		return strconv.AppendFloat(dst, v.F, 'g', -1, 64)
	case engine.BoolParam:
		return strconv.AppendBool(dst, v.B)
	}
	return append(dst, v.S...)
}
