package dataset

import (
	"math"

	"github.com/lssr/lssr"
)

// Defaults and limits of the synthetic Gaussian mixture.
const (
	syntheticDim     = 20
	syntheticClasses = 4
	// syntheticSpread sets the centres' standard deviation σ = spread/√dim, so
	// the expected distance between two centres is spread·√2 ≈ 4.2 noise
	// standard deviations whatever the dimension: the nearest-centre (Bayes)
	// classifier of the default 20-dimensional, 4-class set scores about
	// 90-95 %, so a model can learn it but not trivially reach 100 %.
	syntheticSpread = 3
)

// syntheticShape returns the dimension and class count of a synthetic spec,
// with the defaults applied.
func syntheticShape(spec lssr.DatasetSpec) (dim, classes int, err error) {
	dim, classes = spec.Dim, spec.Classes
	if dim == 0 {
		dim = syntheticDim
	}
	if classes == 0 {
		classes = syntheticClasses
	}
	if dim < 1 || dim > 1<<16 {
		return 0, 0, lssr.BadField("dataset.dim", "must be between 1 and 65536, got %d", spec.Dim)
	}
	if classes < 2 || classes > 256 {
		return 0, 0, lssr.BadField("dataset.classes", "must be between 2 and 256, got %d", spec.Classes)
	}
	return dim, classes, nil
}

// synthetic draws the Gaussian mixture: class centres ~ N(0, σ²I), examples =
// centre + N(0, I). Centres, training and test examples come from three
// independent streams of SubsetSeed. Balanced sets label example i with
// class i mod classes; otherwise labels are uniform.
func synthetic(spec lssr.DatasetSpec) (*Data, error) {
	dim, classes, err := syntheticShape(spec)
	if err != nil {
		return nil, err
	}
	sigma := syntheticSpread / math.Sqrt(float64(dim))
	r := newRand(spec.SubsetSeed, streamCentres)
	centres := make([]float64, classes*dim)
	for i := range centres {
		centres[i] = sigma * r.NormFloat64()
	}
	draw := func(n int, stream uint64) Split {
		r := newRand(spec.SubsetSeed, stream)
		s := Split{X: make([]float32, n*dim), Y: make([]uint8, n), N: n}
		for i := range n {
			c := i % classes
			if !spec.Balanced {
				c = r.IntN(classes)
			}
			s.Y[i] = uint8(c)
			centre := centres[c*dim : (c+1)*dim]
			row := s.X[i*dim : (i+1)*dim]
			for j := range row {
				row[j] = float32(centre[j] + r.NormFloat64())
			}
		}
		return s
	}
	return &Data{
		Train:   draw(spec.N, streamSynTrain),
		Test:    draw(spec.TestN, streamSynTest),
		Dim:     dim,
		Classes: classes,
	}, nil
}
