package sweep

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// Shard selects a deterministic 1/Count of a plan's points: the k-th
// point of the full (constrained, sampled) sequence belongs to shard
// k mod Count. The zero value is the whole plan.
type Shard struct {
	Index, Count int
}

// String is "i/n" ("" for the whole plan).
func (s Shard) String() string {
	if s.Count <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

func (s Shard) owns(k int64) bool { return s.Count <= 1 || k%int64(s.Count) == int64(s.Index) }

// ParseShard reads "i/n" with 0 ≤ i < n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %q: want i/n, e.g. 0/4 (shards are numbered from 0)", s)
	}
	return NewShard(i, n)
}

// NewShard checks 0 ≤ i < n.
func NewShard(i, n int) (Shard, error) {
	if n < 1 {
		return Shard{}, fmt.Errorf("shard count %d: want at least 1", n)
	}
	if i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %d/%d: the index must be in 0..%d", i, n, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

// ShardFromEnv finds the shard of a batch-system array task when --shard
// is not given: a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the
// count from countFlag or ROTOR_SHARD_COUNT) or a Slurm array
// (SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_COUNT, or ROTOR_SHARD_COUNT
// / countFlag, counted from SLURM_ARRAY_TASK_MIN). It returns the zero
// Shard and "" when neither is set, and a description of the source
// otherwise.
func ShardFromEnv(getenv func(string) string, countFlag int) (Shard, string, error) {
	count := func(envs ...string) (int, string, error) {
		if countFlag > 0 {
			return countFlag, "--shard-count", nil
		}
		for _, e := range envs {
			if v := getenv(e); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					return 0, "", fmt.Errorf("%s=%q: want a positive whole number", e, v)
				}
				return n, e, nil
			}
		}
		return 0, "", nil
	}
	if v := getenv("JOB_COMPLETION_INDEX"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 {
			return Shard{}, "", fmt.Errorf("JOB_COMPLETION_INDEX=%q: want a whole number ≥ 0", v)
		}
		n, src, err := count("ROTOR_SHARD_COUNT")
		if err != nil {
			return Shard{}, "", err
		}
		if n == 0 {
			return Shard{}, "", errors.New("JOB_COMPLETION_INDEX is set but the shard count is not: pass --shard-count N or set ROTOR_SHARD_COUNT (the Job's completions)")
		}
		s, err := NewShard(i, n)
		return s, "JOB_COMPLETION_INDEX and " + src, err
	}
	if v := getenv("SLURM_ARRAY_TASK_ID"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 {
			return Shard{}, "", fmt.Errorf("SLURM_ARRAY_TASK_ID=%q: want a whole number ≥ 0", v)
		}
		if m := getenv("SLURM_ARRAY_TASK_MIN"); m != "" {
			lo, err := strconv.Atoi(m)
			if err != nil || lo < 0 || lo > i {
				return Shard{}, "", fmt.Errorf("SLURM_ARRAY_TASK_MIN=%q: want a whole number ≤ SLURM_ARRAY_TASK_ID", m)
			}
			i -= lo
		}
		n, src, err := count("SLURM_ARRAY_TASK_COUNT", "ROTOR_SHARD_COUNT")
		if err != nil {
			return Shard{}, "", err
		}
		if n == 0 {
			return Shard{}, "", errors.New("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard-count N")
		}
		s, err := NewShard(i, n)
		return s, "SLURM_ARRAY_TASK_ID and " + src, err
	}
	return Shard{}, "", nil
}

// ShardFromOSEnv is ShardFromEnv over the process environment.
func ShardFromOSEnv(countFlag int) (Shard, string, error) {
	return ShardFromEnv(os.Getenv, countFlag)
}

// Plan is the sequence of points a sweep runs: a grid, an optional
// constraint, an optional seeded sample and a shard.
type Plan struct {
	Strategy string
	Grid     *Grid
	Where    *Expr // nil: every grid point
	Sample   int64 // > 0: a seeded uniform sample of this many points
	Seed     uint64
	Shard    Shard

	sample []int64 // sorted grid indices of the sample
}

// exhaustiveLimit is the largest grid over which sampling enumerates the
// constrained points (beyond it, it samples grid indices and rejects).
const exhaustiveLimit = 1 << 24

// NewPlan checks a plan and draws its sample. It fails when the
// constraint keeps no point.
func NewPlan(strategy string, g *Grid, where *Expr, sample int64, seed uint64, shard Shard) (*Plan, error) {
	p := &Plan{Strategy: strategy, Grid: g, Where: where, Sample: sample, Seed: seed, Shard: shard}
	if sample < 0 {
		return nil, fmt.Errorf("--sample %d: want a positive number of points", sample)
	}
	if sample > 0 {
		if err := p.draw(); err != nil {
			return nil, err
		}
		return p, nil
	}
	if where != nil && p.firstMatch() < 0 {
		return nil, fmt.Errorf("--where %q keeps none of the grid's %d points", where, g.Size())
	}
	return p, nil
}

func (p *Plan) keep(ps engine.Params) bool { return p.Where == nil || p.Where.Eval(ps) }

func (p *Plan) firstMatch() int64 {
	ps := make(engine.Params, len(p.Grid.Axes))
	for i := int64(0); i < p.Grid.Size(); i++ {
		if p.keep(p.Grid.Point(i, ps)) {
			return i
		}
	}
	return -1
}

// draw picks the sample: Floyd's algorithm over the ranks of the
// constrained points when the grid is small enough to enumerate, else
// rejection sampling of grid indices. Both depend only on the grid, the
// constraint and the seed, so every shard draws the same sample.
func (p *Plan) draw() error {
	g := p.Grid
	rng := rand.New(rand.NewPCG(p.Seed, 0x726f746f72)) // "rotor"
	ps := make(engine.Params, len(g.Axes))
	if g.Size() <= exhaustiveLimit {
		var m int64
		for i := int64(0); i < g.Size(); i++ {
			if p.keep(g.Point(i, ps)) {
				m++
			}
		}
		if m == 0 {
			return fmt.Errorf("--where %q keeps none of the grid's %d points", p.Where, g.Size())
		}
		if p.Sample >= m {
			p.Sample = 0 // the whole constrained grid
			return nil
		}
		chosen := make(map[int64]struct{}, p.Sample)
		ranks := make([]int64, 0, p.Sample)
		for j := m - p.Sample; j < m; j++ {
			t := rng.Int64N(j + 1)
			if _, dup := chosen[t]; dup {
				t = j
			}
			chosen[t] = struct{}{}
			ranks = append(ranks, t)
		}
		slices.Sort(ranks)
		p.sample = make([]int64, 0, p.Sample)
		var rank int64
		k := 0
		for i := int64(0); i < g.Size() && k < len(ranks); i++ {
			if !p.keep(g.Point(i, ps)) {
				continue
			}
			if rank == ranks[k] {
				p.sample = append(p.sample, i)
				k++
			}
			rank++
		}
		return nil
	}
	chosen := make(map[int64]struct{}, p.Sample)
	limit := 100*p.Sample + 1_000_000
	for tries := int64(0); int64(len(chosen)) < p.Sample; tries++ {
		if tries > limit {
			return fmt.Errorf("--sample %d: after %d draws only %d grid points passed --where %q; lower --sample or loosen the constraint", p.Sample, tries, len(chosen), p.Where)
		}
		i := rng.Int64N(g.Size())
		if _, dup := chosen[i]; dup {
			continue
		}
		if p.keep(g.Point(i, ps)) {
			chosen[i] = struct{}{}
		}
	}
	p.sample = make([]int64, 0, len(chosen))
	for i := range chosen {
		p.sample = append(p.sample, i)
	}
	slices.Sort(p.sample)
	return nil
}

// Iter walks the plan's points (of its shard) in order.
type Iter struct {
	p   *Plan
	raw int64 // next grid index (unsampled) or sample position
	k   int64 // ordinal of the next point in the full sequence
	ps  engine.Params
}

// Iter starts a walk over the plan's points.
func (p *Plan) Iter() *Iter { return &Iter{p: p, ps: make(engine.Params, len(p.Grid.Axes))} }

// Next returns the grid index and parameters of the next point of the
// shard; ps is reused by the following call. ok is false at the end.
func (it *Iter) Next() (index int64, ps engine.Params, ok bool) {
	p := it.p
	for {
		var i int64
		if p.sample != nil {
			if it.raw >= int64(len(p.sample)) {
				return 0, nil, false
			}
			i = p.sample[it.raw]
			it.raw++
			it.ps = p.Grid.Point(i, it.ps)
		} else {
			if it.raw >= p.Grid.Size() {
				return 0, nil, false
			}
			i = it.raw
			it.raw++
			it.ps = p.Grid.Point(i, it.ps)
			if !p.keep(it.ps) {
				continue
			}
		}
		k := it.k
		it.k++
		if p.Shard.owns(k) {
			return i, it.ps, true
		}
	}
}

// Count is the number of points in the plan's shard. Without a constraint
// or a sample it is computed; otherwise it costs one pass of evaluating
// the constraint.
func (p *Plan) Count() int64 {
	total := p.Total()
	if p.Shard.Count <= 1 {
		return total
	}
	n := total / int64(p.Shard.Count)
	if int64(p.Shard.Index) < total%int64(p.Shard.Count) {
		n++
	}
	return n
}

// Total is the number of points over all shards.
func (p *Plan) Total() int64 {
	if p.sample != nil {
		return int64(len(p.sample))
	}
	if p.Where == nil {
		return p.Grid.Size()
	}
	var n int64
	ps := make(engine.Params, len(p.Grid.Axes))
	for i := int64(0); i < p.Grid.Size(); i++ {
		if p.Where.Eval(p.Grid.Point(i, ps)) {
			n++
		}
	}
	return n
}

// Source is a sequence of parameter points for Run. Plan's Iter is the
// usual one; tests use explicit lists.
type Source interface {
	// Next returns the next point (ps may be reused by the following call).
	Next() (index int64, ps engine.Params, ok bool)
}

// List is a Source over explicit points (indices are positions).
type List struct {
	Points []engine.Params
	i      int
}

// Next implements Source.
func (l *List) Next() (int64, engine.Params, bool) {
	if l.i >= len(l.Points) {
		return 0, nil, false
	}
	l.i++
	return int64(l.i - 1), l.Points[l.i-1], true
}
