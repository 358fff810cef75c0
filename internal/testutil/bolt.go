package testutil

import (
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BoltLayout is where a bbolt database file's data lies. A file ends in
// unused space, and garbage there or on a free page harms nothing, so a
// test that damages a file aims at Used and MidPage.
type BoltLayout struct {
	Used     int64 // bytes up to the high-water mark
	PageSize int64
	MidPage  int64 // offset of a page in use (a leaf or branch): the first from the middle of Used on, else the last before it
}

// ReadBoltLayout opens the bbolt file at path read-only and returns its
// layout, failing the test if it cannot or if no leaf or branch page is in
// use.
func ReadBoltLayout(t testing.TB, path string) BoltLayout {
	t.Helper()
	b, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var l BoltLayout
	err = b.View(func(tx *bolt.Tx) error {
		l.Used, l.PageSize = tx.Size(), int64(b.Info().PageSize)
		// Which pages are in use depends on how the commits fell: look
		// from the middle up, then from the middle down.
		pages := int(l.Used / l.PageSize)
		for i := range pages {
			id := pages/2 + i
			if id >= pages {
				id = pages - 1 - i
			}
			if info, err := tx.Page(id); err == nil && info != nil && (info.Type == "leaf" || info.Type == "branch") {
				l.MidPage = int64(id) * l.PageSize
				return nil
			}
		}
		return fmt.Errorf("no leaf or branch page in use")
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}
