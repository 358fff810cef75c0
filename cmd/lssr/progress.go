package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/text"
	"github.com/lssr/lssr/orchestrator"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// observer shows a running sweep: progress bars on a terminal, one plain
// line per ended attempt and per stored checkpoint otherwise (logs, CI,
// pipes).
type observer interface {
	orchestrator.Observer
	// Close stops drawing; call it after the run returns.
	Close()
}

func newObserver(sweep string, workers int, plain bool) observer {
	if plain || !term.IsTerminal(int(os.Stdout.Fd())) {
		return &lineObserver{w: os.Stdout, sweep: sweep}
	}
	return newBarObserver(sweep, workers)
}

// jobLabel names a job in progress output.
func jobLabel(j lssr.Job) string {
	return fmt.Sprintf("b=%-5d η=%-8s seed=%d", j.BatchSize, formatLR(j.LR), j.Seed)
}

// outcome is the one-line result of an ended attempt.
func outcome(st lssr.JobStatus) string {
	switch {
	case st.State == lssr.StateDiverged:
		return fmt.Sprintf("diverged after %d epochs", st.Result.Epochs)
	case st.State == lssr.StateStopped && st.Result != nil:
		// "stopped early: training loss 2.31 not below its initial 2.30
		// after epoch 3 of 10 (stop_early 0.25)"
		return truncate(text.OneLine(st.Result.Stopped), 160)
	case st.State == lssr.StatePending && st.CheckpointEpoch > 0:
		return fmt.Sprintf("attempt %d: %s; will resume from the checkpoint of epoch %d", st.Attempt, truncate(text.OneLine(st.Error), 120), st.CheckpointEpoch)
	case st.Result != nil:
		r := st.Result
		line := fmt.Sprintf("test_acc=%.4f train_loss=%.4f ρ=%.3g ρ_b=%.3g %.1fs", r.TestAcc, r.TrainLoss, r.Rho, r.RhoB, r.Seconds)
		if r.ResumedFrom > 0 {
			line += fmt.Sprintf(" (resumed from the checkpoint of epoch %d)", r.ResumedFrom)
		}
		return line
	default:
		return fmt.Sprintf("attempt %d: %s", st.Attempt, truncate(text.OneLine(st.Error), 120))
	}
}

// lineObserver prints one line per ended attempt and one per stored
// checkpoint. Both start with "[FINISHED/TOTAL] WHAT"; a checkpoint's line
// reads "[3/6] ckpt     b=8 η=0.05 seed=0  epoch 12 of job ID  (pid 4242)",
// naming the job and the worker that runs it, so logs (and the fault tests)
// can tell where a resume would continue and which process to look at.
type lineObserver struct {
	w     io.Writer
	sweep string

	mu       sync.Mutex
	total    int
	finished int
}

func (o *lineObserver) Begin(total, finished int) {
	o.total, o.finished = total, finished
	fmt.Fprintf(o.w, "sweep %s: %d jobs, %d already finished\n", o.sweep, total, finished)
}

func (o *lineObserver) JobStarted(int, lssr.JobStatus)           {}
func (o *lineObserver) JobProgress(int, lssr.Job, lssr.Progress) {}

func (o *lineObserver) JobEnded(slot int, st lssr.JobStatus) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if st.State.Finished() {
		o.finished++
	}
	fmt.Fprintf(o.w, "[%*d/%d] %-8s %s  %s  (%s)\n", len(fmt.Sprint(o.total)), o.finished, o.total,
		st.State, jobLabel(st.Job), outcome(st), st.Worker)
}

func (o *lineObserver) CheckpointStored(slot int, st lssr.JobStatus) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(o.w, "[%*d/%d] %-8s %s  epoch %d of job %s  (%s)\n", len(fmt.Sprint(o.total)), o.finished, o.total,
		"ckpt", jobLabel(st.Job), st.CheckpointEpoch, st.Job.ID, st.Worker)
}

func (o *lineObserver) Close() {}

// barObserver draws a bar for the sweep and one per running job.
type barObserver struct {
	sweep   string
	workers int
	p       *mpb.Progress
	started time.Time

	mu       sync.Mutex
	overall  *mpb.Bar
	total    int
	finished int
	doneNow  int // finished in this session, for the ETA
	slots    map[int]*slotBar
}

type slotBar struct {
	bar  *mpb.Bar
	last lssr.Progress
}

func newBarObserver(sweep string, workers int) *barObserver {
	return &barObserver{
		sweep: sweep, workers: workers, started: time.Now(), slots: map[int]*slotBar{},
		p: mpb.New(mpb.WithOutput(os.Stdout), mpb.WithWidth(40), mpb.WithAutoRefresh()),
	}
}

func (o *barObserver) Begin(total, finished int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.total, o.finished = total, finished
	o.overall = o.p.AddBar(int64(total), mpb.BarPriority(-1),
		mpb.PrependDecorators(decor.Name("sweep "+o.sweep+" "), decor.CountersNoUnit("%d/%d jobs")),
		mpb.AppendDecorators(decor.Percentage(decor.WC{W: 5}), decor.Any(func(decor.Statistics) string { return o.eta() })))
	o.overall.SetCurrent(int64(finished))
}

// eta extrapolates from the jobs finished in this session.
func (o *barObserver) eta() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.doneNow == 0 || o.finished >= o.total {
		return ""
	}
	per := time.Since(o.started) / time.Duration(o.doneNow)
	return "  ETA ~" + (per * time.Duration(o.total-o.finished)).Round(time.Second).String()
}

func (o *barObserver) JobStarted(slot int, st lssr.JobStatus) {
	sb := &slotBar{}
	label := fmt.Sprintf("  w%d %s ", slot+1, jobLabel(st.Job))
	sb.bar = o.p.AddBar(int64(st.Job.Training.Epochs), mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(label)),
		mpb.AppendDecorators(decor.CountersNoUnit("epoch %d/%d"), decor.Any(func(decor.Statistics) string {
			o.mu.Lock()
			defer o.mu.Unlock()
			if sb.last.Epoch == 0 {
				return ""
			}
			return fmt.Sprintf("  loss %.4f  acc %.3f", sb.last.TrainLoss, sb.last.TrainAcc)
		})))
	o.mu.Lock()
	o.slots[slot] = sb
	o.mu.Unlock()
}

func (o *barObserver) JobProgress(slot int, _ lssr.Job, p lssr.Progress) {
	o.mu.Lock()
	sb := o.slots[slot]
	if sb != nil {
		sb.last = p
	}
	o.mu.Unlock()
	if sb != nil {
		sb.bar.SetCurrent(int64(p.Epoch))
	}
}

func (o *barObserver) JobEnded(slot int, st lssr.JobStatus) {
	o.mu.Lock()
	sb := o.slots[slot]
	delete(o.slots, slot)
	if st.State.Finished() {
		o.finished++
		o.doneNow++
	}
	o.mu.Unlock()
	if sb != nil {
		sb.bar.Abort(true)
	}
	if st.State.Finished() {
		o.overall.Increment()
	}
	if st.State != lssr.StateDone {
		fmt.Fprintf(o.p, "%-8s %s  %s\n", st.State, jobLabel(st.Job), outcome(st))
	}
}

// CheckpointStored draws nothing: the job's bar shows its epochs.
func (o *barObserver) CheckpointStored(int, lssr.JobStatus) {}

func (o *barObserver) Close() {
	o.mu.Lock()
	for _, sb := range o.slots {
		sb.bar.Abort(true)
	}
	o.mu.Unlock()
	if o.overall != nil && !o.overall.Completed() {
		o.overall.Abort(false)
	}
	o.p.Wait()
}

// roundLine is what a guided search's round prints: what it is doing and
// how far it has come against the grid.
func roundLine(sweep string, st lssr.SearchState, queued, ran, total int) string {
	if st.Stage == "done" {
		line := fmt.Sprintf("sweep %s: guided search done after %d rounds: %d of %d jobs run, %d skipped (%s; 'lssr sweep status %s' says why)",
			sweep, st.Round, ran, total, total-ran, st.Note, sweep)
		if st.Verdict != "" {
			line += "\nsweep " + sweep + ": " + st.Verdict
		}
		return line
	}
	return fmt.Sprintf("sweep %s: round %d (%s): %d jobs to run, %d of %d run so far: %s", sweep, st.Round, st.Stage, queued, ran, total, st.Note)
}

// Round prints the round and counts towards the jobs chosen so far.
func (o *lineObserver) Round(st lssr.SearchState, queued, ran, total int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.total, o.finished = ran+queued, ran
	fmt.Fprintln(o.w, roundLine(o.sweep, st, queued, ran, total))
}

// Round prints the round above the bars and sets the sweep's bar to the
// jobs chosen so far.
func (o *barObserver) Round(st lssr.SearchState, queued, ran, total int) {
	o.mu.Lock()
	o.total, o.finished = ran+queued, ran
	bar := o.overall
	o.mu.Unlock()
	fmt.Fprintln(o.p, roundLine(o.sweep, st, queued, ran, total))
	if bar != nil {
		bar.SetTotal(int64(ran+queued), queued == 0)
		bar.SetCurrent(int64(ran))
	}
}
