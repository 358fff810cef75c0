package store

import (
	"bytes"
	"errors"
	"testing"
)

func TestWeightsRoundTripAndOverwrite(t *testing.T) {
	db := openTest(t)
	jobs := testJobs(3)
	if err := db.Update(func(tx *Tx) error { return tx.CreateSweep(SweepRecord{Name: "s"}, jobs) }); err != nil {
		t.Fatal(err)
	}
	first, second := bytes.Repeat([]byte{1, 2, 3}, 1<<20), []byte("second attempt")
	if err := db.Update(func(tx *Tx) error { return tx.PutWeights("s", jobs[1].ID, first) }); err != nil {
		t.Fatal(err)
	}
	var got []byte
	read := func(id string) error {
		return db.View(func(tx *Tx) (err error) { got, err = tx.Weights("s", id); return err })
	}
	if err := read(jobs[1].ID); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("weights: %d bytes, %v; want the %d stored", len(got), err, len(first))
	}
	// The copy outlives the transaction: reading another value must not
	// change it.
	if err := db.Update(func(tx *Tx) error { return tx.PutWeights("s", jobs[1].ID, second) }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, first) {
		t.Fatal("weights read earlier changed after the transaction")
	}
	if err := read(jobs[1].ID); err != nil || !bytes.Equal(got, second) {
		t.Fatalf("after the overwrite: %q, %v; want %q", got, err, second)
	}
	// The job record stays small: the weights are not in it.
	db.View(func(tx *Tx) error {
		raw := tx.tx.Bucket(bucketSweeps).Bucket([]byte("s")).Bucket(bucketJobs).Get([]byte(jobs[1].ID))
		if bytes.Contains(raw, second) || len(raw) > 1024 {
			t.Errorf("job record holds the weights: %d bytes", len(raw))
		}
		return nil
	})

	if err := read(jobs[0].ID); !errors.Is(err, ErrNoWeights) {
		t.Errorf("job without weights: %v, want ErrNoWeights", err)
	}
	if err := db.Update(func(tx *Tx) error { return tx.DeleteWeights("s", jobs[1].ID) }); err != nil {
		t.Fatal(err)
	}
	if err := read(jobs[1].ID); !errors.Is(err, ErrNoWeights) {
		t.Errorf("after DeleteWeights: %v, want ErrNoWeights", err)
	}
	if err := db.Update(func(tx *Tx) error { return tx.DeleteWeights("s", jobs[2].ID) }); err != nil {
		t.Errorf("DeleteWeights of a job without weights: %v", err)
	}
}

func TestWeightsErrors(t *testing.T) {
	db := openTest(t)
	if err := db.Update(func(tx *Tx) error { return tx.CreateSweep(SweepRecord{Name: "s"}, testJobs(1)) }); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		if _, err := tx.Weights("nope", "abc"); !errors.Is(err, ErrSweepNotFound) {
			t.Errorf("unknown sweep: %v", err)
		}
		if _, err := tx.Weights("s", "abc"); !errors.Is(err, ErrJobNotFound) {
			t.Errorf("unknown job: %v", err)
		}
		return nil
	})
	err := db.Update(func(tx *Tx) error { return tx.PutWeights("s", "abc", []byte("w")) })
	if !errors.Is(err, ErrJobNotFound) {
		t.Errorf("PutWeights of an unknown job: %v", err)
	}
}
