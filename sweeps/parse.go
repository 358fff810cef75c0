package sweeps

import (
	"runtime"

	"go.yaml.in/yaml/v3"

	"github.com/lssr/lssr"
)

// Field names per level, in the order the format documents them; unknown
// field errors list them.
var (
	topFields      = []string{"name", "dataset", "model", "loss", "training", "grid", "search", "workers", "executor"}
	searchFields   = []string{"strategy", "band", "scan_seeds"}
	executorFields = []string{"kind", "dir", "partition", "time_limit", "cpus_per_task", "mem", "throttle", "sbatch_args"}
	datasetFields  = []string{"name", "dir", "n", "test_n", "balanced", "subset_seed", "dim", "classes"}
	modelFields    = []string{"kind", "hidden", "activation", "channels", "kernel", "pool", "batch_norm"}
	trainingFields = []string{"epochs", "sampling", "measure_every", "eval_every", "momentum", "nesterov",
		"curvature_every", "hessian_subset", "curvature_samples", "stop_early", "save_weights", "checkpoint_every"}
	gridFields = []string{"batch_sizes", "learning_rates", "seeds"}
)

// spec decodes the document root. Sections are read in the documented
// order; the first problem stops the parse.
func (d *decoder) spec(root *yaml.Node) *Spec {
	top := d.object(root, "", root.Line, topFields...)
	s := &Spec{}
	if n := top.need("name"); n != nil {
		s.Name = d.str(n, "name")
		if d.err == nil && !namePattern.MatchString(s.Name) {
			d.failf(n.Line, "name", "must be 1–64 characters from A–Z a–z 0–9 . _ - starting with a letter or digit (it is used in file names), got %s", describe(n))
		}
	}
	s.Dataset = d.dataset(top.need("dataset"), top.keyLine("dataset"))
	s.Model = d.model(top.need("model"), top.keyLine("model"))
	d.checkImages(s, top.keyLine("model"))
	s.Loss = lssr.LossCrossEntropy
	if n := top.get("loss"); n != nil {
		s.Loss = enum(d, n, "loss", lssr.Losses()...)
	}
	s.Training, s.Keep = d.training(top.need("training"), top.keyLine("training"), s.Dataset.N)
	s.Grid = d.grid(top.need("grid"), top.keyLine("grid"), s.Dataset.N)
	s.Search = Search{Strategy: lssr.StrategyGrid}
	if n := top.get("search"); n != nil {
		s.Search = d.search(n, top.keyLine("search"), len(s.Grid.Seeds))
	}
	s.Workers = min(runtime.NumCPU(), MaxWorkers)
	if n := top.get("executor"); n != nil {
		s.Executor = d.executor(n, top.keyLine("executor"))
	}
	if n := top.get("workers"); n != nil {
		s.Workers = int(d.integer(n, "workers", 1, MaxWorkers))
	}
	return s
}

// checkImages fails a CNN on data that are not images, or with more conv
// blocks than 2×2 pooling can halve the images for.
func (d *decoder) checkImages(s *Spec, line int) {
	if d.err != nil || s.Model.Kind != lssr.ModelCNN {
		return
	}
	side := map[string]int{"mnist": 28, "fashion-mnist": 28, "cifar10": 32}[s.Dataset.Name]
	if side == 0 {
		d.failf(line, "model.kind", "a cnn needs image data (mnist, fashion-mnist, cifar10); dataset %s has plain features", s.Dataset.Name)
		return
	}
	for range s.Model.Channels {
		side /= 2
	}
	if side < 1 {
		d.failf(line, "model.channels", "%d conv blocks halve %s's images below one pixel; use at most %d", len(s.Model.Channels), s.Dataset.Name, blocksFor(s.Dataset.Name))
	}
}

// blocksFor is how many 2×2 poolings a dataset's images take.
func blocksFor(name string) int {
	if name == "cifar10" {
		return 5
	}
	return 4
}

// dataset decodes the dataset section and applies its defaults.
func (d *decoder) dataset(n *yaml.Node, line int) lssr.DatasetSpec {
	ds := lssr.DatasetSpec{Balanced: true}
	if d.err != nil {
		return ds
	}
	o := d.object(n, "dataset", line, datasetFields...)
	ds.Name = enum(d, o.need("name"), "dataset.name",
		lssr.DatasetFashionMNIST, lssr.DatasetMNIST, lssr.DatasetCIFAR10, lssr.DatasetSynthetic)
	synthetic := ds.Name == lssr.DatasetSynthetic
	if ds.Name == lssr.DatasetCIFAR10 && o.get("dir") == nil {
		// No package ships CIFAR-10, so there is no default place to look.
		d.failf(o.line, "dataset.dir", "missing (required for cifar10, which has no default place): the folder of data_batch_1.bin … data_batch_5.bin and test_batch.bin")
	}
	if dir := o.get("dir"); dir != nil {
		if synthetic {
			d.failf(o.keyLine("dir"), "dataset.dir", "synthetic data is generated, not read: remove the field")
		}
		ds.Dir = d.str(dir, "dataset.dir")
		if d.err == nil && ds.Dir == "" {
			d.failf(dir.Line, "dataset.dir", "must not be empty (omit the field for the default place)")
		}
	}
	maxN, maxTestN, testN := MNISTTrainSize, MNISTTestSize, MNISTTestSize
	switch ds.Name {
	case lssr.DatasetSynthetic:
		maxN, maxTestN, testN = MaxSyntheticN, MaxSyntheticN, 1000
	case lssr.DatasetCIFAR10:
		maxN, maxTestN, testN = CIFAR10TrainSize, CIFAR10TestSize, CIFAR10TestSize
	}
	ds.N = int(d.integer(o.need("n"), "dataset.n", 1, int64(maxN)))
	ds.TestN = testN
	if t := o.get("test_n"); t != nil {
		ds.TestN = int(d.integer(t, "dataset.test_n", 1, int64(maxTestN)))
	}
	if b := o.get("balanced"); b != nil {
		ds.Balanced = d.boolean(b, "dataset.balanced")
	}
	if s := o.get("subset_seed"); s != nil {
		ds.SubsetSeed = d.uinteger(s, "dataset.subset_seed")
	}
	if synthetic {
		ds.Dim = int(d.integer(o.need("dim"), "dataset.dim", 1, MaxSyntheticD))
		ds.Classes = int(d.integer(o.need("classes"), "dataset.classes", 2, MaxClasses))
		return ds
	}
	for _, k := range []string{"dim", "classes"} {
		if o.get(k) != nil {
			d.failf(o.keyLine(k), "dataset."+k, "only for dataset synthetic (dataset.name is %q): remove the field", ds.Name)
		}
	}
	return ds
}

// model decodes the model section.
func (d *decoder) model(n *yaml.Node, line int) lssr.ModelSpec {
	m := lssr.ModelSpec{Activation: lssr.ActivationReLU, Hidden: []int{}}
	if d.err != nil {
		return m
	}
	o := d.object(n, "model", line, modelFields...)
	m.Kind = enum(d, o.need("kind"), "model.kind", lssr.ModelKinds()...)
	hidden := o.need("hidden")
	items := d.list(hidden, "model.hidden", "layer widths (may be empty: [])")
	if d.err == nil && len(items) > MaxLayers {
		d.failf(hidden.Line, "model.hidden", "at most %d hidden layers, got %d", MaxLayers, len(items))
	}
	for i, item := range items {
		m.Hidden = append(m.Hidden, int(d.integer(item, index("model.hidden", i), 1, MaxWidth)))
	}
	if a := o.get("activation"); a != nil {
		m.Activation = enum(d, a, "model.activation", lssr.Activations()...)
	}
	if b := o.get("batch_norm"); b != nil {
		m.BatchNorm = d.boolean(b, "model.batch_norm")
	}
	if m.Kind == lssr.ModelMLP {
		for _, k := range []string{"channels", "kernel", "pool"} {
			if o.get(k) != nil {
				d.failf(o.keyLine(k), "model."+k, "only for kind cnn (model.kind is mlp): remove the field")
			}
		}
		return m
	}
	d.cnn(o, &m)
	return m
}

// cnn decodes the fields of a CNN: its conv blocks' channel widths, kernel
// size and pooling.
func (d *decoder) cnn(o *object, m *lssr.ModelSpec) {
	channels := o.need("channels")
	items := d.list(channels, "model.channels", "conv block widths, e.g. [16, 32]")
	if d.err == nil && (len(items) == 0 || len(items) > MaxBlocks) {
		d.failf(channels.Line, "model.channels", "want 1…%d conv blocks, got %d", MaxBlocks, len(items))
	}
	for i, item := range items {
		m.Channels = append(m.Channels, int(d.integer(item, index("model.channels", i), 1, MaxChannels)))
	}
	if k := o.get("kernel"); k != nil {
		m.Kernel = int(d.integer(k, "model.kernel", 1, 15))
		if d.err == nil && m.Kernel%2 == 0 {
			d.failf(k.Line, "model.kernel", "must be odd (padding kernel/2 keeps the image size), got %d", m.Kernel)
		}
		if m.Kernel == 3 {
			m.Kernel = 0 // the default: one way to say it keeps job IDs from splitting
		}
	}
	if p := o.get("pool"); p != nil {
		m.Pool = enum(d, p, "model.pool", lssr.Pools()...)
		if m.Pool == lssr.PoolMax {
			m.Pool = "" // the default, as for the kernel
		}
	}
}

// training decodes the training section. save_weights and
// checkpoint_every are returned apart from the TrainingSpec: they decide
// what is kept, not how the job trains.
func (d *decoder) training(n *yaml.Node, line, datasetN int) (t lssr.TrainingSpec, keep Keep) {
	t = lssr.TrainingSpec{Sampling: lssr.SamplingWithout}
	if d.err != nil {
		return t, keep
	}
	o := d.object(n, "training", line, trainingFields...)
	t.Epochs = int(d.integer(o.need("epochs"), "training.epochs", 1, MaxEpochs))
	if s := o.get("sampling"); s != nil {
		t.Sampling = enum(d, s, "training.sampling", lssr.Samplings()...)
	}
	if k := o.get("measure_every"); k != nil && d.err == nil {
		// Beyond the epoch count it would mean "at the end only", which
		// is 0: one way to say it keeps job IDs from splitting.
		t.MeasureEvery = int(d.integer(k, "training.measure_every", 0, int64(t.Epochs)))
	}
	if k := o.get("eval_every"); k != nil && d.err == nil {
		// It decides what is recorded, not what is trained, so it is left
		// out of the job ID (lssr.Job.ContentID) whatever its value.
		t.EvalEvery = int(d.integer(k, "training.eval_every", 0, int64(t.Epochs)))
	}
	// Generalised momentum (eq. 13–14) as users write it: momentum β gives
	// Polyak (β1 = β, β2 = 0), with nesterov: true Nesterov (β2 = β1).
	if k := o.get("momentum"); k != nil && d.err == nil {
		beta := d.number(k, "training.momentum")
		if d.err == nil && !(beta >= 0 && beta < 1) {
			d.failf(k.Line, "training.momentum", "must be in [0, 1), got %s", shown(k.Value))
		}
		t.Beta1 = beta
	}
	if k := o.get("nesterov"); k != nil && d.err == nil {
		if d.boolean(k, "training.nesterov") {
			if t.Beta1 == 0 {
				d.failf(k.Line, "training.nesterov", "needs training.momentum > 0")
			}
			t.Beta2 = t.Beta1
		}
	}
	if k := o.get("curvature_every"); k != nil && d.err == nil {
		t.CurvatureEvery = int(d.integer(k, "training.curvature_every", 0, int64(t.Epochs)))
	}
	if k := o.get("hessian_subset"); k != nil && d.err == nil {
		// At most n: a larger subset would be the whole set under another ID.
		t.HessianSubset = int(d.integer(k, "training.hessian_subset", 1, int64(max(datasetN, 1))))
	}
	if k := o.get("curvature_samples"); k != nil && d.err == nil {
		t.CurvatureSamples = int(d.integer(k, "training.curvature_samples", 1, 10_000))
	}
	if k := o.get("stop_early"); k != nil && d.err == nil {
		// 0 would mean "never stop", which leaving the field out says: one
		// way to say it keeps job IDs from splitting.
		frac := d.number(k, "training.stop_early")
		if d.err == nil && !(frac > 0 && frac <= 1) {
			d.failf(k.Line, "training.stop_early", "must be a fraction of the epochs in (0, 1], got %s", shown(k.Value))
		}
		t.StopEarly = frac
	}
	if k := o.get("save_weights"); k != nil && d.err == nil {
		keep.SaveWeights = d.boolean(k, "training.save_weights")
	}
	if k := o.get("checkpoint_every"); k != nil && d.err == nil {
		keep.CheckpointEvery = int(d.integer(k, "training.checkpoint_every", 1, int64(t.Epochs)))
	}
	return t, keep
}

// grid decodes the grid section and checks the job count. n is dataset.n,
// the largest batch size allowed.
func (d *decoder) grid(n *yaml.Node, line, datasetN int) Grid {
	var g Grid
	if d.err != nil {
		return g
	}
	o := d.object(n, "grid", line, gridFields...)
	g.BatchSizes = d.batchSizes(o.need("batch_sizes"), "grid.batch_sizes", o.keyLine("batch_sizes"), datasetN)
	g.LearningRates = d.learningRates(o.need("learning_rates"), "grid.learning_rates", o.keyLine("learning_rates"))
	g.Seeds = []uint64{0}
	if s := o.get("seeds"); s != nil {
		g.Seeds = d.seeds(s, "grid.seeds")
	}
	if d.err != nil {
		return g
	}
	nb, nlr, ns := len(g.BatchSizes), len(g.LearningRates), len(g.Seeds)
	// Each axis holds at most a million values (the spec's size limit
	// bounds the lists, MaxJobsCeiling the ranges): in float64 the product
	// cannot overflow, and it is exact up to 2^53, far past any limit.
	if jobs := float64(nb) * float64(nlr) * float64(ns); jobs > float64(d.maxJobs) {
		d.failf(line, "grid", "%d batch sizes × %d learning rates × %d seeds = %.0f jobs; the limit is %d (lssr sweep run --max-jobs N raises it)",
			nb, nlr, ns, jobs, d.maxJobs)
	}
	return g
}

// executor decodes where the jobs run: local worker processes (the
// default) or a Slurm cluster, with its sbatch settings.
func (d *decoder) executor(n *yaml.Node, line int) Executor {
	var e Executor
	if d.err != nil {
		return e
	}
	o := d.object(n, "executor", line, executorFields...)
	e.Kind = enum(d, o.need("kind"), "executor.kind", "local", "slurm")
	for _, f := range []struct {
		name string
		dst  *string
	}{{"dir", &e.Dir}, {"partition", &e.Partition}, {"time_limit", &e.TimeLimit}, {"mem", &e.Mem}} {
		if v := o.get(f.name); v != nil {
			*f.dst = d.str(v, "executor."+f.name)
		}
	}
	if v := o.get("cpus_per_task"); v != nil {
		e.CPUsPerTask = int(d.integer(v, "executor.cpus_per_task", 1, 1024))
	}
	if v := o.get("throttle"); v != nil {
		e.Throttle = int(d.integer(v, "executor.throttle", 1, 100000))
	}
	if v := o.get("sbatch_args"); v != nil {
		for i, item := range d.list(v, "executor.sbatch_args", "extra sbatch arguments, e.g. [--qos=long]") {
			e.SbatchArgs = append(e.SbatchArgs, d.str(item, index("executor.sbatch_args", i)))
		}
	}
	if e.Kind == "local" && (e.Dir != "" || e.Partition != "" || e.TimeLimit != "" || e.Mem != "" || e.CPUsPerTask != 0 || e.Throttle != 0 || e.SbatchArgs != nil) {
		d.failf(line, "executor", "partition, time_limit, … are for kind slurm (executor.kind is local)")
	}
	return e
}

// search decodes the search section: which cells of the grid to run.
// seeds is the grid's seed count, the most scan_seeds can be.
func (d *decoder) search(n *yaml.Node, line, seeds int) Search {
	s := Search{Strategy: lssr.StrategyGrid}
	if d.err != nil {
		return s
	}
	o := d.object(n, "search", line, searchFields...)
	s.Strategy = enum(d, o.need("strategy"), "search.strategy", lssr.Strategies...)
	if k := o.get("band"); k != nil && d.err == nil {
		s.Band = d.number(k, "search.band")
		if d.err == nil && !(s.Band > 0 && s.Band <= MaxBand) {
			d.failf(k.Line, "search.band", "must be more than 0 and at most %d octaves of η, got %s", MaxBand, shown(k.Value))
		}
	}
	if k := o.get("scan_seeds"); k != nil && d.err == nil {
		s.ScanSeeds = int(d.integer(k, "search.scan_seeds", 1, int64(max(seeds, 1))))
	}
	if d.err == nil && s.Strategy == lssr.StrategyGrid && (s.Band != 0 || s.ScanSeeds != 0) {
		d.failf(line, "search", "band and scan_seeds are for strategy lssr (search.strategy is grid)")
	}
	return s
}
