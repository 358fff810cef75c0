package trainer

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// lanczosSpec says which eigenvalues a Lanczos run computes and when it
// stops.
type lanczosSpec struct {
	topK    int     // how many eigenvalues, algebraically largest first (≥ 1)
	tol     float64 // relative residual bound each must meet, in (0, 1)
	maxHVPs int     // budget of operator products (≥ 1)
	// maxBasis caps the basis vectors kept in memory; a run that fills it
	// restarts thickly (0: lanczosBasisSize).
	maxBasis int
}

// lanczosResult is what a Lanczos run found.
type lanczosResult struct {
	// values are the top Ritz values θ_1 ≥ θ_2 ≥ …: topK of them, fewer
	// only when the operator's whole range was spanned with fewer.
	values []float64
	// residuals are their relative residual bounds |β·s_i|/|θ_i| (see
	// lanczos): A has an eigenvalue within residuals[i]·|θ_i| of θ_i.
	residuals []float64
	vector    []float64 // the unit Ritz vector of values[0]
	hvps      int       // operator products taken
	// converged is true when every residual bound met tol, or the Krylov
	// space ran out (an invariant subspace: its Ritz values are exact).
	converged bool
}

// Below lanczosBreakdown·‖A‖ the next Lanczos direction is rounding noise:
// the Krylov space is invariant under A, and β is taken as 0.
const lanczosBreakdown = 1e-12

// lanczosBasisBytes is the memory the basis may take before the run
// restarts (see lanczosBasisSize).
const lanczosBasisBytes = 256 << 20

// lanczosBasisSize is how many float64 vectors of dim a Lanczos run for the
// top k eigenvalues keeps: at most 64 (runs to a relative tolerance of 1e-6
// take a few dozen products) and at most lanczosBasisBytes (50 for W1's
// 669,706 parameters), but at least k+16 so that a thick restart keeps the
// k wanted Ritz vectors and room to improve them; never more than dim.
func lanczosBasisSize(dim, k int) int {
	return min(dim, max(k+16, min(64, lanczosBasisBytes/(8*max(dim, 1)))))
}

// lanczos computes the spec.topK algebraically largest eigenvalues of the
// symmetric operator apply (out = A·v, dimension dim) by the Lanczos method
// with full reorthogonalisation. start is the first direction (nil: one
// from fresh); fresh fills a vector with a new random direction, for the
// start and to go on when the Krylov space is invariant before topK
// eigenvalues are found.
//
// After m products, AQ_m = Q_mT_m + β·q_{m+1}e_mᵀ with Q_m orthonormal.
// Each new direction is orthogonalised against every basis vector, by
// Gram–Schmidt repeated once when the first pass cancels more than a factor
// √2 of it (Kahan's "twice is enough"), so no spurious copies of
// converged eigenvalues appear. The Ritz values θ_i are the eigenvalues of
// the small symmetric T_m (gonum's EigenSym), s_i its unit eigenvectors;
// the residual of the Ritz pair (θ_i, Q_ms_i) has norm |β·s_i[m]|, and a
// symmetric A has an eigenvalue within that of θ_i (Parlett, The Symmetric
// Eigenvalue Problem). The run stops when every wanted bound is at most
// tol·|θ_i|, after spec.maxHVPs products, or when β ≈ 0 (the Krylov space is
// invariant, its Ritz values exact eigenvalues) with topK values at hand.
// As in ARPACK's test, a |θ_i| below ε^{2/3} (here times ‖T_m‖, so that the
// test does not depend on A's units) is replaced by that: relative accuracy
// there is beyond float64 products.
//
// Ritz values approach A's eigenvalues from inside its spectrum, so θ_1 ≤
// λ_max; the bound says θ_1 is close to an eigenvalue, and it is λ_max's
// unless the start direction is nearly orthogonal to λ_max's eigenvector
// (a random start is not, but a warm start from an earlier eigenvector can
// be when the top eigenvalues have crossed since).
//
// When the basis reaches spec.maxBasis vectors, the run restarts thickly
// (Wu and Simon, SIAM J. Matrix Anal. Appl. 22, 2000): it keeps the top
// Ritz vectors, whose T is diagonal with the coupling β·s_i[m] to the next
// direction, and goes on from the residual direction. A single start vector
// finds one copy of a repeated eigenvalue; the rest of its eigenspace is
// orthogonal to the Krylov space. A non-finite product ends the run with
// NaN values and no error (the caller's finiteness checks catch it).
func lanczos(ctx context.Context, dim int, apply func(ctx context.Context, v, out []float64) error, start []float64, fresh func(v []float64), spec lanczosSpec) (lanczosResult, error) {
	if spec.topK < 1 || !(spec.tol > 0 && spec.tol < 1) || spec.maxHVPs < 1 {
		panic(fmt.Sprintf("lanczos: bad spec %+v", spec))
	}
	var res lanczosResult
	if dim == 0 {
		res.converged = true
		return res, nil
	}
	maxBasis := spec.maxBasis
	if maxBasis == 0 {
		maxBasis = lanczosBasisSize(dim, spec.topK)
	}
	maxBasis = min(dim, max(maxBasis, spec.topK+1))

	store := make([][]float64, maxBasis) // basis vectors, allocated on first use
	vec := func(i int) []float64 {
		if store[i] == nil {
			store[i] = make([]float64, dim)
		}
		return store[i]
	}
	tm := make([]float64, maxBasis*maxBasis) // T_m, row stride maxBasis
	coef := make([]float64, maxBasis)
	w := make([]float64, dim)

	q := vec(0)
	if start != nil {
		copy(q, start)
	}
	if start == nil || !normalize(q) {
		fresh(q)
		if !normalize(q) {
			panic("lanczos: fresh gave a zero or non-finite direction")
		}
	}
	m := 1
	var norm float64 // the largest ‖A·q‖ seen, ‖A‖ on the Krylov space
	var ritz ritzPairs
	for {
		basis := store[:m]
		if err := apply(ctx, basis[m-1], w); err != nil {
			return res, err
		}
		res.hvps++
		aq := floats.Norm(w, 2)
		if !finite(aq) {
			res.values, res.residuals, res.vector = nanValues(min(spec.topK, m)), nanValues(min(spec.topK, m)), nil
			return res, nil
		}
		norm = max(norm, aq)
		beta := orthogonalize(w, basis, coef[:m])
		tm[(m-1)*maxBasis+m-1] = coef[m-1] // α; the other components are rounding
		if beta <= lanczosBreakdown*norm || m == dim {
			beta = 0 // invariant: a complete basis leaves no residual either
		}
		if err := ritz.factorize(tm, maxBasis, m); err != nil {
			return res, err
		}
		res.values, res.residuals = ritz.top(min(spec.topK, m), beta, res.values[:0], res.residuals[:0])
		met := m >= spec.topK || m == dim
		for _, r := range res.residuals {
			met = met && r <= spec.tol
		}
		if met {
			res.converged = true
			break
		}
		if res.hvps >= spec.maxHVPs {
			break
		}

		// The next direction: the residual, or a fresh one when the Krylov
		// space is invariant.
		if beta > 0 {
			floats.Scale(1/beta, w)
		} else {
			fresh(w)
			if !normalize(w) || !normalize2(w, basis, coef[:m]) {
				res.converged = true // the basis spans every direction fresh draws from
				break
			}
		}
		if m == maxBasis {
			m = ritz.restart(store, tm, maxBasis, m, restartKeep(m, spec.topK), beta)
		} else { // rows and columns past m are zero
			tm[(m-1)*maxBasis+m] = beta
			tm[m*maxBasis+m-1] = beta
		}
		copy(vec(m), w)
		m++
	}
	res.vector = ritz.vector(store[:m], dim)
	return res, nil
}

// restartKeep is how many of m Ritz vectors a thick restart for the top k
// keeps: the k wanted and half the rest, so each cycle adds as many new
// directions as it keeps old ones.
func restartKeep(m, k int) int { return k + (m-k)/2 }

// orthogonalize removes from w its components along the orthonormal basis
// by modified Gram–Schmidt, a second time when the first pass shrank w by
// more than √2 (then rounding may have left components of the size of the
// cancelled part), and returns ‖w‖. coef receives the components removed.
func orthogonalize(w []float64, basis [][]float64, coef []float64) float64 {
	clear(coef)
	before := floats.Norm(w, 2)
	var after float64
	for range 2 {
		for i, q := range basis {
			c := floats.Dot(q, w)
			coef[i] += c
			floats.AddScaled(w, -c, q)
		}
		after = floats.Norm(w, 2)
		if after > before/math.Sqrt2 {
			break
		}
		before = after
	}
	return after
}

// normalize scales v to unit length, or reports false when it is zero or
// not finite.
func normalize(v []float64) bool {
	n := floats.Norm(v, 2)
	if n == 0 || !finite(n) {
		return false
	}
	floats.Scale(1/n, v)
	return true
}

// normalize2 orthogonalises the unit vector w against basis and scales it
// to unit length again, or reports false when little of it was outside the
// basis's span (then the basis spans the space w was drawn from).
func normalize2(w []float64, basis [][]float64, coef []float64) bool {
	if orthogonalize(w, basis, coef) <= 1e-8 {
		return false
	}
	return normalize(w)
}

func nanValues(k int) []float64 {
	v := make([]float64, k)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

// ritzPairs is the eigendecomposition of T_m: values ascending as gonum
// gives them, vectors in the columns.
type ritzPairs struct {
	eig     mat.EigenSym
	values  []float64
	vectors mat.Dense
	m       int
}

// factorize decomposes the leading m×m block of t (row stride stride).
func (p *ritzPairs) factorize(t []float64, stride, m int) error {
	sym := mat.NewSymDense(m, nil)
	for i := range m {
		for j := i; j < m; j++ {
			sym.SetSym(i, j, t[i*stride+j])
		}
	}
	if !p.eig.Factorize(sym, true) {
		return fmt.Errorf("lanczos: the eigendecomposition of the %d×%d projected matrix did not converge", m, m)
	}
	p.values = p.eig.Values(nil)
	p.vectors.Reset()
	p.eig.VectorsTo(&p.vectors)
	p.m = m
	return nil
}

// top appends to values and residuals the k largest Ritz values and their
// relative residual bounds |β·s_i[m]| / max(|θ_i|, ε^{2/3}·‖T_m‖).
func (p *ritzPairs) top(k int, beta float64, values, residuals []float64) ([]float64, []float64) {
	m := p.m
	floor := math.Pow(0x1p-52, 2.0/3) * max(math.Abs(p.values[0]), math.Abs(p.values[m-1]))
	for i := range k {
		col := m - 1 - i
		theta := p.values[col]
		r := math.Abs(beta * p.vectors.At(m-1, col))
		if r > 0 {
			r /= max(math.Abs(theta), floor)
		}
		values = append(values, theta)
		residuals = append(residuals, r)
	}
	return values, residuals
}

// restart replaces the m basis vectors by the keep top Ritz vectors
// Q_m·s_i, in place, and T by diag(θ_i) with the coupling β·s_i[m] to the
// direction that comes next (row keep of t). It returns keep.
func (p *ritzPairs) restart(store [][]float64, t []float64, stride, m, keep int, beta float64) int {
	row := make([]float64, m)
	for r := range store[0] {
		for i := range m {
			row[i] = store[i][r]
		}
		for c := range keep {
			col := m - 1 - c
			var s float64
			for i, e := range row {
				s += e * p.vectors.At(i, col)
			}
			store[c][r] = s
		}
	}
	clear(t)
	for c := range keep {
		col := m - 1 - c
		t[c*stride+c] = p.values[col]
		t[keep*stride+c] = beta * p.vectors.At(m-1, col)
		t[c*stride+keep] = t[keep*stride+c]
	}
	return keep
}

// vector is the unit Ritz vector Q_m·s_1 of the top Ritz value.
func (p *ritzPairs) vector(basis [][]float64, dim int) []float64 {
	y := make([]float64, dim)
	for i, q := range basis {
		floats.AddScaled(y, p.vectors.At(i, p.m-1), q)
	}
	normalize(y)
	return y
}
