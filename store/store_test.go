package store

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lssr/lssr"
)

// openTest opens a fresh DB under t.TempDir and checks bbolt's consistency
// when the test ends.
func openTest(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lssr.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.View(func(tx *Tx) error {
			for err := range tx.tx.Check() {
				return err
			}
			return nil
		}); err != nil {
			t.Errorf("consistency check: %v", err)
		}
		db.Close()
	})
	return db
}

func testJobs(n int) []lssr.Job {
	var jobs []lssr.Job
	for i := range n {
		j := lssr.Job{Sweep: "s", BatchSize: 8 << i, LR: 0.1, Dataset: lssr.DatasetSpec{Name: "synthetic", N: 4096}}
		j.ID = j.ContentID()
		jobs = append(jobs, j)
	}
	return jobs
}

func TestSweepRoundTrip(t *testing.T) {
	db := openTest(t)
	jobs := testJobs(5)
	rec := SweepRecord{Name: "s", Source: []byte("name: s\n"), Workers: 2, Created: time.Unix(1, 0).UTC(), Jobs: 5}
	if err := db.Update(func(tx *Tx) error { return tx.CreateSweep(rec, jobs) }); err != nil {
		t.Fatal(err)
	}
	err := db.Update(func(tx *Tx) error { return tx.CreateSweep(rec, jobs) })
	if !errors.Is(err, ErrSweepExists) {
		t.Fatalf("second create: %v, want ErrSweepExists", err)
	}
	res := &lssr.Result{TestAcc: 0.875, TrainLoss: 0.25, Rho: 0.01, RhoB: 0.3, Epochs: 3, Steps: 99}
	series := Series{
		Epochs:       []lssr.EpochStats{{Epoch: 1, TrainLoss: 1.5, TrainAcc: 0.5}},
		Measurements: []lssr.Measurement{{Epoch: 1, Rho: 0.02, RhoB: 0.4}},
	}
	err = db.Update(func(tx *Tx) error {
		j, err := tx.Job("s", jobs[2].ID)
		if err != nil {
			return err
		}
		j.State, j.Attempts, j.Result, j.LastError = lssr.StateDone, 2, res, "boom"
		if err := tx.PutJob("s", j); err != nil {
			return err
		}
		return tx.PutSeries("s", jobs[2].ID, series)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *Tx) error {
		got, err := tx.Sweep("s")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("sweep = %+v, want %+v", got, rec)
		}
		all, err := tx.Jobs("s")
		if err != nil {
			return err
		}
		for i, j := range all {
			if j.Job.ID != jobs[i].ID || j.Index != i {
				t.Errorf("job %d: id %s index %d, want %s %d", i, j.Job.ID, j.Index, jobs[i].ID, i)
			}
		}
		if all[2].State != lssr.StateDone || all[2].Attempts != 2 || !reflect.DeepEqual(all[2].Result, res) || all[2].LastError != "boom" {
			t.Errorf("job 2 = %+v", all[2])
		}
		if all[0].State != lssr.StatePending || all[0].Result != nil {
			t.Errorf("job 0 = %+v, want pending without result", all[0])
		}
		s, err := tx.Series("s", jobs[2].ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(s, series) {
			t.Errorf("series = %+v, want %+v", s, series)
		}
		empty, err := tx.Series("s", jobs[0].ID)
		if err != nil || len(empty.Epochs) != 0 {
			t.Errorf("series of a job without one = %+v, %v", empty, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAddJobsKeepsExistingAndAppends(t *testing.T) {
	db := openTest(t)
	jobs := testJobs(4)
	if err := db.Update(func(tx *Tx) error { return tx.CreateSweep(SweepRecord{Name: "s"}, jobs[:2]) }); err != nil {
		t.Fatal(err)
	}
	var added int
	if err := db.Update(func(tx *Tx) (err error) { added, err = tx.AddJobs("s", jobs); return err }); err != nil {
		t.Fatal(err)
	}
	if added != 2 {
		t.Fatalf("added %d, want 2", added)
	}
	db.View(func(tx *Tx) error {
		all, _ := tx.Jobs("s")
		if len(all) != 4 || all[3].Job.ID != jobs[3].ID || all[3].Index != 3 {
			t.Errorf("jobs after add: %+v", all)
		}
		return nil
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.db")
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("read-only open of a missing file: %v, want ErrNoDatabase", err)
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
	if time.Since(start) > time.Minute { // a guard: it must not wait for the holder
		t.Fatal("second writer waited far past its timeout")
	}
	db.Update(func(tx *Tx) error { return tx.tx.Bucket(bucketMeta).Put(keySchema, []byte("99")) })
	db.Close()
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrSchema) {
		t.Fatalf("read-only open of a newer schema: %v, want ErrSchema", err)
	}
	if _, err := Open(path, Options{}); !errors.Is(err, ErrSchema) {
		t.Fatalf("open of a newer schema: %v, want ErrSchema", err)
	}
	for _, ro := range []bool{true, false} {
		if _, err := Open(dir, Options{ReadOnly: ro}); !errors.Is(err, lssr.ErrBadInput) {
			t.Errorf("open of a folder (read-only %v): %v, want bad input", ro, err)
		}
	}
}

func TestMissingSweepAndJob(t *testing.T) {
	db := openTest(t)
	db.View(func(tx *Tx) error {
		if _, err := tx.Sweep("nope"); !errors.Is(err, ErrSweepNotFound) {
			t.Errorf("Sweep: %v", err)
		}
		if _, err := tx.Jobs("nope"); !errors.Is(err, ErrSweepNotFound) {
			t.Errorf("Jobs: %v", err)
		}
		return nil
	})
	db.Update(func(tx *Tx) error { return tx.CreateSweep(SweepRecord{Name: "s"}, nil) })
	err := db.Update(func(tx *Tx) error { return tx.PutJob("s", JobRecord{Job: lssr.Job{ID: "abc"}}) })
	if !errors.Is(err, ErrJobNotFound) {
		t.Errorf("PutJob of an unknown job: %v", err)
	}
}

func TestReaderWhileWriterHoldsLock(t *testing.T) {
	db := openTest(t)
	if err := db.Update(func(tx *Tx) error { return tx.CreateSweep(SweepRecord{Name: "s"}, testJobs(2)) }); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(db.Path(), Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("read-only open while a writer holds the file: %v", err)
	}
	defer ro.Close()
	if err := ro.View(func(tx *Tx) error { _, err := tx.Jobs("s"); return err }); err != nil {
		t.Fatal(err)
	}
	if err := ro.Update(func(*Tx) error { return nil }); err == nil {
		t.Fatal("update through a read-only handle succeeded")
	}
}
