package datasets

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"sync"
	"time"
)

// fileStamp is what a load saw of an input file: size and modification
// time.
type fileStamp struct {
	size int64
	mod  time.Time
}

// lazyFingerprint is the content hash of a load's input files, computed on
// first use: a load that records no fingerprint does not read its files a
// second time.
type lazyFingerprint struct {
	once   sync.Once
	files  []string
	stamps []fileStamp // as the load saw the files
	fp     string
	err    error
}

// newLazyFingerprint notes the size and modification time of files as they
// are before the load reads them.
func newLazyFingerprint(files []string) (*lazyFingerprint, error) {
	l := &lazyFingerprint{files: files, stamps: make([]fileStamp, len(files))}
	for k, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, newErr(f, "file", RuleUnreadable, "%v", unwrapPathErr(err))
		}
		l.stamps[k] = fileStamp{st.Size(), st.ModTime()}
	}
	return l, nil
}

// fixedFingerprint is a fingerprint known in advance.
func fixedFingerprint(fp string) *lazyFingerprint {
	l := &lazyFingerprint{fp: fp}
	l.once.Do(func() {})
	return l
}

func (l *lazyFingerprint) get() (string, error) {
	l.once.Do(func() {
		if l.err = l.unchanged(); l.err != nil {
			return
		}
		if l.fp, l.err = fingerprint(l.files); l.err != nil {
			return
		}
		// A file rewritten while it was hashed.
		if l.err = l.unchanged(); l.err != nil {
			l.fp = ""
		}
	})
	return l.fp, l.err
}

// unchanged reports a file whose size or modification time differs from
// what the load saw.
func (l *lazyFingerprint) unchanged() error {
	for k, f := range l.files {
		st, err := os.Stat(f)
		if err != nil {
			return newErr(f, "file", RuleUnreadable, "%v (needed for the content fingerprint after the load)", unwrapPathErr(err))
		}
		if s := l.stamps[k]; st.Size() != s.size || !st.ModTime().Equal(s.mod) {
			return newErr(f, "file", RuleChanged, "the file changed after it was loaded, so its fingerprint would not describe the loaded data; load it again")
		}
	}
	return nil
}

// Fingerprint returns the hex SHA-256 over the input files' contents in
// Files order (each file's length and digest), so any changed byte changes
// it. It is computed on the first call (reading the files again) and then
// cached; it fails if a file can no longer be read or changed (size or
// modification time) since the load. Safe for concurrent use.
func (in *Info) Fingerprint() (string, error) {
	if in.fp == nil {
		return "", errors.New("fingerprint: this Info does not come from Load")
	}
	return in.fp.get()
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
