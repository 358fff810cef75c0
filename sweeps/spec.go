package sweeps

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// Limits on what a spec may ask for. They keep a typo from turning into a
// sweep that cannot finish or a parse that eats the machine.
const (
	MaxJobs        = 100_000    // most jobs a spec may expand to, |b| × |η| × |seeds|, unless Options.MaxJobs says otherwise
	MaxJobsCeiling = 10_000_000 // the largest Options.MaxJobs: every job of a sweep is held in memory at once
	MaxSourceBytes = 1 << 20    // largest spec file, in bytes
	MaxWorkers     = 1024       // most worker processes
	MaxEpochs      = 1_000_000  // cap on training.epochs
	MaxLayers      = 32         // most hidden layers
	MaxWidth       = 65536      // most units in one hidden layer
	MaxBlocks      = 8          // most conv blocks of a CNN
	MaxChannels    = 4096       // most channels in one conv block

	MNISTTrainSize = 60_000    // training examples in (Fashion-)MNIST: the cap on dataset.n
	MNISTTestSize  = 10_000    // test examples in (Fashion-)MNIST: the cap on dataset.test_n
	MaxSyntheticN  = 1_000_000 // cap on dataset.n and dataset.test_n for the synthetic set
	MaxSyntheticD  = 65536     // cap on the synthetic input dimension
	MaxClasses     = 256       // cap on synthetic classes (labels are bytes)
	MaxBand        = 16        // widest search.band, in octaves of η

	CIFAR10TrainSize = 50_000 // training records in CIFAR-10: the cap on its dataset.n
	CIFAR10TestSize  = 10_000 // test records in CIFAR-10: the cap on its dataset.test_n
)

// Executor says where a sweep's jobs run (the spec's executor section);
// the command line's flags override it. It changes no job ID.
type Executor struct {
	Kind        string // "local" (also for "") or "slurm"
	Dir         string // Slurm shared folder
	Partition   string
	TimeLimit   string // sbatch --time
	CPUsPerTask int
	Mem         string
	Throttle    int // the array's %N
	SbatchArgs  []string
}

// Search says which cells of the grid run (the spec's search section). It
// changes no job ID: a guided sweep's jobs are the grid's.
type Search struct {
	// Strategy is lssr.StrategyGrid (every cell, the default) or
	// lssr.StrategyLSSR (package search).
	Strategy string
	// Band and ScanSeeds tune the lssr strategy; 0 takes package search's
	// defaults.
	Band      float64
	ScanSeeds int
}

// Keep holds the training fields that change what is kept, not what is
// trained.
type Keep struct {
	// SaveWeights (training.save_weights) keeps every finished job's final
	// weights.
	SaveWeights bool
	// CheckpointEvery (training.checkpoint_every) takes a mid-job
	// checkpoint every so many epochs; 0 means about a minute of work apart.
	CheckpointEvery int
}

// Spec is a parsed, validated sweep spec with every default filled in.
type Spec struct {
	// Name labels the sweep in the store and in file names.
	Name string
	// Dataset, Model, Loss and Training are shared by every job.
	Dataset  lssr.DatasetSpec
	Model    lssr.ModelSpec
	Loss     lssr.Loss
	Training lssr.TrainingSpec
	// Keep says what is kept of the jobs besides their results; it goes on
	// each job, outside its ID.
	Keep Keep
	// Executor says where the jobs run.
	Executor Executor
	// Grid holds the values of b, η and seed the jobs range over.
	Grid Grid
	// Search says which of the grid's cells run.
	Search Search
	// Workers is the number of worker processes; runtime.NumCPU() (at most
	// MaxWorkers) when the spec leaves it out.
	Workers int
	// Source is the YAML exactly as given, kept so a sweep can be re-read or
	// shown later.
	Source []byte
	// Path is the file name the spec was read from (or the name given to
	// Parse); it prefixes every error.
	Path string

	lines map[string]int // field path → line, for Load's dataset errors
}

// namePattern is what a sweep name may look like: it ends up in file names.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Options changes the limits Parse and Load apply; the zero value gives
// the defaults.
type Options struct {
	// MaxJobs is the most jobs a spec may expand to (and the most values
	// one log2 range may give); 0 means MaxJobs, and more than
	// MaxJobsCeiling means MaxJobsCeiling. It guards against a typo
	// that turns a sweep into one that cannot finish, so a sweep that
	// means to be larger raises it ('lssr sweep run --max-jobs').
	MaxJobs int
}

// Parse parses and validates a spec with the default limits. filename only
// labels errors ("<spec>" when empty); Parse touches no file and has no side
// effects. Every error it returns wraps lssr.ErrBadInput and is one line:
// "file:line: field.path: problem".
func Parse(data []byte, filename string) (*Spec, error) {
	return ParseOptions(data, filename, Options{})
}

// ParseOptions is Parse with the limits of opts.
func ParseOptions(data []byte, filename string, opts Options) (*Spec, error) {
	if filename == "" {
		filename = "<spec>"
	}
	maxJobs := opts.MaxJobs
	if maxJobs <= 0 {
		maxJobs = MaxJobs
	}
	maxJobs = min(maxJobs, MaxJobsCeiling)
	d := &decoder{file: filename, lines: map[string]int{}, maxJobs: maxJobs}
	if len(data) > MaxSourceBytes {
		return nil, lssr.BadInput("%s: spec is %d bytes; the limit is %d", filename, len(data), MaxSourceBytes)
	}
	root, err := document(data, filename)
	if err != nil {
		return nil, err
	}
	d.rejectAliases(root, "")
	s := d.spec(root)
	if d.err != nil {
		return nil, d.err
	}
	s.Source = bytes.Clone(data)
	s.Path = filename
	s.lines = d.lines
	return s, nil
}

// yamlErrLine picks the line out of the YAML library's syntax errors.
var yamlErrLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// document parses exactly one YAML document and returns its root node.
func document(data []byte, filename string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, lssr.BadInput("%s:1: empty spec: no YAML document found", filename)
		}
		return nil, syntaxError(data, filename, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, lssr.BadInput("%s:%d: a spec is one YAML document; found a second one (remove the \"---\")", filename, next.Line)
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(data, filename, err)
	}
	if len(doc.Content) != 1 {
		return nil, lssr.BadInput("%s:1: empty spec: no YAML document found", filename)
	}
	return doc.Content[0], nil
}

// parserProblems are the YAML library's parser (not scanner) errors. It
// reports their line 0-based, and not at all on the first line, so they get
// one added (go.yaml.in/yaml/v3 v3.0.6, decode.go parser.fail).
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// syntaxError rewrites a YAML library error as "file:line: invalid YAML: ...".
// A problem found at the end of input is put on the last line there is.
func syntaxError(data []byte, filename string, err error) error {
	msg := strings.TrimPrefix(oneLine(err.Error()), "yaml: ")
	line := 0
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1]) // the pattern admits digits only
		msg = m[2]
	}
	if parserProblems[msg] {
		line++
	}
	lines := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	line = min(line, lines)
	if line == 0 {
		return lssr.BadInput("%s: invalid YAML: %s", filename, msg)
	}
	return lssr.BadInput("%s:%d: invalid YAML: %s", filename, line, msg)
}

// Load reads a spec file, parses it, and checks that the dataset files it
// names are there (dataset.Check), so a sweep fails before it starts
// rather than in every worker. Every error wraps lssr.ErrBadInput.
func Load(path string) (*Spec, error) {
	return LoadOptions(path, Options{})
}

// LoadOptions is Load with the limits of opts.
func LoadOptions(path string, opts Options) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return nil, lssr.BadInput("%s: cannot read spec: %v", path, err)
	}
	s, err := ParseOptions(data, path, opts)
	if err != nil {
		return nil, err
	}
	if err := dataset.Check(s.Dataset); err != nil {
		msg := oneLine(err.Error())
		var field *lssr.FieldError
		if errors.As(err, &field) {
			return nil, atLine(path, s.lineOf(field), field, msg)
		}
		// A data file that is there but cannot be opened has no field; it
		// is the user's to fix all the same.
		return nil, lssr.BadInput("%s:%d: %s", path, s.lines["dataset"], msg)
	}
	return s, nil
}

// lineOf finds the line of the spec field field is about; for a field the
// spec leaves out (dataset.dir, say) the line of its nearest enclosing
// section given, and failing that the dataset section's, where dataset
// errors belong.
func (s *Spec) lineOf(field *lssr.FieldError) int {
	for f := field.Path; f != ""; {
		if line, ok := s.lines[f]; ok {
			return line
		}
		dot := strings.LastIndexByte(f, '.')
		if dot < 0 {
			break
		}
		f = f[:dot]
	}
	return s.lines["dataset"]
}

// Rename gives the spec another sweep name (`lssr sweep run --as NAME`),
// checked as the spec's name: would be.
func (s *Spec) Rename(name string) error {
	if !namePattern.MatchString(name) {
		return lssr.BadInput("--as: must be 1–64 characters from A–Z a–z 0–9 . _ - starting with a letter or digit (it is used in file names), got %q", name)
	}
	s.Name = name
	return nil
}

// Config is the configuration every job of the spec shares: all that enters
// a job's ID but b, η and seed.
func (s *Spec) Config() lssr.Config {
	return lssr.Job{Dataset: s.Dataset, Model: s.Model, Loss: s.Loss, Training: s.Training}.Config()
}

// InGrid reports whether the grid has the cell (b, η) and the seed.
func (g Grid) InGrid(b int, lr float64, seed uint64) bool {
	return slices.Contains(g.BatchSizes, b) && slices.Contains(g.LearningRates, lr) && slices.Contains(g.Seeds, seed)
}

// Jobs expands the grid into one job per (b, η, seed): b-major, then η, then
// seed, each axis in spec order. Job.ID is Job.ContentID(), so it depends
// only on what decides the training outcome.
func (s *Spec) Jobs() []lssr.Job {
	g := s.Grid
	jobs := make([]lssr.Job, 0, len(g.BatchSizes)*len(g.LearningRates)*len(g.Seeds))
	for _, b := range g.BatchSizes {
		for _, lr := range g.LearningRates {
			for _, seed := range g.Seeds {
				j := lssr.Job{
					Sweep:     s.Name,
					Dataset:   s.Dataset,
					Model:     s.Model,
					Loss:      s.Loss,
					Training:  s.Training,
					BatchSize: b,
					LR:        lr,
					Seed:      seed,

					SaveWeights:     s.Keep.SaveWeights,
					CheckpointEvery: s.Keep.CheckpointEvery,
				}
				// Each job owns its slices: a caller editing one job's
				// model must not change the others. Channels stays nil
				// when the spec's is (an MLP).
				j.Model.Hidden = append([]int{}, s.Model.Hidden...)
				j.Model.Channels = slices.Clone(s.Model.Channels)
				j.ID = j.ContentID()
				jobs = append(jobs, j)
			}
		}
	}
	return jobs
}
