package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFingerprint checks the content hash against its definition (SHA-256
// over each file's length and digest, in order), that it is cached, and
// that a file changed after the load is reported rather than hashed.
func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte("date,symbol,close\n2024-01-02,X,10\n"), 0o644)
	os.WriteFile(b, []byte("date,symbol,close\n2024-01-03,X,11\n"), 0o644)
	want := sha256.New()
	for _, f := range []string{a, b} {
		c, _ := os.ReadFile(f)
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(c)))
		h := sha256.Sum256(c)
		want.Write(n[:])
		want.Write(h[:])
	}
	ctx := context.Background()
	_, info, err := Load(ctx, LoadOptions{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	fp, err := info.Fingerprint()
	if err != nil || fp != hex.EncodeToString(want.Sum(nil)) {
		t.Fatalf("fingerprint %s (%v), want %x", fp, err, want.Sum(nil))
	}
	if !strings.Contains(info.Source(), "sha256 "+fp[:12]) {
		t.Errorf("source %q lacks the fingerprint", info.Source())
	}
	// Computed during the load: the same value.
	_, info2, err := Load(ctx, LoadOptions{Paths: []string{dir}, Fingerprint: true})
	if err != nil {
		t.Fatal(err)
	}
	if fp2, err := info2.Fingerprint(); err != nil || fp2 != fp {
		t.Errorf("fingerprint computed during the load %s (%v), want %s", fp2, err, fp)
	}
	// Cached: a later change does not alter a computed fingerprint.
	os.WriteFile(b, []byte("date,symbol,close\n2024-01-03,X,12\n"), 0o644)
	if again, err := info.Fingerprint(); err != nil || again != fp {
		t.Errorf("second call %s (%v), want the cached %s", again, err, fp)
	}

	// Changed between the load and the first call: an error naming the file.
	_, info, err = Load(ctx, LoadOptions{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(a, []byte("date,symbol,close\n2024-01-02,X,10.5\n"), 0o644)
	later := time.Now().Add(time.Minute)
	os.Chtimes(a, later, later)
	_, err = info.Fingerprint()
	var e *Error
	if !errors.As(err, &e) || e.Rule != RuleChanged || !strings.HasSuffix(e.File, "a.csv") {
		t.Errorf("changed file: got %v, want a %q error for a.csv", err, RuleChanged)
	}
	if !strings.Contains(info.Source(), "sha256 unavailable") {
		t.Errorf("source %q", info.Source())
	}
	if _, err := (&Info{}).Fingerprint(); err == nil {
		t.Error("an Info not from Load has no fingerprint")
	}
}
