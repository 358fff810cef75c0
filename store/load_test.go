package store

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestManyGoroutinesWriteOneHandle is the Slurm executor's pattern: hundreds
// of goroutines of one process storing job outcomes at once. No goroutine
// may wait for a file lock its own process holds, so none may fail.
func TestManyGoroutinesWriteOneHandle(t *testing.T) {
	db := openTest(t)
	const slots, writes = 256, 8
	jobs := testJobs(1)
	if err := db.Update(func(tx *Tx) error { return tx.CreateSweep(SweepRecord{Name: "s"}, jobs) }); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, slots*writes)
	for slot := range slots {
		wg.Go(func() {
			for i := range writes {
				err := db.Update(func(tx *Tx) error {
					rec, err := tx.Job("s", jobs[0].ID)
					if err != nil {
						return err
					}
					rec.Attempts++
					rec.LastError = fmt.Sprintf("slot %d write %d", slot, i)
					return tx.PutJob("s", rec)
				})
				if err != nil {
					errs <- err
				}
				if err := db.View(func(tx *Tx) error { _, err := tx.Jobs("s"); return err }); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a goroutine failed: %v", err)
	}
	var rec JobRecord
	db.View(func(tx *Tx) (err error) { rec, err = tx.Job("s", jobs[0].ID); return err })
	if rec.Attempts != slots*writes {
		t.Fatalf("attempts %d, want %d: an update was lost", rec.Attempts, slots*writes)
	}
	_ = time.Second
}
