package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr"
)

// fillSweep stores a sweep of n jobs with a series each, weights and a
// checkpoint for the first, and a retired record for the second.
func fillSweep(t *testing.T, db *DB, name string, n int) []lssr.Job {
	t.Helper()
	jobs := testJobs(0)
	for i := range n {
		j := lssr.Job{Sweep: name, BatchSize: 1 + i, LR: 0.5, Dataset: lssr.DatasetSpec{Name: "synthetic", N: 1 << 20}}
		j.ID = j.ContentID()
		jobs = append(jobs, j)
	}
	err := db.Update(func(tx *Tx) error {
		if err := tx.CreateSweep(SweepRecord{Name: name, Path: name + ".yaml"}, jobs); err != nil {
			return err
		}
		for i, j := range jobs {
			rec, _ := tx.Job(name, j.ID)
			rec.State, rec.Attempts = lssr.StateDone, 1+i%3
			rec.Result = &lssr.Result{TestAcc: float64(i) / float64(n), Epochs: 3}
			if err := tx.PutJob(name, rec); err != nil {
				return err
			}
			s := Series{Epochs: []lssr.EpochStats{{Epoch: 1, TrainLoss: float64(i)}, {Epoch: 2}}}
			if err := tx.PutSeries(name, j.ID, s); err != nil {
				return err
			}
		}
		if err := tx.PutWeights(name, jobs[0].ID, bytes.Repeat([]byte{7}, 3<<20)); err != nil {
			return err
		}
		if err := tx.PutCheckpoint(name, jobs[0].ID, []byte("ckpt")); err != nil {
			return err
		}
		rec, _ := tx.Job(name, jobs[1].ID)
		rec.State = lssr.StateFailed
		if err := tx.PutJob(name, rec); err != nil {
			return err
		}
		_, err := tx.Retry(name, time.Unix(1, 0), lssr.StateFailed)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// everything reads all a sweep holds through every read method.
type everything struct {
	Sweeps   []SweepRecord
	Jobs     []JobRecord
	Series   []Series
	Weights  []byte
	Ckpt     []byte
	NoCkpt   []byte
	Retired  Retired
	Missing  []string
	Attempts int
}

func readEverything(t *testing.T, db *DB, name string, jobs []lssr.Job) everything {
	t.Helper()
	var e everything
	err := db.View(func(tx *Tx) (err error) {
		if e.Sweeps, err = tx.Sweeps(); err != nil {
			return err
		}
		if e.Jobs, err = tx.Jobs(name); err != nil {
			return err
		}
		for _, j := range jobs {
			s, err := tx.Series(name, j.ID)
			if err != nil {
				return err
			}
			e.Series = append(e.Series, s)
		}
		if e.Weights, err = tx.Weights(name, jobs[0].ID); err != nil {
			return err
		}
		if e.Ckpt, err = tx.Checkpoint(name, jobs[0].ID); err != nil {
			return err
		}
		if e.NoCkpt, err = tx.Checkpoint(name, jobs[2].ID); err != nil {
			return err
		}
		var ok bool
		if e.Retired, ok, err = tx.Retired(name, jobs[1].ID); err != nil || !ok {
			return fmt.Errorf("retired: %v %v", ok, err)
		}
		_, err1 := tx.Sweep("nope")
		_, err2 := tx.Jobs("nope")
		_, err3 := tx.Job(name, "nope")
		_, err4 := tx.Weights(name, jobs[2].ID)
		_, err5 := tx.Series("nope", "x")
		for _, err := range []error{err1, err2, err3, err4, err5} {
			e.Missing = append(e.Missing, fmt.Sprint(errors.Is(err, ErrSweepNotFound), errors.Is(err, ErrJobNotFound), errors.Is(err, ErrNoWeights)))
		}
		return tx.PutSweep(SweepRecord{Name: name})
	})
	if !errors.Is(err, errReadOnly) && !strings.Contains(fmt.Sprint(err), "read-only") && !strings.Contains(fmt.Sprint(err), "not writable") {
		t.Fatalf("View: %v, want the refused write at its end", err)
	}
	return e
}

// TestReadServiceAnswersAsTheFile: a reader in another process while a
// writer holds the file reads, through the writer's read service, exactly
// what the writer's own transactions read: every read method, errors for
// missing things, large blobs, and buckets larger than one page.
func TestReadServiceAnswersAsTheFile(t *testing.T) {
	db := openTest(t)
	jobs := fillSweep(t, db, "s", 6000) // a few pages of job records
	local := readEverything(t, db, "s", jobs)
	ro, err := Open(db.Path(), Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.viewDirect(func(*Tx) error { return nil }); !errors.Is(err, errBusy) {
		t.Fatalf("direct read while the writer holds the file: %v, want errBusy (the test must take the remote path)", err)
	}
	remote := readEverything(t, ro, "s", jobs)
	if !reflect.DeepEqual(local, remote) {
		t.Fatalf("remote read differs from the writer's own:\n%+v\n%+v", remote.Missing, local.Missing)
	}
	if len(remote.Jobs) != 6000 || len(remote.Weights) != 3<<20 {
		t.Fatalf("read %d jobs and %d weight bytes", len(remote.Jobs), len(remote.Weights))
	}
	// And after the writer closes, directly from the file.
	db.Close()
	direct := readEverything(t, ro, "s", jobs)
	if !reflect.DeepEqual(local, direct) {
		t.Fatal("direct read differs from the writer's own")
	}
}

// The reader processes of the tests below are this test binary run again
// with STORE_TEST_READER set to what to do.
func TestMain(m *testing.M) {
	switch mode := os.Getenv("STORE_TEST_READER"); mode {
	case "":
		os.Exit(m.Run())
	default:
		os.Exit(readerProcess(mode, os.Getenv("STORE_TEST_DB")))
	}
}

// readerProcess is a reader in a process of its own. "poll" reads the
// sweep's jobs in a loop until stdin closes, saying "polling" after its
// first read, and prints its error count;
// "hold" prints "holding" from inside a View and then waits there for ever.
func readerProcess(mode, path string) int {
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	defer db.Close()
	switch mode {
	case "hold":
		db.View(func(tx *Tx) error {
			tx.Jobs("s")
			fmt.Println("holding")
			select {}
		})
	case "poll":
		stop := make(chan struct{})
		go func() { bufio.NewReader(os.Stdin).ReadString('\n'); close(stop) }()
		reads, failures := 0, 0
		var last error
		for {
			select {
			case <-stop:
				fmt.Printf("reads %d errors %d %v\n", reads, failures, last)
				return 0
			default:
			}
			if err := db.View(func(tx *Tx) error { _, err := tx.Jobs("s"); return err }); err != nil {
				failures, last = failures+1, err
			}
			if reads++; reads == 1 {
				fmt.Println("polling")
			}
		}
	}
	return 2
}

func startReader(t *testing.T, mode, path string) (*exec.Cmd, *bufio.Reader, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STORE_TEST_READER="+mode, "STORE_TEST_DB="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(stdout), func() { stdin.Close() }
}

// TestStoppedReaderNeverBlocksTheWriter: a reader stopped (SIGSTOP, as
// Ctrl-Z) in the middle of a View holds nothing the writer needs, even
// while the writer's commits grow the file and bbolt remaps it.
func TestStoppedReaderNeverBlocksTheWriter(t *testing.T) {
	db := openTest(t)
	jobs := fillSweep(t, db, "s", 10)
	cmd, out, _ := startReader(t, "hold", db.Path())
	if line, _ := out.ReadString('\n'); line != "holding\n" {
		t.Fatalf("reader said %q", line)
	}
	cmd.Process.Signal(syscall.SIGSTOP)
	defer cmd.Process.Signal(syscall.SIGCONT)
	big := bytes.Repeat([]byte{1}, 8<<20)
	done := make(chan error, 1)
	go func() {
		for range 8 { // 64 MB: several remaps
			if err := db.Update(func(tx *Tx) error { return tx.PutCheckpoint("s", jobs[2].ID, bytes.Clone(big)) }); err != nil {
				done <- err
				return
			}
			big[0]++
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute): // a failure guard: the writes take well under a second
		t.Fatal("the writer is blocked by a stopped reader")
	}
}

// TestStoppedDirectReaderNamedToTheWriter: a reader stopped while it reads
// the file directly (no writer was running) holds bbolt's shared lock; a
// writer that starts then fails after OpenWait, naming it, and writes
// nothing.
func TestStoppedDirectReaderNamedToTheWriter(t *testing.T) {
	db := openTest(t)
	fillSweep(t, db, "s", 3)
	db.Close()
	cmd, out, _ := startReader(t, "hold", db.Path())
	if line, _ := out.ReadString('\n'); line != "holding\n" {
		t.Fatalf("reader said %q", line)
	}
	cmd.Process.Signal(syscall.SIGSTOP)
	defer cmd.Process.Signal(syscall.SIGCONT)
	_, err := Open(db.Path(), Options{OpenWait: 300 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", cmd.Process.Pid)) {
		t.Fatalf("writer beside a stopped direct reader: %v, want ErrLocked naming pid %d", err, cmd.Process.Pid)
	}
	if h := LockHolder(db.Path()); h != (Holder{}) {
		t.Fatalf("the failed writer left the lock held: %+v", h)
	}
}

// TestReadersPollingNeverFailTheWriter: reader processes read in a loop
// (as fast as they can) while 128 goroutines of the writer store outcomes; no read and no write
// fails, across the writer's start and stop.
func TestReadersPollingNeverFailTheWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lssr.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	jobs := fillSweep(t, db, "s", 200)
	db.Close()
	type reader struct {
		out  *bufio.Reader
		stop func()
	}
	var readers []reader
	for range 2 {
		_, out, stop := startReader(t, "poll", path)
		if line, _ := out.ReadString('\n'); line != "polling\n" {
			t.Fatalf("reader said %q", line)
		}
		readers = append(readers, reader{out, stop})
	}
	for round := range 3 { // writers come and go while the readers poll
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed []error
		for slot := range 128 {
			wg.Go(func() {
				id := jobs[slot%len(jobs)].ID
				for range 2 {
					err := db.Update(func(tx *Tx) error {
						rec, err := tx.Job("s", id)
						if err != nil {
							return err
						}
						rec.Attempts++
						return tx.PutJob("s", rec)
					})
					if err != nil {
						mu.Lock()
						failed = append(failed, err)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		db.Close()
		if len(failed) > 0 {
			t.Fatalf("round %d: %d writes failed, the first: %v", round, len(failed), failed[0])
		}
	}
	for i, r := range readers {
		r.stop()
		line, _ := r.out.ReadString('\n')
		var reads, errs int
		fmt.Sscanf(line, "reads %d errors %d", &reads, &errs)
		t.Logf("reader %d: %s", i, strings.TrimSpace(line))
		if errs != 0 || reads == 0 {
			t.Errorf("reader %d: %s", i, line)
		}
	}
}
