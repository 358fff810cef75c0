package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lssr/lssr"
	workerpb "github.com/lssr/lssr/worker/proto"
)

// GRPCServer registers the plugin side of the Runner.
func (p *runnerPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	logger := p.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	workerpb.RegisterWorkerServer(s, &grpcServer{impl: p.Impl, logger: logger})
	return nil
}

// GRPCClient returns the host side of the Runner.
func (p *runnerPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &grpcClient{client: workerpb.NewWorkerClient(c)}, nil
}

// Status codes a job failure travels under; any other code means the
// worker or the connection failed, not the job.
const (
	codeJobFailed  = codes.Aborted            // Runner error or panic
	codeBadInput   = codes.InvalidArgument    // Runner error wrapping lssr.ErrBadInput
	codeJobRefused = codes.FailedPrecondition // the job did not decode or check
)

// grpcServer runs jobs on a Runner for the Train RPC.
type grpcServer struct {
	workerpb.UnimplementedWorkerServer
	impl   Runner
	logger hclog.Logger
}

func (s *grpcServer) Train(req *workerpb.TrainRequest, stream workerpb.Worker_TrainServer) error {
	job, err := decodeJob(req)
	if err != nil {
		s.logger.Error("job refused", "job", req.GetJobId(), "error", err)
		return status.Error(codeJobRefused, err.Error())
	}
	job.Resume = req.GetResume()

	// Send is not safe for concurrent use and the Runner may call progress
	// from any goroutine, even late; after the Result nothing more is sent.
	var (
		mu      sync.Mutex
		done    bool
		sendErr error
	)
	progress := func(p lssr.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if done || sendErr != nil {
			return
		}
		// A failed Send means the host is gone; the stream's context is
		// cancelled with it, which is what stops the Runner.
		sendErr = stream.Send(&workerpb.TrainEvent{Event: &workerpb.TrainEvent_Progress{Progress: progressToProto(p)}})
	}

	s.logger.Debug("job started", "job", job.ID)
	res, err := s.run(stream.Context(), job, progress)
	mu.Lock()
	defer mu.Unlock()
	done = true
	if err != nil {
		if stream.Context().Err() != nil {
			// The host cancelled (Ctrl-C, shutdown): not a failure worth a log line.
			s.logger.Debug("job cancelled", "job", job.ID, "error", err)
		} else {
			s.logger.Error("job failed", "job", job.ID, "error", err)
		}
		if errors.Is(err, lssr.ErrBadInput) {
			return status.Error(codeBadInput, err.Error())
		}
		return status.Error(codeJobFailed, err.Error())
	}
	if sendErr != nil {
		return sendErr
	}
	s.logger.Debug("job finished", "job", job.ID, "seconds", res.Seconds)
	return stream.Send(&workerpb.TrainEvent{Event: &workerpb.TrainEvent_Result{Result: resultToProto(res)}})
}

// run calls the Runner and turns a panic into an error, so one bad job
// fails alone instead of killing the worker and every retry after it.
func (s *grpcServer) run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (res lssr.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			s.logger.Error("job panicked", "job", job.ID, "panic", v, "stack", string(debug.Stack()))
			res, err = lssr.Result{}, fmt.Errorf("job %s panicked: %v", job.ID, v)
		}
	}()
	return s.impl.Run(ctx, job, progress)
}

// decodeJob decodes the request's job and checks it against the request's
// ID. The ID is a hash of the job's JSON encoding, so decoding that same
// JSON and hashing again proves the worker trains exactly the job the host
// named: a field this build does not know, or lost in decoding, shows up as
// a mismatch instead of a silently different run stored under the ID.
func decodeJob(req *workerpb.TrainRequest) (lssr.Job, error) {
	var job lssr.Job
	dec := json.NewDecoder(bytes.NewReader(req.GetJobJson()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&job); err != nil {
		return lssr.Job{}, fmt.Errorf("worker: cannot decode job %s: %v (are host and worker the same lssr build?)", req.GetJobId(), err)
	}
	if job.ID != req.GetJobId() {
		return lssr.Job{}, fmt.Errorf("worker: job %q sent under ID %q", job.ID, req.GetJobId())
	}
	if id := job.ContentID(); id != job.ID {
		return lssr.Job{}, fmt.Errorf("worker: refused job %q: its content hashes to %q", job.ID, id)
	}
	return job, nil
}

// grpcClient is the host's Runner over a worker connection.
type grpcClient struct {
	client workerpb.WorkerClient
}

// Run sends the job and calls progress, in the caller's goroutine, for
// every progress event until the Result arrives. Cancelling ctx cancels the
// stream, and with it the context the worker's Runner sees.
func (c *grpcClient) Run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	raw, err := json.Marshal(job)
	if err != nil {
		return lssr.Result{}, &JobError{Msg: fmt.Sprintf("worker: cannot encode job %s: %v", job.ID, err)}
	}
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel() // frees the stream on every early return
	stream, err := c.client.Train(streamCtx, &workerpb.TrainRequest{JobId: job.ID, JobJson: raw, Resume: job.Resume})
	if err != nil {
		return lssr.Result{}, classify(ctx, err)
	}
	var res *workerpb.Result
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return lssr.Result{}, classify(ctx, err)
		}
		switch e := ev.GetEvent().(type) {
		case *workerpb.TrainEvent_Progress:
			if res != nil {
				return lssr.Result{}, fmt.Errorf("%w: progress after the result of job %s", ErrLost, job.ID)
			}
			if progress != nil {
				progress(progressFromProto(e.Progress))
			}
		case *workerpb.TrainEvent_Result:
			if res != nil {
				return lssr.Result{}, fmt.Errorf("%w: two results for job %s", ErrLost, job.ID)
			}
			res = e.Result
		default:
			return lssr.Result{}, fmt.Errorf("%w: unknown event %T for job %s", ErrLost, e, job.ID)
		}
	}
	if res == nil {
		return lssr.Result{}, fmt.Errorf("%w: stream of job %s ended without a result", ErrLost, job.ID)
	}
	return resultFromProto(res), nil
}

// classify maps a stream error to the caller's context error, a *JobError
// or an ErrLost, see the package doc.
func classify(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	st := status.Convert(err)
	switch st.Code() {
	case codeJobFailed, codeJobRefused:
		return &JobError{Msg: st.Message()}
	case codeBadInput:
		return &JobError{Msg: st.Message(), BadInput: true}
	default:
		return fmt.Errorf("%w: %s", ErrLost, st.Message())
	}
}
