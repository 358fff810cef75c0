package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/lssr/lssr"
)

// TestStatus: a record's status carries what an observer needs and leaves
// the bookkeeping (index, failures, times) in the store.
func TestStatus(t *testing.T) {
	res := &lssr.Result{TestAcc: 0.5, Epochs: 3}
	rec := JobRecord{Job: testJobs(1)[0], Index: 7, State: lssr.StatePending, Attempts: 2, Failures: 1,
		Interruptions: 1, LastError: "boom", Worker: "pid 42", StartedAt: time.Unix(1, 0), FinishedAt: time.Unix(2, 0),
		CheckpointEpoch: 4, CheckpointAt: time.Unix(3, 0), Result: res}
	want := lssr.JobStatus{Job: rec.Job, State: lssr.StatePending, Attempt: 2, Worker: "pid 42", Error: "boom",
		CheckpointEpoch: 4, Result: res}
	got := rec.Status()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// Every field of JobStatus is filled from the record: a field added to
	// it and not to Status shows here as zero.
	v := reflect.ValueOf(got)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("Status leaves JobStatus.%s zero", v.Type().Field(i).Name)
		}
	}
}
