package worker

import (
	"github.com/lssr/lssr"
	workerpb "github.com/lssr/lssr/worker/proto"
)

// Conversions between lssr types and their wire messages. Floats travel as
// proto doubles, bit for bit (NaN and Inf included, which JSON could not
// carry); ints widen to int64. Empty slices arrive as nil.

func progressToProto(p lssr.Progress) *workerpb.Progress {
	return &workerpb.Progress{
		Epoch:      int64(p.Epoch),
		Epochs:     int64(p.Epochs),
		Step:       p.Step,
		TrainLoss:  p.TrainLoss,
		TrainAcc:   p.TrainAcc,
		Checkpoint: p.Checkpoint,
		Worker:     p.Worker,
	}
}

func progressFromProto(p *workerpb.Progress) lssr.Progress {
	return lssr.Progress{
		Epoch:      int(p.GetEpoch()),
		Epochs:     int(p.GetEpochs()),
		Step:       p.GetStep(),
		TrainLoss:  p.GetTrainLoss(),
		TrainAcc:   p.GetTrainAcc(),
		Checkpoint: p.GetCheckpoint(),
		Worker:     p.GetWorker(),
	}
}

func resultToProto(r lssr.Result) *workerpb.Result {
	out := &workerpb.Result{
		Diverged:         r.Diverged,
		Stopped:          r.Stopped,
		TestAcc:          r.TestAcc,
		TestLoss:         r.TestLoss,
		TrainLoss:        r.TrainLoss,
		TrainAcc:         r.TrainAcc,
		GradSqNorm:       r.GradSqNorm,
		TrS1:             r.TrS1,
		Rho:              r.Rho,
		RhoB:             r.RhoB,
		Epochs:           int64(r.Epochs),
		Steps:            r.Steps,
		Seconds:          r.Seconds,
		Weights:          r.Weights,
		ResumedFrom:      int64(r.ResumedFrom),
		InitialTrainLoss: r.InitialTrainLoss,
	}
	if p := r.Provenance; p != nil {
		out.Provenance = &workerpb.Provenance{Version: p.Version, Commit: p.Commit, GoVersion: p.GoVersion,
			KernelPath: p.KernelPath, Cpu: p.CPU, Host: p.Host}
	}
	for _, s := range r.Series {
		out.Series = append(out.Series, &workerpb.EpochStats{
			Epoch:     int64(s.Epoch),
			Step:      s.Step,
			TrainLoss: s.TrainLoss,
			TrainAcc:  s.TrainAcc,
			Evaluated: s.Evaluated,
			TestLoss:  s.TestLoss,
			TestAcc:   s.TestAcc,
		})
	}
	for _, m := range r.Measurements {
		out.Measurements = append(out.Measurements, &workerpb.Measurement{
			Epoch:      int64(m.Epoch),
			Step:       m.Step,
			GradSqNorm: m.GradSqNorm,
			TrS1:       m.TrS1,
			Rho:        m.Rho,
			RhoB:       m.RhoB,
			TrainLoss:  m.TrainLoss,
			TrainAcc:   m.TrainAcc,
			Curvature:  curvatureToProto(m.Curvature),
		})
	}
	return out
}

func curvatureToProto(c *lssr.Curvature) *workerpb.Curvature {
	if c == nil {
		return nil
	}
	return &workerpb.Curvature{
		Examples: int64(c.Examples), GradSqNorm: c.GradSqNorm, Ghg: c.GHG, IasFull: c.IASFull,
		TrHs1: c.TrHS1, TrHs1Se: c.TrHS1SE, IasB: c.IASB, Ratio: c.Ratio, Threshold: c.Threshold,
		Lambda1: c.Lambda1, Lambda1Iters: int64(c.Lambda1Its),
		SampledRhoB: c.SampledRhoB, SampledRhoBSe: c.SampledRhoBSE,
		LossChange: c.LossChange, LossChangeSe: c.LossChangeSE, LossChangeEq7: c.LossChangeEq7,
	}
}

func curvatureFromProto(c *workerpb.Curvature) *lssr.Curvature {
	if c == nil {
		return nil
	}
	return &lssr.Curvature{
		Examples: int(c.GetExamples()), GradSqNorm: c.GetGradSqNorm(), GHG: c.GetGhg(), IASFull: c.GetIasFull(),
		TrHS1: c.GetTrHs1(), TrHS1SE: c.GetTrHs1Se(), IASB: c.GetIasB(), Ratio: c.GetRatio(), Threshold: c.GetThreshold(),
		Lambda1: c.GetLambda1(), Lambda1Its: int(c.GetLambda1Iters()),
		SampledRhoB: c.GetSampledRhoB(), SampledRhoBSE: c.GetSampledRhoBSe(),
		LossChange: c.GetLossChange(), LossChangeSE: c.GetLossChangeSe(), LossChangeEq7: c.GetLossChangeEq7(),
	}
}

func resultFromProto(r *workerpb.Result) lssr.Result {
	out := lssr.Result{
		Diverged:         r.GetDiverged(),
		Stopped:          r.GetStopped(),
		TestAcc:          r.GetTestAcc(),
		TestLoss:         r.GetTestLoss(),
		TrainLoss:        r.GetTrainLoss(),
		TrainAcc:         r.GetTrainAcc(),
		GradSqNorm:       r.GetGradSqNorm(),
		TrS1:             r.GetTrS1(),
		Rho:              r.GetRho(),
		RhoB:             r.GetRhoB(),
		Epochs:           int(r.GetEpochs()),
		Steps:            r.GetSteps(),
		Seconds:          r.GetSeconds(),
		Weights:          r.GetWeights(),
		ResumedFrom:      int(r.GetResumedFrom()),
		InitialTrainLoss: r.GetInitialTrainLoss(),
	}
	if p := r.GetProvenance(); p != nil {
		out.Provenance = &lssr.Provenance{Version: p.GetVersion(), Commit: p.GetCommit(), GoVersion: p.GetGoVersion(),
			KernelPath: p.GetKernelPath(), CPU: p.GetCpu(), Host: p.GetHost()}
	}
	for _, s := range r.GetSeries() {
		out.Series = append(out.Series, lssr.EpochStats{
			Epoch:     int(s.GetEpoch()),
			Step:      s.GetStep(),
			TrainLoss: s.GetTrainLoss(),
			TrainAcc:  s.GetTrainAcc(),
			Evaluated: s.GetEvaluated(),
			TestLoss:  s.GetTestLoss(),
			TestAcc:   s.GetTestAcc(),
		})
	}
	for _, m := range r.GetMeasurements() {
		out.Measurements = append(out.Measurements, lssr.Measurement{
			Epoch:      int(m.GetEpoch()),
			Step:       m.GetStep(),
			GradSqNorm: m.GetGradSqNorm(),
			TrS1:       m.GetTrS1(),
			Rho:        m.GetRho(),
			RhoB:       m.GetRhoB(),
			TrainLoss:  m.GetTrainLoss(),
			TrainAcc:   m.GetTrainAcc(),
			Curvature:  curvatureFromProto(m.GetCurvature()),
		})
	}
	return out
}
