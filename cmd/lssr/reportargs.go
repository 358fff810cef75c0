package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/store"
)

// reportSource is one sweep argument of lssr report: the database it is
// read from, the sweep's name in it, and the label its report goes by (its
// subfolder of --out, its panel's title and the default --out).
type reportSource struct {
	db, name, label string
	qualified       bool // given as PATH:NAME rather than NAME with --db
}

// parseReportSources reads report's arguments. NAME reads sweep NAME from
// defaultDB (--db); PATH:NAME reads it from the database file PATH. A
// sweep's name never holds a ':' (package sweeps allows letters, digits,
// '.', '_' and '-'), so an argument is split at its last ':' and PATH may
// hold ':' itself.
//
// A sweep's label is its name, unless sweeps of that name come from more
// than one database: then each is labelled with its database's file name,
// less the extension, and the sweep's name, "a-quickstart" for
// a.db:quickstart, so that their subfolders and panel titles differ. Labels
// that still collide (two files a.db in different folders) are bad input.
func parseReportSources(args []string, defaultDB string) ([]reportSource, error) {
	srcs := make([]reportSource, len(args))
	for i, arg := range args {
		src := reportSource{db: defaultDB, name: arg}
		if k := strings.LastIndexByte(arg, ':'); k >= 0 {
			src = reportSource{db: arg[:k], name: arg[k+1:], qualified: true}
			if src.db == "" || src.name == "" {
				return nil, lssr.BadInput("%q: want NAME or PATH:NAME (a database file and a sweep in it)", arg)
			}
		}
		srcs[i] = src
	}
	dbsOf := map[string]map[string]bool{} // name → databases it is read from
	for _, s := range srcs {
		if dbsOf[s.name] == nil {
			dbsOf[s.name] = map[string]bool{}
		}
		dbsOf[s.name][sameFile(s.db)] = true
	}
	byLabel := map[string]reportSource{}
	for i := range srcs {
		s := &srcs[i]
		s.label = s.name
		if len(dbsOf[s.name]) > 1 {
			s.label = dbStem(s.db) + "-" + s.name
		}
		if o, ok := byLabel[s.label]; ok {
			if sameFile(o.db) == sameFile(s.db) && o.name == s.name {
				return nil, lssr.BadInput("%s is given twice: each sweep gets one report", s.arg())
			}
			return nil, lssr.BadInput("%s and %s would both be labelled %s in --out and panels.png; give one of the databases another file name",
				o.arg(), s.arg(), s.label)
		}
		byLabel[s.label] = *s
	}
	return srcs, nil
}

// arg spells the source as the user gave it.
func (s reportSource) arg() string {
	if s.qualified {
		return s.db + ":" + s.name
	}
	return s.name + " (--db " + s.db + ")"
}

// load reads the source's sweep as sweepdata.Load does; a sweep missing
// from a database named in the argument is reported with that database's
// path.
func (s reportSource) load(all bool) (sweepdata.Loaded, error) {
	l, err := sweepdata.Load(s.db, s.name, all, "a report")
	if err != nil && s.qualified && errors.Is(err, store.ErrSweepNotFound) {
		return l, fmt.Errorf("%w: %s in %s", store.ErrSweepNotFound, s.name, s.db)
	}
	l.Name = s.label
	return l, err
}

// sameFile is a database path in a form two spellings of one file share.
func sameFile(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// dbStem is a database file's name without its folder and extension.
func dbStem(path string) string {
	base := filepath.Base(path)
	if stem := strings.TrimSuffix(base, filepath.Ext(base)); stem != "" {
		return stem
	}
	return base
}
