package trainer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refBatchNorm is float64 batch normalisation: with train set it uses the
// batch's statistics (biased variance), else the given running ones.
func refBatchNorm(c, hw int, x []float64, m int, gamma, beta, runMean, runVar []float64, train bool) []float64 {
	const eps = 1e-5
	row, n := c*hw, float64(m*hw)
	y := make([]float64, len(x))
	for ch := 0; ch < c; ch++ {
		mu, variance := runMean[ch], runVar[ch]
		if train {
			mu, variance = 0, 0
			for i := 0; i < m; i++ {
				for j := 0; j < hw; j++ {
					mu += x[i*row+ch*hw+j]
				}
			}
			mu /= n
			for i := 0; i < m; i++ {
				for j := 0; j < hw; j++ {
					d := x[i*row+ch*hw+j] - mu
					variance += d * d
				}
			}
			variance /= n
		}
		for i := 0; i < m; i++ {
			for j := 0; j < hw; j++ {
				k := i*row + ch*hw + j
				y[k] = gamma[ch]*(x[k]-mu)/math.Sqrt(variance+eps) + beta[ch]
			}
		}
	}
	return y
}

type bnCase struct{ c, hw, m int }

var bnCases = []bnCase{
	{1, 1, 2},  // smallest train batch
	{5, 1, 7},  // dense activations
	{3, 9, 1},  // one example, spatial pooling
	{4, 25, 3}, // conv activations
	{2, 16, 5},
}

// bnFixture holds a case's random inputs; running variances are positive.
type bnFixture struct {
	x, gamma, beta, runMean, runVar, r []float32
}

func newBNFixture(tc bnCase, seed uint64) bnFixture {
	rng := rand.New(rand.NewPCG(seed, uint64(tc.c*1000+tc.hw*10+tc.m)))
	f := bnFixture{
		x:       layerRandom(rng, tc.m*tc.c*tc.hw),
		gamma:   layerRandom(rng, tc.c),
		beta:    layerRandom(rng, tc.c),
		runMean: layerRandom(rng, tc.c),
		runVar:  layerRandom(rng, tc.c),
		r:       layerRandom(rng, tc.m*tc.c*tc.hw),
	}
	for ch := range f.runVar {
		f.runVar[ch] = 0.2 + f.runVar[ch]*f.runVar[ch]
		// Give channels different offsets and scales.
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.hw; j++ {
				k := (i*tc.c+ch)*tc.hw + j
				f.x[k] = float32(ch) - 1 + float32(ch+1)*f.x[k]
			}
		}
	}
	return f
}

// bnFiniteDiff returns the float64 central-difference gradient of
// loss with respect to each entry of p.
func bnFiniteDiff(p []float64, loss func() float64) []float64 {
	const h = 1e-5
	g := make([]float64, len(p))
	for j := range p {
		old := p[j]
		p[j] = old + h
		up := loss()
		p[j] = old - h
		down := loss()
		p[j] = old
		g[j] = (up - down) / (2 * h)
	}
	return g
}

func TestBatchNormAgainstReference(t *testing.T) {
	for _, tc := range bnCases {
		bn, err := newBatchNorm[float32](tc.c, tc.hw)
		if err != nil {
			t.Fatal(err)
		}
		for _, train := range []bool{true, false} {
			if train && tc.m*tc.hw < 2 {
				continue
			}
			f := newBNFixture(tc, 1)
			n := tc.m * bn.rowLen()
			y := make([]float32, n)
			dgamma, dbeta, dx := make([]float32, tc.c), make([]float32, tc.c), make([]float32, n)
			mean, invStd := make([]float64, tc.c), make([]float64, tc.c)
			runMean := append([]float32(nil), f.runMean...)
			runVar := append([]float32(nil), f.runVar...)
			if train {
				bn.forwardTrain(f.x, tc.m, f.gamma, f.beta, y, mean, invStd, runMean, runVar)
				bn.backwardTrain(f.x, f.r, tc.m, f.gamma, mean, invStd, dgamma, dbeta, dx)
			} else {
				bn.forwardEval(f.x, tc.m, f.gamma, f.beta, runMean, runVar, y)
				bn.backwardEval(f.x, f.r, tc.m, f.gamma, runMean, runVar, dgamma, dbeta, dx)
			}

			x, gamma, beta := layerTo64(f.x), layerTo64(f.gamma), layerTo64(f.beta)
			rm, rv, r := layerTo64(f.runMean), layerTo64(f.runVar), layerTo64(f.r)
			if e := layerRelErr(y, refBatchNorm(tc.c, tc.hw, x, tc.m, gamma, beta, rm, rv, train)); !(e <= 1e-6) {
				t.Errorf("%+v train=%v: y relative error %.3g", tc, train, e)
			}
			loss := func() float64 {
				var s float64
				for j, v := range refBatchNorm(tc.c, tc.hw, x, tc.m, gamma, beta, rm, rv, train) {
					s += v * r[j]
				}
				return s
			}
			for _, chk := range []struct {
				name  string
				got   []float32
				param []float64
			}{{"dgamma", dgamma, gamma}, {"dbeta", dbeta, beta}, {"dx", dx, x}} {
				if e := layerRelErr(chk.got, bnFiniteDiff(chk.param, loss)); !(e <= 1e-5) {
					t.Errorf("%+v train=%v: %s relative error %.3g against finite differences", tc, train, chk.name, e)
				}
			}

			// dx = nil skips the input gradient only.
			dgamma2, dbeta2 := make([]float32, tc.c), make([]float32, tc.c)
			if train {
				bn.backwardTrain(f.x, f.r, tc.m, f.gamma, mean, invStd, dgamma2, dbeta2, nil)
			} else {
				bn.backwardEval(f.x, f.r, tc.m, f.gamma, runMean, runVar, dgamma2, dbeta2, nil)
			}
			for ch := range dgamma2 {
				if dgamma2[ch] != dgamma[ch] || dbeta2[ch] != dbeta[ch] {
					t.Errorf("%+v train=%v: channel %d gradients differ with dx=nil", tc, train, ch)
				}
			}
		}
	}
}

// TestBatchNormRunningStatistics checks several train steps' running
// statistics against PyTorch's update (torch.nn.functional.batch_norm):
// running = (1 − momentum)·running + momentum·batch, with the batch variance
// unbiased, and that eval mode leaves them alone.
func TestBatchNormRunningStatistics(t *testing.T) {
	tc := bnCase{3, 4, 5}
	bn, err := newBatchNorm[float32](tc.c, tc.hw)
	if err != nil {
		t.Fatal(err)
	}
	runMean, runVar := []float32{0, 0, 0}, []float32{1, 1, 1} // PyTorch's initial values
	wantMean, wantVar := []float64{0, 0, 0}, []float64{1, 1, 1}
	n := tc.m * bn.rowLen()
	y := make([]float32, n)
	mean, invStd := make([]float64, tc.c), make([]float64, tc.c)
	for step := uint64(0); step < 4; step++ {
		f := newBNFixture(tc, step)
		bn.forwardTrain(f.x, tc.m, f.gamma, f.beta, y, mean, invStd, runMean, runVar)
		x, cnt := layerTo64(f.x), float64(tc.m*tc.hw)
		for ch := 0; ch < tc.c; ch++ {
			var s, ss float64
			for i := 0; i < tc.m; i++ {
				for j := 0; j < tc.hw; j++ {
					s += x[(i*tc.c+ch)*tc.hw+j]
				}
			}
			mu := s / cnt
			for i := 0; i < tc.m; i++ {
				for j := 0; j < tc.hw; j++ {
					d := x[(i*tc.c+ch)*tc.hw+j] - mu
					ss += d * d
				}
			}
			if math.Abs(mean[ch]-mu) > 1e-12 || math.Abs(invStd[ch]-1/math.Sqrt(ss/cnt+1e-5)) > 1e-9 {
				t.Errorf("step %d channel %d: saved mean %v invStd %v, want %v %v", step, ch, mean[ch], invStd[ch], mu, 1/math.Sqrt(ss/cnt+1e-5))
			}
			wantMean[ch] = 0.9*wantMean[ch] + 0.1*mu
			wantVar[ch] = 0.9*wantVar[ch] + 0.1*ss/(cnt-1)
		}
		if e := layerRelErr(runMean, wantMean); !(e <= 1e-6) {
			t.Errorf("step %d: running mean %v, want %v", step, runMean, wantMean)
		}
		if e := layerRelErr(runVar, wantVar); !(e <= 1e-6) {
			t.Errorf("step %d: running var %v, want %v", step, runVar, wantVar)
		}
	}
	before := append(append([]float32(nil), runMean...), runVar...)
	f := newBNFixture(tc, 9)
	bn.forwardEval(f.x, tc.m, f.gamma, f.beta, runMean, runVar, y)
	for ch, v := range append(append([]float32(nil), runMean...), runVar...) {
		if v != before[ch] {
			t.Fatalf("eval mode changed the running statistics")
		}
	}
}

// TestBatchNormLargeMean checks the two-pass float64 statistics on inputs
// whose mean dwarfs their spread, where a one-pass float32 variance fails.
func TestBatchNormLargeMean(t *testing.T) {
	bn, err := newBatchNorm[float32](1, 64)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	x := layerRandom(rng, 2*64)
	for j := range x {
		x[j] = 1e4 + x[j]/16
	}
	y := make([]float32, len(x))
	mean, invStd := make([]float64, 1), make([]float64, 1)
	bn.forwardTrain(x, 2, []float32{1}, []float32{0}, y, mean, invStd, []float32{0}, []float32{1})
	want := refBatchNorm(1, 64, layerTo64(x), 2, []float64{1}, []float64{0}, []float64{0}, []float64{1}, true)
	if e := layerRelErr(y, want); !(e <= 1e-5) {
		t.Errorf("relative error %.3g", e)
	}
}

func TestBatchNormInPlaceAndAllocationFree(t *testing.T) {
	tc := bnCase{8, 16, 4}
	bn, err := newBatchNorm[float32](tc.c, tc.hw)
	if err != nil {
		t.Fatal(err)
	}
	f := newBNFixture(tc, 3)
	n := tc.m * bn.rowLen()
	y := make([]float32, n)
	dgamma, dbeta, dx := make([]float32, tc.c), make([]float32, tc.c), make([]float32, n)
	mean, invStd := make([]float64, tc.c), make([]float64, tc.c)
	rm, rv := append([]float32(nil), f.runMean...), append([]float32(nil), f.runVar...)
	bn.forwardTrain(f.x, tc.m, f.gamma, f.beta, y, mean, invStd, rm, rv)
	bn.backwardTrain(f.x, f.r, tc.m, f.gamma, mean, invStd, dgamma, dbeta, dx)

	// y = x and dx = dy in place give the same bits.
	yIn, dIn := append([]float32(nil), f.x...), append([]float32(nil), f.r...)
	rm, rv = append([]float32(nil), f.runMean...), append([]float32(nil), f.runVar...)
	bn.forwardTrain(yIn, tc.m, f.gamma, f.beta, yIn, mean, invStd, rm, rv)
	bn.backwardTrain(f.x, dIn, tc.m, f.gamma, mean, invStd, dgamma, dbeta, dIn)
	for j := range y {
		if math.Float32bits(yIn[j]) != math.Float32bits(y[j]) || math.Float32bits(dIn[j]) != math.Float32bits(dx[j]) {
			t.Fatalf("in-place results differ at %d", j)
		}
	}

	if a := testing.AllocsPerRun(10, func() {
		bn.forwardTrain(f.x, tc.m, f.gamma, f.beta, y, mean, invStd, rm, rv)
		bn.backwardTrain(f.x, f.r, tc.m, f.gamma, mean, invStd, dgamma, dbeta, dx)
		bn.forwardEval(f.x, tc.m, f.gamma, f.beta, rm, rv, y)
		bn.backwardEval(f.x, f.r, tc.m, f.gamma, rm, rv, dgamma, dbeta, dx)
	}); a != 0 {
		t.Errorf("allocates %v times per call", a)
	}
}

func TestBatchNormTrainNeedsTwoValues(t *testing.T) {
	bn, err := newBatchNorm[float32](2, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("forwardTrain on one value per channel did not panic")
		}
	}()
	one := []float32{1, 1}
	bn.forwardTrain(one, 1, one, one, make([]float32, 2), make([]float64, 2), make([]float64, 2), make([]float32, 2), make([]float32, 2))
}
