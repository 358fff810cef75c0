package trainer

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// spectrumMatrix is V·diag(eigs)·Vᵀ for a random orthogonal V (the Q of a
// Gaussian matrix), so that no eigenvector is a coordinate axis.
func spectrumMatrix(eigs []float64, seed uint64) *mat.SymDense {
	n := len(eigs)
	rng := rand.New(rand.NewPCG(seed, 1))
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var v mat.Dense
	qr.QTo(&v)
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			var s float64
			for k, e := range eigs {
				s += v.At(i, k) * e * v.At(j, k)
			}
			a.SetSym(i, j, s)
		}
	}
	return a
}

// runLanczos runs lanczos on a with a start and fresh directions from a
// PCG stream of seed.
func runLanczos(t *testing.T, a mat.Symmetric, spec lanczosSpec, seed uint64) lanczosResult {
	t.Helper()
	n := a.SymmetricDim()
	apply := func(_ context.Context, v, out []float64) error {
		mat.NewVecDense(n, out).MulVec(a, mat.NewVecDense(n, v))
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	fresh := func(v []float64) {
		for i := range v {
			v[i] = rng.NormFloat64()
		}
	}
	res, err := lanczos(context.Background(), n, apply, nil, fresh, spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// descending returns the eigenvalues largest first.
func descending(eigs []float64) []float64 {
	s := slices.Clone(eigs)
	slices.Sort(s)
	slices.Reverse(s)
	return s
}

// lin is n values evenly spaced from lo to hi.
func lin(n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return v
}

// TestLanczosKnownSpectra checks the top eigenvalues of matrices with known
// spectra: each within 1e-6 relative and within its own residual bound, in
// no more products than the case allows.
func TestLanczosKnownSpectra(t *testing.T) {
	const tol = 1e-6
	cluster := append([]float64{10, 9.99, 9.98, 9.97}, lin(196, -1, 9)...)
	negative := append([]float64{1, 0.5}, lin(148, -100, 0.4)...)
	lowRank := append([]float64{5, 3, 2}, make([]float64, 97)...)
	rankOne := append([]float64{4}, make([]float64, 59)...)
	slow := lin(400, 0, 1) // gaps of 1/400 at the top
	for _, c := range []struct {
		name     string
		eigs     []float64
		k        int
		maxBasis int
		maxHVPs  int // the products the case may take
	}{
		{"top with a cluster below", cluster, 1, 0, 60},
		{"top 3 of a cluster", cluster, 3, 0, 70},
		{"negative eigenvalues larger than the top", negative, 1, 0, 90},
		{"top 3 beside large negatives", negative, 3, 0, 100},
		{"rank 3: Krylov space of dimension 4", lowRank, 3, 0, 4},
		{"rank 3, top 1", lowRank, 1, 0, 4},
		{"rank 1, top 3: fresh directions after the space runs out", rankOne, 3, 0, 3},
		{"zero", make([]float64, 20), 2, 0, 2},
		{"thick restarts, basis of 12", slow, 2, 12, 200},
		{"small dimension, whole space", lin(5, -3, 2), 5, 0, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := spectrumMatrix(c.eigs, 7)
			res := runLanczos(t, a, lanczosSpec{topK: c.k, tol: tol, maxHVPs: 300, maxBasis: c.maxBasis}, 3)
			want := descending(c.eigs)[:c.k]
			t.Logf("top %d %.10g, residual bounds %.2g, %d products", c.k, res.values, res.residuals, res.hvps)
			if !res.converged || len(res.values) != c.k || len(res.residuals) != c.k {
				t.Fatalf("converged %v with %d values, %d bounds; want %d converged", res.converged, len(res.values), len(res.residuals), c.k)
			}
			if res.hvps > c.maxHVPs {
				t.Errorf("%d products, want at most %d", res.hvps, c.maxHVPs)
			}
			if c.maxBasis > 0 && res.hvps <= c.maxBasis {
				t.Errorf("%d products: the basis of %d never filled, no restart was tested", res.hvps, c.maxBasis)
			}
			for i, w := range want {
				got, bound := res.values[i], res.residuals[i]
				if bound > tol {
					t.Errorf("θ_%d = %.10g: residual bound %.2g above tol", i+1, got, bound)
				}
				d := math.Abs(got - w)
				if w == 0 {
					if d > 1e-12 {
						t.Errorf("θ_%d = %.3g, want 0", i+1, got)
					}
					continue
				}
				if d > tol*math.Abs(w) || d > bound*math.Abs(got)+1e-13*math.Abs(w) {
					t.Errorf("θ_%d = %.12g, exact %.12g: relative error %.2g, bound %.2g", i+1, got, w, d/math.Abs(w), bound)
				}
			}
			// The Ritz vector is a unit eigenvector of the top eigenvalue.
			n := len(c.eigs)
			var av mat.VecDense
			y := mat.NewVecDense(n, res.vector)
			av.MulVec(a, y)
			av.AddScaledVec(&av, -res.values[0], y)
			if r := av.Norm(2); r > 1e-5*math.Max(math.Abs(res.values[0]), 1) || math.Abs(y.Norm(2)-1) > 1e-12 {
				t.Errorf("‖A·y − θ_1·y‖ = %.2g, ‖y‖ = %.15g", r, y.Norm(2))
			}
		})
	}
}

// TestLanczosStopsAtBudget: a run that cannot meet tol in its budget says
// so, and spends exactly the budget.
func TestLanczosStopsAtBudget(t *testing.T) {
	a := spectrumMatrix(lin(200, 0, 1), 5)
	res := runLanczos(t, a, lanczosSpec{topK: 1, tol: 1e-9, maxHVPs: 6}, 1)
	if res.converged || res.hvps != 6 || !(res.residuals[0] > 1e-9) {
		t.Errorf("converged %v after %d products, residual bound %.2g; want not converged after 6", res.converged, res.hvps, res.residuals[0])
	}
	if !(res.values[0] <= 1+1e-12) {
		t.Errorf("θ_1 = %.15g above the top eigenvalue 1", res.values[0])
	}
}

// TestLanczosIsDeterministic: the same start gives the same bits.
func TestLanczosIsDeterministic(t *testing.T) {
	a := spectrumMatrix(lin(120, -2, 3), 9)
	spec := lanczosSpec{topK: 3, tol: 1e-8, maxHVPs: 300, maxBasis: 10}
	r1, r2 := runLanczos(t, a, spec, 4), runLanczos(t, a, spec, 4)
	if !slices.Equal(r1.values, r2.values) || !slices.Equal(r1.residuals, r2.residuals) || r1.hvps != r2.hvps || !slices.Equal(r1.vector, r2.vector) {
		t.Errorf("two runs differ: %v %v %d, %v %v %d", r1.values, r1.residuals, r1.hvps, r2.values, r2.residuals, r2.hvps)
	}
}

// TestLanczosPassesErrorsAndNaN: an error of the operator ends the run
// with that error; a NaN product ends it with NaN values and no error.
func TestLanczosPassesErrorsAndNaN(t *testing.T) {
	fresh := func(v []float64) {
		for i := range v {
			v[i] = float64(i + 1)
		}
	}
	stop := errors.New("stop")
	calls := 0
	failing := func(_ context.Context, v, out []float64) error {
		calls++
		if calls == 3 {
			return stop
		}
		for i, e := range v {
			out[i] = float64(i) * e
		}
		return nil
	}
	spec := lanczosSpec{topK: 1, tol: 1e-12, maxHVPs: 100}
	if _, err := lanczos(context.Background(), 50, failing, nil, fresh, spec); !errors.Is(err, stop) {
		t.Errorf("error %v, want %v", err, stop)
	}
	nan := func(_ context.Context, v, out []float64) error {
		for i := range out {
			out[i] = math.NaN()
		}
		return nil
	}
	res, err := lanczos(context.Background(), 50, nan, nil, fresh, spec)
	if err != nil || res.converged || len(res.values) != 1 || !math.IsNaN(res.values[0]) {
		t.Errorf("NaN operator: %+v, %v; want one NaN value, not converged, no error", res, err)
	}
}
