package sweep

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rotor-bt/rotor/engine"
)

// Options control Run.
type Options struct {
	// Strategy is the strategy name hashed into config ids.
	Strategy string
	// Workers is the number of goroutines calling the evaluator
	// (≤ 0: GOMAXPROCS).
	Workers int
	// Assets, when not nil, selects per-asset mode: every point runs on
	// each of these panel columns alone, one row per (point, asset).
	Assets []int
	// AssetLanes is the number of assets per chunk in per-asset mode
	// (default 8, the SIMD width the fast evaluators use).
	AssetLanes int
	// ChunkPoints is the number of points per chunk (0: chosen from
	// Total and Workers so that every worker gets several chunks).
	ChunkPoints int
	// Total is the number of points the source yields (for chunk sizing
	// and progress; 0 if unknown).
	Total int64
	// Done reports rows already written (resume): a point is evaluated
	// only for assets (or, in whole-panel mode, asset -1) not done.
	Done func(id uint64, asset int) bool
	// Progress, when set, counts rows as they are emitted.
	Progress *Progress
}

// Row is one result row handed to the emit callback. Params and Metrics
// point into the runner's buffers and are valid during the call only.
type Row struct {
	Index    int64 // grid index of the point
	ConfigID string
	Params   engine.Params
	Asset    int // panel column in per-asset mode, -1 otherwise
	Metrics  *engine.Metrics
}

// Stats summarise a run.
type Stats struct {
	Points  int64 // points taken from the source
	Rows    int64 // rows emitted
	Skipped int64 // rows already done (resume)
	Chunks  int64 // evaluator calls
}

// Progress counts rows of a running sweep; it is safe for concurrent use.
type Progress struct {
	total atomic.Int64
	done  atomic.Int64
	start time.Time
}

// NewProgress starts counting toward total rows.
func NewProgress(total int64) *Progress {
	p := &Progress{start: time.Now()}
	p.total.Store(total)
	return p
}

// Add records n more rows done.
func (p *Progress) Add(n int64) { p.done.Add(n) }

// SetTotal changes the expected number of rows.
func (p *Progress) SetTotal(n int64) { p.total.Store(n) }

// Snapshot returns rows done, the total, and the time since the start.
func (p *Progress) Snapshot() (done, total int64, elapsed time.Duration) {
	return p.done.Load(), p.total.Load(), time.Since(p.start)
}

// chunkPool keeps chunk buffers from one Run to the next.
var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

// rowPool keeps the collector's row buffer from one Run to the next (a
// per-asset block holds points × assets rows).
var rowPool = sync.Pool{New: func() any { return new([]Row) }}

// chunk is one evaluator call: points × assets, with their results.
// In per-asset mode a block of points is split into one chunk per group
// of assets; the chunks of a block are emitted together, point-major, so
// the row order does not depend on the chunking.
type chunk struct {
	seq      int64
	np       int // parameters per point
	idx      []int64
	pos      []int // position of each point in its block
	ids      []string
	keys     []uint64
	flat     []engine.Param // the points, np each
	points   []engine.Params
	perAsset bool
	last     bool // the last chunk of its block
	assets   []int
	out      []engine.Metrics
	ran      bool
}

func (c *chunk) reset() {
	c.idx, c.pos, c.ids, c.keys, c.flat, c.points = c.idx[:0], c.pos[:0], c.ids[:0], c.keys[:0], c.flat[:0], c.points[:0]
	c.assets = c.assets[:0]
	c.ran, c.last = false, false
}

// add appends a copy of point ps.
func (c *chunk) add(i int64, pos int, id string, key uint64, ps engine.Params) {
	c.np = len(ps)
	c.idx = append(c.idx, i)
	c.pos = append(c.pos, pos)
	c.ids = append(c.ids, id)
	c.keys = append(c.keys, key)
	c.flat = append(c.flat, ps...)
}

// point returns point k (aliasing flat).
func (c *chunk) point(k int) engine.Params {
	return engine.Params(c.flat[k*c.np : (k+1)*c.np : (k+1)*c.np])
}

// seal builds the points slice before the chunk is evaluated.
func (c *chunk) seal() {
	c.points = c.points[:0]
	for k := range c.idx {
		c.points = append(c.points, c.point(k))
	}
}

// Run evaluates every point of src with ev on a pool of workers and
// calls emit (from one goroutine) with the rows of each finished chunk
// (per-asset mode: of each block of points over all assets), in source
// order: point by point, and for each point its assets in the order of
// Options.Assets. The output does not depend on the number of workers or
// on the chunk size.
//
// On cancellation of ctx or an evaluator error, Run stops dispatching,
// waits for the chunks being evaluated, emits every finished chunk (in
// source order, possibly with gaps) and returns the error; so every row
// computed is kept and a resumed run completes the rest.
func Run(ctx context.Context, src Source, ev engine.Evaluator, opt Options, emit func(rows []Row) error) (Stats, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	lanes := opt.AssetLanes
	if lanes <= 0 {
		lanes = 8
	}
	perAsset := opt.Assets != nil
	groups := 1
	if perAsset {
		if len(opt.Assets) == 0 {
			return Stats{}, errors.New("sweep: per-asset mode with no assets")
		}
		groups = (len(opt.Assets) + lanes - 1) / lanes
	}
	cp := opt.ChunkPoints
	if cp <= 0 {
		cp = autoChunk(opt.Total, workers, groups)
	}
	window := max(4*workers, 2*groups+workers)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	free := make(chan *chunk, window)
	for k := 0; k < window; k++ {
		free <- chunkPool.Get().(*chunk)
	}
	defer func() { // the chunks are back on the free list once Run returns
		for k := 0; k < window; k++ {
			select {
			case c := <-free:
				c.reset()
				chunkPool.Put(c)
			default:
				return
			}
		}
	}()
	work := make(chan *chunk)
	results := make(chan *chunk, window)
	var st Stats
	var skipped, dispatched, ran atomic.Int64
	sourceDone := false
	done := func(key uint64, asset int) bool { return opt.Done != nil && opt.Done(key, asset) }

	// dispatcher: reads the source, builds chunks in sequence order.
	g.Go(func() error {
		defer close(work)
		var seq int64
		var ids idHasher
		block := &chunk{}
		var batch []*chunk
		take := func() (*chunk, error) {
			select {
			case c := <-free:
				c.reset()
				c.perAsset = perAsset
				return c, nil
			case <-gctx.Done():
				return nil, gctx.Err()
			}
		}
		// flush splits the block into chunks (one per asset group), drops
		// what is done, and sends the rest.
		flush := func() error {
			if len(block.idx) == 0 {
				return nil
			}
			defer block.reset()
			batch = batch[:0]
			for a0 := 0; a0 < len(opt.Assets) || a0 == 0; a0 += lanes {
				c, err := take()
				if err != nil {
					for _, b := range batch {
						free <- b
					}
					return err
				}
				var as []int
				if perAsset {
					as = opt.Assets[a0:min(a0+lanes, len(opt.Assets))]
					c.assets = append(c.assets, as...)
				}
				for k := range block.idx {
					if opt.Done != nil {
						all := true
						if !perAsset {
							all = done(block.keys[k], -1)
						}
						for _, a := range as {
							all = all && done(block.keys[k], a)
						}
						if all {
							skipped.Add(int64(max(1, len(as))))
							continue
						}
					}
					c.add(block.idx[k], k, block.ids[k], block.keys[k], block.point(k))
				}
				if len(c.idx) == 0 {
					free <- c
				} else {
					batch = append(batch, c)
				}
				if !perAsset {
					break
				}
			}
			for j, c := range batch {
				c.seq = seq
				seq++
				c.last = j == len(batch)-1
				c.seal()
				dispatched.Add(1)
				select {
				case work <- c:
				case <-gctx.Done():
					for _, b := range batch[j:] {
						free <- b
					}
					return gctx.Err()
				}
			}
			return nil
		}
		for {
			if err := gctx.Err(); err != nil {
				return err
			}
			i, ps, ok := src.Next()
			if !ok {
				break
			}
			st.Points++
			id, key := ids.id(opt.Strategy, ps)
			block.add(i, len(block.idx), id, key, ps)
			if len(block.idx) >= cp {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		sourceDone = true
		return nil
	})

	// workers
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			for c := range work {
				if gctx.Err() != nil {
					results <- c
					continue
				}
				n := len(c.idx)
				var assets []int
				if perAsset {
					n *= len(c.assets)
					assets = c.assets
				}
				c.out = slices.Grow(c.out[:0], n)[:n]
				clear(c.out)
				err := safeEvaluate(ev, c.points, assets, c.out)
				c.ran = err == nil
				if c.ran {
					ran.Add(1)
				}
				results <- c
				if err != nil {
					return err
				}
			}
			return nil
		})
	}

	var runErr error
	go func() {
		runErr = g.Wait()
		close(results)
	}()

	// collector: emits blocks in sequence order.
	var (
		pending = map[int64]*chunk{}
		next    int64
		emitErr error
		blk     []*chunk // the finished chunks of the current block
		rowBuf  = rowPool.Get().(*[]Row)
		rows    = (*rowBuf)[:0]
		cursor  []int
	)
	defer func() {
		clear(rows[:cap(rows)]) // drop references to the chunks' memory
		*rowBuf = rows[:0]
		rowPool.Put(rowBuf)
	}()
	emitBlock := func() {
		need := 0
		for _, c := range blk {
			if c.perAsset {
				need += len(c.idx) * len(c.assets)
			} else {
				need += len(c.idx)
			}
		}
		rows = slices.Grow(rows[:0], need)
		if emitErr == nil {
			rows = blockRows(blk, rows, cursor[:0], done, &skipped)
		}
		if len(rows) > 0 {
			if err := emit(rows); err != nil {
				emitErr = err
				cancel()
			} else {
				st.Rows += int64(len(rows))
				if opt.Progress != nil {
					opt.Progress.Add(int64(len(rows)))
				}
			}
		}
		for _, c := range blk {
			free <- c
		}
		blk = blk[:0]
	}
	take := func(c *chunk) {
		if c.ran {
			st.Chunks++
			blk = append(blk, c)
		} else {
			free <- c
		}
		if c.last {
			emitBlock()
		}
	}
	for c := range results {
		pending[c.seq] = c
		for {
			d, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			take(d)
		}
	}
	// After a stop, emit what finished, in order, across the gaps.
	seqs := make([]int64, 0, len(pending))
	for s := range pending {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	for _, s := range seqs {
		take(pending[s])
	}
	if len(blk) > 0 {
		emitBlock()
	}
	st.Skipped = skipped.Load()
	if emitErr != nil {
		return st, emitErr
	}
	if runErr == nil && !(sourceDone && ran.Load() == dispatched.Load()) {
		runErr = ctx.Err()
		if runErr == nil {
			runErr = context.Canceled
		}
	}
	return st, runErr
}

// safeEvaluate turns a panic of an evaluator into an error naming the
// first point of the chunk.
func safeEvaluate(ev engine.Evaluator, points []engine.Params, assets []int, out []engine.Metrics) (err error) {
	defer func() {
		if r := recover(); r != nil {
			first := ""
			if len(points) > 0 {
				first = points[0].String()
			}
			err = fmt.Errorf("sweep: evaluator panicked on a chunk starting at %s: %v", first, r)
		}
	}()
	return ev.Evaluate(points, assets, out)
}

// blockRows appends the rows of a block's finished chunks to dst, point by
// point and, per point, asset by asset; rows already done are left out.
func blockRows(blk []*chunk, dst []Row, cursor []int, done func(uint64, int) bool, skipped *atomic.Int64) []Row {
	if len(blk) == 1 && !blk[0].perAsset {
		c := blk[0]
		for k := range c.idx {
			dst = append(dst, Row{Index: c.idx[k], ConfigID: c.ids[k], Params: c.points[k], Asset: -1, Metrics: &c.out[k]})
		}
		return dst
	}
	for range blk {
		cursor = append(cursor, 0)
	}
	for {
		// the smallest block position among the chunks' next points
		pos := -1
		for j, c := range blk {
			if cursor[j] < len(c.idx) && (pos < 0 || c.pos[cursor[j]] < pos) {
				pos = c.pos[cursor[j]]
			}
		}
		if pos < 0 {
			return dst
		}
		for j, c := range blk {
			k := cursor[j]
			if k >= len(c.idx) || c.pos[k] != pos {
				continue
			}
			cursor[j]++
			if !c.perAsset {
				dst = append(dst, Row{Index: c.idx[k], ConfigID: c.ids[k], Params: c.points[k], Asset: -1, Metrics: &c.out[k]})
				continue
			}
			n := len(c.idx)
			for a, asset := range c.assets {
				if done(c.keys[k], asset) {
					skipped.Add(1)
					continue
				}
				dst = append(dst, Row{Index: c.idx[k], ConfigID: c.ids[k], Params: c.points[k], Asset: asset, Metrics: &c.out[a*n+k]})
			}
		}
	}
}

// autoChunk picks the points per chunk: large enough to share work across
// points, small enough that every worker gets about four chunks.
func autoChunk(total int64, workers, groups int) int {
	const maxChunk = 256
	if total <= 0 {
		return 256
	}
	target := int64(4 * workers)
	blocks := (target + int64(groups) - 1) / int64(groups)
	cp := (total + blocks - 1) / blocks
	return int(max(1, min(cp, maxChunk)))
}
