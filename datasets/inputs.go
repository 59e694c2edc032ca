package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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

// fingerprint returns the hex SHA-256 over the files' contents in order
// (each file's length and digest), so any changed byte changes it.
func fingerprint(files []string) (string, error) {
	all := sha256.New()
	buf := make([]byte, 1<<20)
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return "", newErr(f, "file", RuleUnreadable, "%v", unwrapPathErr(err))
		}
		h := sha256.New()
		// Reads of 1 MiB (io.Copy would read 32 KiB at a time: 3,000
		// system calls for a 100 MB file).
		n, err := io.CopyBuffer(h, struct{ io.Reader }{r}, buf)
		r.Close()
		if err != nil {
			return "", newErr(f, "file", RuleUnreadable, "%v", err)
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		all.Write(b[:])
		all.Write(h.Sum(nil))
	}
	return hex.EncodeToString(all.Sum(nil)), nil
}
