package oneroster

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Source is a OneRoster set on disk: a folder, or a .zip file. Its files
// are found by name, case-insensitively, in the folder that holds
// manifest.csv (the top, or a single folder inside it, as some SIS exports
// nest them).
type Source struct {
	name  string // what problems call the set: the path's base name
	fsys  fs.FS
	dir   string            // the folder of manifest.csv inside fsys ("." at the top)
	files map[string]string // lower-case base name → path inside fsys
	zip   *zip.ReadCloser
}

// Open opens the set at path: a folder or a .zip file. A path that doesn't
// exist, a zip that is cut short or damaged, and a set without
// manifest.csv are a *Problem, with what to do about it.
func Open(p string) (*Source, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, &Problem{File: p, Message: "no such file or folder: give the folder or .zip the SIS exported"}
	}
	s := &Source{name: filepath.Base(p)}
	if info.IsDir() {
		s.fsys = os.DirFS(p)
	} else {
		z, err := zip.OpenReader(p)
		if err != nil {
			return nil, &Problem{File: s.name, Message: "not a complete zip file (it may have been cut short while downloading): export or download it again"}
		}
		s.zip, s.fsys = z, z
	}
	if err := s.index(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// index finds manifest.csv and lists the files beside it.
func (s *Source) index() error {
	for _, dir := range s.candidateDirs() {
		entries, err := fs.ReadDir(s.fsys, dir)
		if err != nil {
			continue
		}
		files := map[string]string{}
		for _, e := range entries {
			if !e.IsDir() {
				files[strings.ToLower(e.Name())] = path.Join(dir, e.Name())
			}
		}
		if _, ok := files["manifest.csv"]; ok {
			s.dir, s.files = dir, files
			return nil
		}
	}
	return &Problem{File: s.name, Message: "no manifest.csv in it: is this the OneRoster CSV export (a folder or .zip with manifest.csv, users.csv, classes.csv …)?"}
}

// candidateDirs are the folders manifest.csv may be in: the top, then a
// folder that is alone at the top.
func (s *Source) candidateDirs() []string {
	dirs := []string{"."}
	entries, err := fs.ReadDir(s.fsys, ".")
	if err != nil {
		return dirs
	}
	var sub []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && e.Name() != "__MACOSX" {
			sub = append(sub, e.Name())
		}
	}
	if len(sub) == 1 {
		dirs = append(dirs, sub[0])
	}
	return dirs
}

// Name is the set's name in problems: the base name of its path.
func (s *Source) Name() string { return s.name }

// Has reports whether the set holds the file name ("users.csv").
func (s *Source) Has(name string) bool {
	_, ok := s.files[strings.ToLower(name)]
	return ok
}

// open opens the file name ("users.csv") of the set.
func (s *Source) open(name string) (io.ReadCloser, error) {
	p, ok := s.files[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
	}
	f, err := s.fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return f, nil
}

// Close releases the zip file, if the set is one.
func (s *Source) Close() error {
	if s.zip != nil {
		err := s.zip.Close()
		s.zip = nil
		return err
	}
	return nil
}

// readFailure says what a read error means for a file of the set.
func readFailure(err error) string {
	switch {
	case errors.Is(err, errLineTooLong):
		return "a line or record is far longer than any roster's: is this a OneRoster CSV file?"
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, zip.ErrFormat):
		return "the zip is damaged or cut short here: export or download it again"
	}
	return "can't be read: " + err.Error()
}
