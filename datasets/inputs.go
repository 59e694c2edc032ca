package datasets

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Input formats.
const (
	FormatParquet = "parquet"
	FormatCSV     = "csv"
)

// inputSet is the expanded list of input files, all of one format.
type inputSet struct {
	files  []string // as the user wrote them (expanded), sorted, unique
	format string
	hive   bool // some path has key=value directories
}

// expandInputs turns files, globs and directories into files. A directory
// contributes every .parquet, .csv and .csv.gz file below it (hive
// partitions such as year=2020/ are welcome).
func expandInputs(paths []string) (*inputSet, error) {
	if len(paths) == 0 {
		return nil, newErr("", "--data", RuleNoInput, "give Parquet or CSV files, globs or directories")
	}
	seen := map[string]bool{}
	in := &inputSet{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			in.files = append(in.files, f)
		}
	}
	for _, p := range paths {
		if strings.ContainsAny(p, "*?[") {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, newErr(p, "pattern", RuleNoInput, "invalid glob: %v", err)
			}
			n := 0
			for _, f := range m {
				if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
					add(f)
					n++
				}
			}
			if n == 0 {
				return nil, newErr(p, "pattern", RuleNoInput, "no file matches")
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, newErr(p, "file", RuleUnreadable, "%v", unwrapPathErr(err))
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		n := 0
		err = filepath.WalkDir(p, func(f string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if de.Type().IsRegular() && formatOfName(f) != "" {
				add(f)
				n++
				if rel, err := filepath.Rel(p, f); err == nil && strings.Contains(filepath.Dir(rel), "=") {
					in.hive = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, newErr(p, "directory", RuleUnreadable, "%v", unwrapPathErr(err))
		}
		if n == 0 {
			return nil, newErr(p, "directory", RuleNoInput, "no .parquet or .csv file inside")
		}
	}
	sort.Strings(in.files)
	for _, f := range in.files {
		ff, err := formatOf(f)
		if err != nil {
			return nil, err
		}
		if in.format == "" {
			in.format = ff
		} else if in.format != ff {
			return nil, newErr(f, "format", RuleUnreadable, "inputs mix %s and %s files; load one format at a time", in.format, ff)
		}
	}
	return in, nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func formatOfName(f string) string {
	l := strings.ToLower(f)
	switch {
	case strings.HasSuffix(l, ".parquet"), strings.HasSuffix(l, ".pq"):
		return FormatParquet
	case strings.HasSuffix(l, ".csv"), strings.HasSuffix(l, ".csv.gz"), strings.HasSuffix(l, ".txt"):
		return FormatCSV
	}
	return ""
}

// formatOf names the format of f by extension, else by its magic bytes.
func formatOf(f string) (string, error) {
	if ff := formatOfName(f); ff != "" {
		return ff, nil
	}
	r, err := os.Open(f)
	if err != nil {
		return "", newErr(f, "file", RuleUnreadable, "%v", unwrapPathErr(err))
	}
	defer r.Close()
	var magic [4]byte
	n, _ := io.ReadFull(r, magic[:])
	if n == 4 && bytes.Equal(magic[:], []byte("PAR1")) {
		return FormatParquet, nil
	}
	return FormatCSV, nil
}
