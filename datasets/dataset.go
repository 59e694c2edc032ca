package datasets

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"github.com/rotor-bt/rotor/engine"
)

// Dataset is a set of input files (and a rates file) opened for loading:
// one DuckDB instance locked to exactly those files, kept until Close.
// Open it once to load several selections of the same data (date ranges,
// symbol subsets, fields) without starting an instance for each.
//
// Nothing about the files' content is kept between loads: each Load reads
// and validates the rows it selects again (DuckDB's external file cache and
// Parquet metadata cache are off), so it sees the files as they are then.
// The file list is the expansion of the paths at Open. Loads run one at a
// time; concurrent calls wait.
type Dataset struct {
	mu    sync.Mutex
	in    *inputSet
	rates string
	dbCfg DBConfig
	db    *DB
}

// Open expands opt.Paths and opens a DuckDB instance locked to those files,
// opt.Rates and opt.DB's directories. Only those three fields of opt are
// used here; the selection is given to each Load.
func Open(ctx context.Context, opt LoadOptions) (*Dataset, error) {
	in, err := expandInputs(opt.Paths)
	if err != nil {
		return nil, err
	}
	cfg := opt.DB
	if cfg.Threads == 0 && in.format == FormatParquet {
		// Parquet is scanned as bar ranges, one connection per CPU at
		// once (loadWorkers); each query runs on its caller's thread
		// rather than on a shared pool that would oversubscribe the CPUs.
		cfg.Threads = 1
	}
	cfg.Files = append(append([]string(nil), in.files...), cfg.Files...)
	if opt.Rates != "" {
		cfg.Files = append(cfg.Files, opt.Rates)
	}
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Dataset{in: in, rates: opt.Rates, dbCfg: opt.DB, db: db}, nil
}

// Files returns the input files (expanded, sorted).
func (ds *Dataset) Files() []string { return slices.Clone(ds.in.files) }

// Load reads the selection opt describes (Columns, From, To, Symbols,
// Fields, Fingerprint) into a validated panel and attaches the dataset's
// rates, if any. opt.Paths, opt.Rates and opt.DB must be empty or the
// ones the dataset was opened with.
func (ds *Dataset) Load(ctx context.Context, opt LoadOptions) (*engine.Panel, *Info, error) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.db == nil {
		return nil, nil, fmt.Errorf("datasets: Load on a closed Dataset")
	}
	if err := ds.sameInputs(opt); err != nil {
		return nil, nil, err
	}
	if err := checkMapping(opt.Columns); err != nil {
		return nil, nil, err
	}
	if opt.From != nil && opt.To != nil && *opt.To < *opt.From {
		return nil, nil, newErr("", fmt.Sprintf("--from %s --to %s", *opt.From, *opt.To), RuleEmpty, "the range is empty; --to must not be before --from")
	}
	for _, s := range opt.Symbols {
		if !symbolRE.MatchString(s) {
			return nil, nil, newErr("", fmt.Sprintf("--symbols %q", s), RuleBadSymbol, "want 1-32 characters of A-Z a-z 0-9 . _ -")
		}
	}
	// The files' sizes and times now; their content hash is computed when
	// first asked for (Info.Fingerprint).
	fp, err := newLazyFingerprint(ds.in.files)
	if err != nil {
		return nil, nil, err
	}
	if opt.Fingerprint {
		go fp.get()
	}
	p, info, err := loadPanel(ctx, ds.db, ds.in, opt)
	if err != nil {
		return nil, nil, err
	}
	info.fp = fp
	if ds.rates != "" {
		r, err := loadRates(ctx, ds.db, ds.rates)
		if err != nil {
			return nil, nil, err
		}
		attachRates(p, info, r, ds.rates)
	}
	return p, info, nil
}

// sameInputs checks that opt names no other inputs than the dataset's.
func (ds *Dataset) sameInputs(opt LoadOptions) error {
	if len(opt.Paths) > 0 {
		in, err := expandInputs(opt.Paths)
		if err != nil {
			return err
		}
		if !slices.Equal(absFiles(in.files), absFiles(ds.in.files)) {
			return fmt.Errorf("datasets: Load of %s on a Dataset opened for %s; open another Dataset", in.display(), ds.in.display())
		}
	}
	if opt.Rates != "" && !samePath(opt.Rates, ds.rates) {
		return fmt.Errorf("datasets: Load with rates %s on a Dataset opened with rates %q; open another Dataset", opt.Rates, ds.rates)
	}
	if !opt.DB.isZero() && !opt.DB.same(ds.dbCfg) {
		return fmt.Errorf("datasets: Load with other DuckDB settings than the Dataset was opened with; open another Dataset")
	}
	return nil
}

// samePath reports whether a and b name the same file (compared as
// absolute, cleaned paths).
func samePath(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}

// Close closes the DuckDB instance and removes its private temp directory.
// The panels loaded stay valid.
func (ds *Dataset) Close() error {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	db := ds.db
	ds.db = nil
	return db.Close()
}

// closeLater is Close with the instance torn down on another goroutine
// (see DB.closeLater).
func (ds *Dataset) closeLater() {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.db != nil {
		ds.db.closeLater()
		ds.db = nil
	}
}
