package oneroster_test

import (
	"archive/zip"
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeZip writes files into a zip at path, under folder ("" for the top).
func writeZip(t *testing.T, path, folder string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(filepath.Join(folder, name)), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReadZip: a .zip reads like a folder, with its files at the top or in
// one folder inside (as some SIS exports nest them).
func TestReadZip(t *testing.T) {
	for _, folder := range []string{"", "oneroster-export"} {
		path := filepath.Join(t.TempDir(), "roster.zip")
		writeZip(t, path, folder, small())
		set, ps := read(t, path)
		if len(ps) > 0 || len(set.Users) != 2 {
			t.Errorf("folder %q: problems %q, %d users", folder, ps, len(set.Users))
		}
	}
}

// TestTruncatedZip: a zip cut short while downloading is refused with what
// to do, not read in part.
func TestTruncatedZip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.zip")
	writeZip(t, path, "", small())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []int{len(data) - 10, len(data) / 2, 30} {
		if err := os.WriteFile(path, data[:keep], 0o600); err != nil {
			t.Fatal(err)
		}
		_, ps := read(t, path)
		want := "roster.zip: not a complete zip file (it may have been cut short while downloading): export or download it again"
		if len(ps) != 1 || ps[0] != want {
			t.Errorf("cut at %d of %d bytes: problems %q, want %q", keep, len(data), ps, want)
		}
	}
}

// TestDamagedZipEntry: a zip whose directory is whole but whose data is
// damaged is refused at the file that can't be read.
func TestDamagedZipEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.zip")
	files := small()
	files["users.csv"] += strings.Repeat("u-x,,,true,sch-1,student,x,,X,Y,,,,,,,,\n", 1)
	writeZip(t, path, "", files)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("u-x,,,true"))
	if i < 0 {
		t.Skip("the zip compressed the rows; can't find them to damage")
	}
	data[i] = 'X'
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, ps := read(t, path)
	if !slicesContains(ps, "the zip is damaged or cut short here: export or download it again") {
		t.Errorf("problems = %q", ps)
	}
}

func slicesContains(ps []string, part string) bool {
	for _, p := range ps {
		if strings.Contains(p, part) {
			return true
		}
	}
	return false
}

// garbageSize is the size of the garbage files: 200 MB.
const garbageSize = 200 << 20

// writeGarbage writes size bytes into path: prefix, then chunk again and
// again.
func writeGarbage(t *testing.T, path, prefix string, chunk []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(prefix); err != nil {
		t.Fatal(err)
	}
	for n := len(prefix); n < garbageSize; n += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGarbage200MB: a 200 MB file of garbage where users.csv should be is
// refused quickly and in bounded memory, whatever the garbage: random
// bytes, one endless line, or endless rows under a good header.
func TestGarbage200MB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MB files")
	}
	random := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	tests := []struct {
		name, prefix string
		chunk        []byte
		want         string
	}{
		{"random bytes", "", random, `users.csv:1: `},
		{"one endless line", "", bytes.Repeat([]byte("a"), 1<<20), "users.csv:1: a line or record is far longer than any roster's: is this a OneRoster CSV file?"},
		{"an endless quoted field", users11Header + "\"", bytes.Repeat([]byte("ab\n"), 1<<18), "a line or record is far longer than any roster's"},
		{"endless bad rows", users11Header, bytes.Repeat([]byte("x,y,z\n"), 1<<17), "users.csv: stopped reading after 50 problems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := small()
			delete(files, "users.csv")
			dir := writeSet(t, files)
			writeGarbage(t, filepath.Join(dir, "users.csv"), tt.prefix, tt.chunk)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, ps := read(t, dir)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if !slicesContains(ps, tt.want) {
				t.Errorf("problems = %q\nwant one with %q", ps, tt.want)
			}
			if took > 5*time.Second {
				t.Errorf("refusing it took %v: want it refused quickly", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("reading it allocated %d MB in all: want memory bounded well below the file's 200 MB", alloc>>20)
			}
			t.Logf("refused in %v, %d KB allocated: %q", took, (after.TotalAlloc-before.TotalAlloc)>>10, ps[0])
		})
	}
}
