package report

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Bootstrap defaults: the replicate count and the PCG seed. The same runs,
// options and seed give the same intervals, bit for bit.
const (
	DefaultReplicates = 1000
	DefaultSeed       = 0x15512023
	// Level is the coverage of every bootstrap interval (percentile method).
	Level = 0.95
)

// Options tune Analyze and Write.
type Options struct {
	// Replicates is the number of bootstrap replicates; 0 means
	// DefaultReplicates, a negative count skips the bootstrap (intervals are
	// NaN and no rule is named winner).
	Replicates int
	// Seed seeds the bootstrap's PCG generator; 0 means DefaultSeed.
	Seed uint64
	// Colour is what heatmap.png's cells show: ColourMean ("" too) or
	// ColourSE.
	Colour string
	// Range, Clip and Values draw heatmap.png and panels.png as the
	// HeatmapOptions fields of these names say; Values also prints the
	// cells of train-loss.png, whose scale Range and Clip leave alone (they
	// are in the accuracy's units).
	Range  ColourRange
	Clip   bool
	Values bool
}

// heatmap is the HeatmapOptions of heatmap.png.
func (o Options) heatmap() HeatmapOptions {
	return HeatmapOptions{Colour: o.Colour, Format: FormatPNG, Range: o.Range, Clip: o.Clip, Values: o.Values}
}

func (o Options) replicates() int {
	switch {
	case o.Replicates == 0:
		return DefaultReplicates
	case o.Replicates < 0:
		return 0
	}
	return o.Replicates
}

func (o Options) seed() uint64 {
	if o.Seed == 0 {
		return DefaultSeed
	}
	return o.Seed
}

// BootstrapInfo says how the intervals were computed.
type BootstrapInfo struct {
	Replicates int     `json:"replicates"`
	Seed       uint64  `json:"seed"`
	Level      float64 `json:"level"`
	// SeedSigma is the sweep's per-seed s.d. of test accuracy: the s.d. of
	// one-seed cells and the floor of every other cell's, in standard
	// errors and in replicates; SeedSigmaFrom says how it was estimated.
	SeedSigma     float64 `json:"seed_sigma"`
	SeedSigmaFrom string  `json:"seed_sigma_from"`
	// Method describes the resampling in a sentence.
	Method string `json:"method"`
}

// bootstrapMethod is BootstrapInfo.Method.
const bootstrapMethod = "each replicate resamples the seeds of every cell with replacement (its accuracies, widened about the cell mean to the larger of the cell's and the pooled s.d. and by √(n/(n−1)), so the replicate mean has the variance s.d.²/n; separately, its seeds' training verdicts; a cell keeps its seed count) and recomputes every estimator and fit, leaving out of the fits the points censored in that replicate (at their column's edge of the grid); a cell with one seed cannot be resampled, so its accuracy gets Gaussian noise of the sweep's per-seed s.d. instead (a parametric bootstrap for those cells), and each edge is drawn uniformly in log2 η within its bracket (the grid cannot place it closer); intervals are percentile intervals; rules are compared by the paired bootstrap of their AIC differences"

// replicate is one bootstrap draw of every cell of a lattice.
type replicate struct {
	accs   [][][]float64
	trains [][][]bool
}

// resample draws one replicate: each cell's seeds with replacement, its
// accuracies and its training flags (of done, diverged and stopped seeds)
// drawn separately, as the ridge and the edge are estimated separately; a
// one-seed accuracy gets Gaussian noise of s.d. lt.sigma.
func (lt *lattice) resample(rng *rand.Rand) replicate {
	rep := replicate{accs: make([][][]float64, len(lt.bs)), trains: make([][][]bool, len(lt.bs))}
	for bi := range lt.bs {
		rep.accs[bi] = make([][]float64, len(lt.lrs))
		rep.trains[bi] = make([][]bool, len(lt.lrs))
		for li := range lt.lrs {
			rep.accs[bi][li] = resampleAccs(rng, lt.accs[bi][li], lt.sigma)
			rep.trains[bi][li] = resampleFlags(rng, lt.trains[bi][li])
		}
	}
	return rep
}

func resampleAccs(rng *rand.Rand, accs []float64, sigma float64) []float64 {
	switch len(accs) {
	case 0:
		return nil
	case 1:
		return []float64{accs[0] + sigma*rng.NormFloat64()}
	}
	// Draws are widened about the mean so that their s.d. is the larger of
	// the cell's and the sweep's pooled s.d. (sigma), times √(n/(n−1)) so
	// that the resampled mean's variance is that s.d.² / n rather than
	// (n−1)/n of it (Davison & Hinkley 1997, §2.4, modified residuals).
	// With the two or three seeds of a sweep a cell's own s.d. is itself
	// noisy and often far too small; the plain bootstrap's intervals were
	// too narrow on synthetic sweeps.
	mean, sd := meanStd(accs)
	out := make([]float64, len(accs))
	if sd == 0 {
		for i := range out {
			out[i] = mean + sigma*rng.NormFloat64()
		}
		return out
	}
	widen := math.Sqrt(float64(len(accs))/float64(len(accs)-1)) * math.Max(sd, sigma) / sd
	for i := range out {
		out[i] = mean + widen*(accs[rng.IntN(len(accs))]-mean)
	}
	return out
}

func resampleFlags(rng *rand.Rand, flags []bool) []bool {
	if len(flags) == 0 {
		return nil
	}
	out := make([]bool, len(flags))
	for i := range out {
		out[i] = flags[rng.IntN(len(flags))]
	}
	return out
}

// percentile returns the Level percentile interval of the finite values;
// NaN ends when there are none.
func percentile(xs []float64) Interval {
	var finite []float64
	for _, x := range xs {
		if isFinite(x) {
			finite = append(finite, x)
		}
	}
	if len(finite) == 0 {
		return Interval{math.NaN(), math.NaN()}
	}
	slices.Sort(finite)
	tail := (1 - Level) / 2
	return Interval{stat.Quantile(tail, stat.Empirical, finite, nil),
		stat.Quantile(1-tail, stat.Empirical, finite, nil)}
}
