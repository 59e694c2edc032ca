package datasets

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rotor-bt/rotor/engine"
)

// The embedded sample: 23 US large caps, daily 2018-12-31..2024-03-08
// (split-adjusted open/high/low/close, adj_close, volume), and the federal
// funds target rate 1982-09-27..2025-11-12. See sample/README.md for the
// sources, licences and how the files were made.
var (
	//go:embed sample/us_largecaps_daily.parquet
	samplePrices []byte
	//go:embed sample/fed_funds_target.parquet
	sampleRates []byte
)

// Sample file names, as Info reports them.
const (
	SamplePricesName = "sample:us_largecaps_daily.parquet"
	SampleRatesName  = "sample:fed_funds_target.parquet"
)

// Sample loads the embedded sample with the rates attached.
func Sample(ctx context.Context) (*engine.Panel, *Info, error) {
	return SampleWith(ctx, LoadOptions{})
}

// SampleWith loads the embedded sample with opt's selection (From, To,
// Symbols, DB settings); Paths must be empty. opt.Rates "" attaches the
// sample's rates, "none" attaches none, another path that file.
func SampleWith(ctx context.Context, opt LoadOptions) (*engine.Panel, *Info, error) {
	dir, err := os.MkdirTemp("", "rotor-sample-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	prices := filepath.Join(dir, "us_largecaps_daily.parquet")
	rates := filepath.Join(dir, "fed_funds_target.parquet")
	if err := os.WriteFile(prices, samplePrices, 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(rates, sampleRates, 0o600); err != nil {
		return nil, nil, err
	}
	opt.Paths = []string{prices}
	opt.Fingerprint = false // the embedded file's is known
	userRates := opt.Rates
	switch opt.Rates {
	case "":
		opt.Rates = rates
	case "none":
		opt.Rates = ""
	}
	p, info, err := Load(ctx, opt)
	if err != nil {
		return nil, nil, err
	}
	info.Files = []string{SamplePricesName}
	// The temporary copy is gone; the fingerprint is the embedded file's.
	info.fp = fixedFingerprint(SampleFingerprint())
	if userRates == "" {
		info.RatesFile = SampleRatesName
		for k, n := range info.Notes {
			info.Notes[k] = strings.ReplaceAll(n, displayPath(rates), SampleRatesName)
		}
	}
	return p, info, nil
}

// SampleFingerprint is the content hash of the embedded price file, the
// same as Info.Fingerprint of a load of it.
func SampleFingerprint() string { return sampleFingerprint() }

var sampleFingerprint = sync.OnceValue(func() string {
	h := sha256.Sum256(samplePrices)
	all := sha256.New()
	var b [8]byte
	n := uint64(len(samplePrices))
	for k := range b {
		b[k] = byte(n >> (8 * k))
	}
	all.Write(b[:])
	all.Write(h[:])
	return hex.EncodeToString(all.Sum(nil))
})
