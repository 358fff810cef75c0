package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
)

// TestSeriesRowsMerge: epochs of the series and of the measurements merge
// into one row an epoch, ascending; an epoch only measured has a row with
// empty train values; a series stored before steps were kept takes the
// measurement's step, or none; the IAS is Curvature.IASB.
func TestSeriesRowsMerge(t *testing.T) {
	job := store.JobRecord{Job: lssr.Job{ID: "j1", BatchSize: 16, LR: math.Nextafter(0.3, 1), Seed: 3}}
	s := store.Series{
		Epochs: []lssr.EpochStats{
			{Epoch: 1, TrainLoss: 2.5, TrainAcc: 0.25},
			{Epoch: 2, TrainLoss: 1.5, TrainAcc: 0.5, Evaluated: true, TestLoss: 1.75, TestAcc: 0.375},
			{Epoch: 4, Step: 40, TrainLoss: 1, TrainAcc: 0.625, Evaluated: true, TestLoss: 0, TestAcc: 1},
		},
		Measurements: []lssr.Measurement{
			{Epoch: 2, Step: 20, Rho: 0.125, RhoB: 0.5},
			{Epoch: 3, Step: 30, Rho: 0.0625, RhoB: 0.25, Curvature: &lssr.Curvature{IASB: 7.5, IASFull: 99}},
		},
	}
	var csvOut, jsonOut bytes.Buffer
	for _, out := range []struct {
		buf    *bytes.Buffer
		format string
	}{{&csvOut, "csv"}, {&jsonOut, "json"}} {
		w := newSeriesWriter(out.buf, out.format)
		for _, r := range seriesRows(job, s) {
			if err := w.write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.close(); err != nil {
			t.Fatal(err)
		}
	}
	wantCSV := strings.Join([]string{
		"job_id,b,lr,seed,epoch,step,train_loss,train_acc,test_loss,test_acc,rho,rho_b,ias",
		"j1,16,0.30000000000000004,3,1,,2.5,0.25,,,,,",
		"j1,16,0.30000000000000004,3,2,20,1.5,0.5,1.75,0.375,0.125,0.5,",
		"j1,16,0.30000000000000004,3,3,30,,,,,0.0625,0.25,7.5",
		"j1,16,0.30000000000000004,3,4,40,1,0.625,0,1,,,",
	}, "\n") + "\n"
	if csvOut.String() != wantCSV {
		t.Errorf("CSV:\n%s\nwant\n%s", csvOut.String(), wantCSV)
	}
	var rows []map[string]any
	if err := json.Unmarshal(jsonOut.Bytes(), &rows); err != nil {
		t.Fatalf("JSON %q: %v", jsonOut.String(), err)
	}
	if len(rows) != 4 || rows[2]["train_loss"] != nil || rows[2]["ias"] != 7.5 || rows[0]["step"] != nil || rows[3]["test_loss"] != 0.0 {
		t.Errorf("JSON rows %v", rows)
	}
	for _, r := range rows {
		if len(r) != 13 {
			t.Errorf("JSON row with %d keys, want all 13: %v", len(r), r)
		}
	}
	var empty bytes.Buffer
	if w := newSeriesWriter(&empty, "json"); w.close() != nil || empty.String() != "[]\n" {
		t.Errorf("no rows: %q, want an empty array", empty.String())
	}
}
