package kernels

import "slices"

// AppendTopK appends to dst the indices of the k largest present values of
// row (NaN and ±Inf are missing and never selected), largest first; equal
// values go by index (the lower index, i.e. the earlier symbol, first).
// Fewer than k indices are appended when row has fewer present values.
// O(len(row)·log k) with a bounded heap and no allocation when dst has room;
// matches TopKRef exactly.
func AppendTopK(dst []int, row []float64, k int) []int {
	clearUpper()
	if k <= 0 {
		return dst
	}
	base := len(dst)
	// A min-heap (by rank: the worst selected element at the root) kept in
	// dst[base:].
	for i, v := range row {
		if v-v != 0 {
			continue
		}
		n := len(dst) - base
		if n < k {
			dst = append(dst, i)
			// sift up
			h := dst[base:]
			j := n
			for j > 0 {
				parent := (j - 1) / 2
				if !worse(row, h[j], h[parent]) {
					break
				}
				h[j], h[parent] = h[parent], h[j]
				j = parent
			}
			continue
		}
		h := dst[base:]
		if !better(row, i, h[0]) {
			continue
		}
		h[0] = i
		// sift down
		j := 0
		for {
			l := 2*j + 1
			if l >= k {
				break
			}
			m := l
			if r := l + 1; r < k && worse(row, h[r], h[l]) {
				m = r
			}
			if !worse(row, h[m], h[j]) {
				break
			}
			h[j], h[m] = h[m], h[j]
			j = m
		}
	}
	h := dst[base:]
	slices.SortFunc(h, func(a, b int) int {
		if better(row, a, b) {
			return -1
		}
		if better(row, b, a) {
			return 1
		}
		return 0
	})
	return dst
}

// better reports whether element a ranks before element b: a larger
// value, or an equal value at a lower index.
func better(row []float64, a, b int) bool {
	if row[a] != row[b] {
		return row[a] > row[b]
	}
	return a < b
}

func worse(row []float64, a, b int) bool { return better(row, b, a) }

// TopKRef is the reference of AppendTopK: k times, the best remaining
// present element by a linear scan.
func TopKRef(row []float64, k int) []int {
	taken := make([]bool, len(row))
	var out []int
	for len(out) < k {
		best := -1
		for i, v := range row {
			if taken[i] || missing(v) {
				continue
			}
			if best < 0 || v > row[best] {
				best = i
			}
		}
		if best < 0 {
			break
		}
		taken[best] = true
		out = append(out, best)
	}
	return out
}

// AppendRankDesc appends to dst the indices of row's present values in
// rank order (largest first, ties by index) followed by the missing ones in
// index order: a full ranking. Matches RankDescRef exactly.
func AppendRankDesc(dst []int, row []float64) []int {
	base := len(dst)
	for i, v := range row {
		if v-v == 0 {
			dst = append(dst, i)
		}
	}
	slices.SortFunc(dst[base:], func(a, b int) int {
		if better(row, a, b) {
			return -1
		}
		return 1
	})
	for i, v := range row {
		if v-v != 0 {
			dst = append(dst, i)
		}
	}
	return dst
}

// RankDescRef is the reference of AppendRankDesc.
func RankDescRef(row []float64) []int {
	out := TopKRef(row, len(row))
	for i, v := range row {
		if missing(v) {
			out = append(out, i)
		}
	}
	return out
}
