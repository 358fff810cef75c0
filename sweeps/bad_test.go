package sweeps

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// badSpecs lists every file in testdata/bad with the line and field its
// error must name and a fragment of the message. line 0 means the error
// carries no line (the YAML library gave none).
var badSpecs = []struct {
	file  string
	line  int
	field string // "" for errors about the document as a whole
	frag  string
}{
	{"alias.yaml", 18, "grid.learning_rates", "aliases (*bs) are not supported"},
	{"bad-activation.yaml", 10, "model.activation", `must be one of relu, tanh; got "sigmoid"`},
	{"bad-dataset-name.yaml", 4, "dataset.name", `must be one of fashion-mnist, mnist, cifar10, synthetic; got "cifar100"`},
	{"bad-loss.yaml", 11, "loss", `must be one of cross-entropy, mse; got "hinge"`},
	{"bad-model-kind.yaml", 8, "model.kind", `got "resnet"`},
	{"bad-pool.yaml", 9, "model.pool", `must be one of max, avg; got "min"`},
	{"batch-norm-string.yaml", 9, "model.batch_norm", `want true or false, got "yes"`},
	{"channels-for-mlp.yaml", 8, "model.channels", "only for kind cnn"},
	{"cnn-even-kernel.yaml", 9, "model.kernel", "must be odd"},
	{"cnn-no-channels.yaml", 8, "model.channels", "want 1…8 conv blocks, got 0"},
	{"cnn-synthetic.yaml", 8, "model.kind", "a cnn needs image data"},
	{"cnn-too-many-blocks.yaml", 6, "model.channels", "5 conv blocks halve fashion-mnist's images below one pixel; use at most 4"},
	{"executor-local-with-partition.yaml", 7, "executor", "are for kind slurm"},
	{"executor-unknown-kind.yaml", 8, "executor.kind", `must be one of local, slurm; got "kubernetes"`},
	{"bad-sampling.yaml", 14, "training.sampling", `must be one of without, with`},
	{"balanced-yes.yaml", 7, "dataset.balanced", `want true or false, got "yes"`},
	{"batch-above-n.yaml", 17, "grid.batch_sizes[1]", "must be between 1 and dataset.n (2048), got 4096"},
	{"batch-float.yaml", 17, "grid.batch_sizes[0]", "want an integer, got 8.5"},
	{"batch-zero.yaml", 17, "grid.batch_sizes[0]", "got 0"},
	{"cifar10-without-dir.yaml", 3, "dataset.dir", "missing (required for cifar10, which has no default place)"},
	{"dataset-not-mapping.yaml", 3, "dataset", `want a mapping with fields name, dir, n`},
	{"dim-for-mnist.yaml", 7, "dataset.dim", "only for dataset synthetic"},
	{"duplicate-batch.yaml", 20, "grid.batch_sizes[2]", "duplicate value 8 (also at [0])"},
	{"duplicate-key.yaml", 6, "dataset.n", "duplicate field (first given at line 5)"},
	{"duplicate-lr.yaml", 18, "grid.learning_rates[2]", "duplicate value 1e-1 (also at [1])"},
	{"duplicate-seed.yaml", 19, "grid.seeds[2]", "duplicate value 1"},
	{"empty-batch-sizes.yaml", 17, "grid.batch_sizes", "empty list"},
	{"empty-bytes.yaml", 1, "", "empty spec"},
	{"empty-seeds.yaml", 19, "grid.seeds", "empty list"},
	{"empty.yaml", 1, "", "empty spec"},
	{"epochs-not-integer.yaml", 13, "training.epochs", `want an integer, got "ten"`},
	{"hidden-not-list.yaml", 9, "model.hidden", "want a list of layer widths"},
	{"lr-inf.yaml", 18, "grid.learning_rates[0]", "must be a finite number > 0, got .inf"},
	{"lr-nan.yaml", 18, "grid.learning_rates[1]", "must be a finite number > 0, got .nan"},
	{"lr-negative.yaml", 21, "grid.learning_rates[2]", "must be a finite number > 0, got -0.1"},
	{"lr-string.yaml", 18, "grid.learning_rates[0]", `want a number, got "fast"`},
	{"lr-zero.yaml", 18, "grid.learning_rates[0]", "must be a finite number > 0, got 0"},
	{"measure-every-above-epochs.yaml", 15, "training.measure_every", "between 0 and 10, got 20"},
	{"eval-every-above-epochs.yaml", 14, "training.eval_every", "between 0 and 10, got 11"},
	{"eval-every-negative.yaml", 14, "training.eval_every", "between 0 and 10, got -1"},
	{"eval-every-float.yaml", 14, "training.eval_every", "want an integer, got 2.5"},
	{"eval-every-string.yaml", 14, "training.eval_every", `want an integer, got "often"`},
	{"missing-epochs.yaml", 12, "training.epochs", "missing (required)"},
	{"missing-grid.yaml", 2, "grid", "missing (required)"},
	{"missing-name.yaml", 2, "name", "missing (required)"},
	{"n-too-large.yaml", 5, "dataset.n", "between 1 and 60000, got 70000"},
	{"name-number.yaml", 2, "name", "want a string, got 2024"},
	{"negative-n.yaml", 5, "dataset.n", "got -5"},
	{"negative-seed.yaml", 19, "grid.seeds[1]", "got -1"},
	{"null-epochs.yaml", 13, "training.epochs", "want an integer, got nothing"},
	{"range-above-n.yaml", 17, "grid.batch_sizes", "got 2^12 = 4096"},
	{"range-empty.yaml", 18, "grid.learning_rates.log2_to", "empty range"},
	{"range-not-integer.yaml", 17, "grid.batch_sizes", "2^3.5 = 11.31370849898476 is not an integer batch size"},
	{"range-zero-step.yaml", 18, "grid.learning_rates.log2_step", "must be > 0, got 0"},
	{"root-list.yaml", 2, "", "want a mapping with fields name, dataset"},
	{"syntax-error.yaml", 7, "", "invalid YAML: mapping values are not allowed"},
	{"synthetic-missing-dim.yaml", 3, "dataset.dim", "missing (required)"},
	{"test-n-too-large.yaml", 6, "dataset.test_n", "between 1 and 10000, got 20000"},
	{"too-many-jobs.yaml", 16, "grid", "11 batch sizes × 10001 learning rates × 1 seeds = 110011 jobs; the limit is 100000"},
	{"two-documents.yaml", 21, "", "one YAML document"},
	{"unclosed-list.yaml", 17, "", "invalid YAML: did not find expected ',' or ']'"},
	{"unknown-dataset-field.yaml", 5, "dataset.nn", "unknown field (known: name, dir, n, test_n, balanced, subset_seed, dim, classes)"},
	{"unknown-grid-field.yaml", 19, "grid.seed", "unknown field (known: batch_sizes, learning_rates, seeds)"},
	{"unknown-range-field.yaml", 18, "grid.learning_rates.log2_stop", "unknown field (known: log2_from, log2_to, log2_step)"},
	{"unknown-top-field.yaml", 21, "worker", "unknown field (known: name, dataset, model, loss, training, grid, search, workers, executor)"},
	{"unsafe-name.yaml", 2, "name", `got "../../etc/passwd"`},
	{"workers-zero.yaml", 20, "workers", "between 1 and 1024, got 0"},
	{"zero-epochs.yaml", 13, "training.epochs", "got 0"},
	{"zero-width.yaml", 9, "model.hidden[1]", "between 1 and 65536, got 0"},
	{"momentum-one.yaml", 14, "training.momentum", "must be in [0, 1), got 1"},
	{"nesterov-without-momentum.yaml", 14, "training.nesterov", "needs training.momentum > 0"},
	{"hessian-subset-above-n.yaml", 15, "training.hessian_subset", "between 1 and 2048, got 4096"},
	{"curvature-every-above-epochs.yaml", 14, "training.curvature_every", "between 0 and 10, got 11"},
	{"save-weights-not-bool.yaml", 14, "training.save_weights", "want true or false, got 1"},
	{"stop-early-zero.yaml", 14, "training.stop_early", "must be a fraction of the epochs in (0, 1], got 0"},
	{"stop-early-above-one.yaml", 14, "training.stop_early", "must be a fraction of the epochs in (0, 1], got 1.5"},

	// Hostile input: expansion bombs, stack exhaustion, bytes that are no
	// text, names that would escape the output folder, look-alike letters,
	// numbers at and beyond the machine's limits.
	{"alias-bomb.yaml", 3, "l1[0]", "YAML aliases (*l0) are not supported"},
	{"deep-nesting.yaml", 2, "", "invalid YAML: exceeded max depth of 10000"},
	{"deep-value.yaml", 9, "model.hidden[0]", "want an integer, got a list"},
	{"bom.yaml", 7, "dataset.subset", "unknown field"},
	{"crlf.yaml", 7, "dataset.subset", "unknown field"},
	{"binary-garbage.yaml", 0, "", "invalid YAML: invalid leading UTF-8 octet"},
	{"tab-indent.yaml", 4, "", "invalid YAML: found a tab character that violates indentation"},
	{"three-documents.yaml", 23, "", "a spec is one YAML document; found a second one"},
	{"complex-key.yaml", 11, "", "field names must be plain words, got a list"},
	{"python-tag.yaml", 2, "name", "want a string, got a list"},
	{"grid-string.yaml", 16, "grid", `want a mapping with fields batch_sizes, learning_rates, seeds, got "all of them"`},
	{"key-quoted-duplicate.yaml", 16, "training.epochs", "duplicate field (first given at line 13)"},
	{"nul-in-name.yaml", 2, "name", `(it is used in file names), got "bad\x00.db"`},
	{"name-slash.yaml", 2, "name", `got "runs/bad"`},
	{"name-dotdot.yaml", 2, "name", `got ".."`},
	{"name-absolute.yaml", 2, "name", `got "/etc/cron.d/lssr"`},
	{"name-backslash.yaml", 2, "name", `got "a\\..\\..\\evil"`},
	{"name-hidden.yaml", 2, "name", `got ".bashrc"`},
	{"name-lookalike.yaml", 2, "name", "got \"quickst\u0430rt\""},
	{"dataset-lookalike.yaml", 4, "dataset.name", "got \"mn\u0456st\""},
	{"field-lookalike.yaml", 13, "training.\u0435pochs", "unknown field"},
	{"lr-neg-inf.yaml", 18, "grid.learning_rates[1]", "must be a finite number > 0, got -.inf"},
	{"lr-negative-zero.yaml", 18, "grid.learning_rates[1]", "must be a finite number > 0, got -0.0"},
	{"lr-overflow.yaml", 18, "grid.learning_rates[0]", "number 1e400 is beyond the range of float64"},
	{"lr-tiny-nan-range.yaml", 18, "grid.learning_rates.log2_from", "must be a finite number, got .NaN"},
	{"batch-1e30.yaml", 17, "grid.batch_sizes[1]", "want an integer, got 1e30"},
	{"batch-negative.yaml", 17, "grid.batch_sizes[1]", "must be between 1 and dataset.n (2048), got -16"},
	{"batch-overflow.yaml", 17, "grid.batch_sizes[0]", "integer 18446744073709551616 is out of range"},
	{"epochs-2-63.yaml", 13, "training.epochs", "integer 9223372036854775808 is out of range"},
	{"epochs-max-int64.yaml", 13, "training.epochs", "between 1 and 1000000, got 9223372036854775807"},
	{"seed-overflow.yaml", 19, "grid.seeds[1]", "must be an integer between 0 and 18446744073709551615, got 18446744073709551616"},
	{"n-zero.yaml", 5, "dataset.n", "between 1 and 60000, got 0"},
	{"width-negative.yaml", 9, "model.hidden[1]", "between 1 and 65536, got -64"},
	{"too-many-jobs-product.yaml", 16, "grid", "2 batch sizes × 50001 learning rates × 1 seeds = 100002 jobs; the limit is 100000"},
}

func TestBadSpecs(t *testing.T) {
	listed := map[string]bool{}
	for _, tc := range badSpecs {
		listed[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := Parse(data, path)
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", spec)
			}
			checkBadInput(t, err, path, tc.line, tc.field, tc.frag)
		})
	}
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s has no entry in badSpecs", f)
		}
	}
}

// checkBadInput asserts the shape every spec error must have: it wraps
// lssr.ErrBadInput, is one line, and starts "file:line: field: "; an error
// about a field also carries it as a *lssr.FieldError.
func checkBadInput(t *testing.T, err error, file string, line int, field, frag string) {
	t.Helper()
	msg := err.Error()
	if !errors.Is(err, lssr.ErrBadInput) {
		t.Errorf("error does not wrap lssr.ErrBadInput: %v", err)
	}
	var fe *lssr.FieldError
	if found := errors.As(err, &fe); field != "" && (!found || fe.Path != field) {
		t.Errorf("error %q: errors.As found field %+v, want path %q", msg, fe, field)
	} else if field == "" && found {
		t.Errorf("error %q names no field but carries %+v", msg, fe)
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	prefix := file + ":"
	if line > 0 {
		prefix += strconv.Itoa(line) + ":"
	}
	if field != "" {
		prefix += " " + field + ":"
	}
	if !strings.HasPrefix(msg, prefix+" ") {
		t.Errorf("error %q\ndoes not start with %q", msg, prefix+" ")
	}
	if !strings.Contains(msg, frag) {
		t.Errorf("error %q\ndoes not contain %q", msg, frag)
	}
}

// TestBadInline covers problems that are easier to state inline: YAML
// syntax corner cases, odd scalars and limits.
func TestBadInline(t *testing.T) {
	const rest = "model: {kind: mlp, hidden: []}\ntraining: {epochs: 1}\n"
	const grid = "grid: {batch_sizes: [1], learning_rates: [0.1]}\n"
	const head = "name: x\ndataset: {name: mnist, n: 10}\n" + rest
	cases := []struct {
		name, yaml string
		line       int
		field      string
		frag       string
	}{
		{"tab indent", "name: x\ndataset:\n\tname: mnist\n", 3, "", "invalid YAML"},
		{"block mapping without key", "name: x\ndataset:\n  name: mnist\n n: 3\n", 4, "", "invalid YAML: did not find expected key"},
		{"error on line 1", "[a, b", 1, "", "invalid YAML: did not find expected ',' or ']'"},
		{"error at end", "[a, b\n", 1, "", "invalid YAML: did not find expected ',' or ']'"},
		{"scalar root", "hello\n", 1, "", `want a mapping with fields name, dataset, model, loss, training, grid, search, workers, executor, got "hello"`},
		{"non-string key", head + grid + "1: 2\n", 6, "", "field names must be plain words, got 1"},
		{"huge integer", head + "grid: {batch_sizes: [99999999999999999999999], learning_rates: [0.1]}\n", 5, "grid.batch_sizes[0]", "integer 99999999999999999999999 is out of range"},
		{"custom tag", "name: !foo x\n" + "dataset: {name: mnist, n: 10}\n" + rest + grid, 1, "name", `want a string, got !foo "x"`},
		{"binary name", "name: !!binary eA==\n", 1, "name", "want a string"},
		{"merge key alias", "name: x\nd: &d {name: mnist, n: 10}\ndataset:\n  <<: *d\n", 4, "dataset.<<", "aliases (*d) are not supported"},
		{"anchor on unknown", "name: x\nfoo: &a 1\n", 2, "foo", "unknown field"},
		{"dir empty", "name: x\ndataset: {name: mnist, n: 10, dir: ''}\n", 2, "dataset.dir", "must not be empty"},
		{"dir for synthetic", "name: x\ndataset: {name: synthetic, n: 10, dir: /d}\n", 2, "dataset.dir", "synthetic data is generated"},
		{"classes for mnist", "name: x\ndataset: {name: mnist, n: 10, classes: 3}\n", 2, "dataset.classes", "only for dataset synthetic"},
		{"one class", "name: x\ndataset: {name: synthetic, n: 10, dim: 2, classes: 1}\n", 2, "dataset.classes", "between 2 and 256"},
		{"synthetic test_n", "name: x\ndataset: {name: synthetic, n: 10, test_n: 0, dim: 2, classes: 2}\n", 2, "dataset.test_n", "between 1 and 1000000"},
		{"negative subset seed", "name: x\ndataset: {name: mnist, n: 10, subset_seed: -1}\n", 2, "dataset.subset_seed", "got -1"},
		{"too many layers", "name: x\ndataset: {name: mnist, n: 10}\nmodel: {kind: mlp, hidden: [" + strings.Repeat("1, ", 33) + "1]}\n", 3, "model.hidden", "at most 32 hidden layers, got 34"},
		{"range from inf", head + "grid: {batch_sizes: [1], learning_rates: {log2_from: -.inf, log2_to: 0}}\n", 5, "grid.learning_rates.log2_from", "must be a finite number, got -.inf"},
		{"range step nan", head + "grid: {batch_sizes: [1], learning_rates: {log2_from: -1, log2_to: 0, log2_step: .nan}}\n", 5, "grid.learning_rates.log2_step", "finite"},
		{"range underflows", head + "grid: {batch_sizes: [1], learning_rates: {log2_from: -2000, log2_to: -1999}}\n", 5, "grid.learning_rates", "got 2^-2000 = 0"},
		{"range missing to", head + "grid: {batch_sizes: [1], learning_rates: {log2_from: -1}}\n", 5, "grid.learning_rates.log2_to", "missing (required)"},
		{"range too long", head + "grid: {batch_sizes: [1], learning_rates: {log2_from: 0, log2_to: 1, log2_step: 1e-9}}\n", 5, "grid.learning_rates", "more than 100000 values"},
		{"range below 1", head + "grid: {batch_sizes: {log2_from: -1, log2_to: 0}, learning_rates: [0.1]}\n", 5, "grid.batch_sizes", "2^-1 = 0.5 is not an integer"},
		{"axis scalar", head + "grid: {batch_sizes: 8, learning_rates: [0.1]}\n", 5, "grid.batch_sizes", "want a list of batch sizes or a log2 range"},
		{"seeds range", head + "grid: {batch_sizes: [1], learning_rates: [0.1], seeds: {log2_from: 0, log2_to: 1}}\n", 5, "grid.seeds", "want a list of seeds, got a mapping"},
		{"seed float", head + "grid: {batch_sizes: [1], learning_rates: [0.1], seeds: [1.5]}\n", 5, "grid.seeds[0]", "want a non-negative integer, got 1.5"},
		{"workers string", head + grid + "workers: many\n", 6, "workers", `want an integer, got "many"`},
		{"stop_early negative", stopEarly("-0.25"), 4, "training.stop_early", "in (0, 1], got -0.25"},
		{"stop_early negative zero", stopEarly("-0.0"), 4, "training.stop_early", "in (0, 1], got -0.0"},
		{"stop_early just above 1", stopEarly("1.0000000000000002"), 4, "training.stop_early", "in (0, 1], got 1.0000000000000002"},
		{"stop_early percent", stopEarly("25"), 4, "training.stop_early", "in (0, 1], got 25"},
		{"stop_early nan", stopEarly(".nan"), 4, "training.stop_early", "in (0, 1], got .nan"},
		{"stop_early inf", stopEarly(".inf"), 4, "training.stop_early", "in (0, 1], got .inf"},
		{"stop_early overflow", stopEarly("1e400"), 4, "training.stop_early", "number 1e400 is beyond the range of float64"},
		{"stop_early string", stopEarly("early"), 4, "training.stop_early", `want a number, got "early"`},
		{"stop_early yes", stopEarly("yes"), 4, "training.stop_early", `want a number, got "yes"`},
		{"stop_early quoted", stopEarly(`"0.25"`), 4, "training.stop_early", `want a number, got "0.25"`},
		{"stop_early bool", stopEarly("true"), 4, "training.stop_early", "want a number, got true"},
		{"stop_early null", stopEarly("null"), 4, "training.stop_early", "want a number, got nothing"},
		{"stop_early list", stopEarly("[0.25]"), 4, "training.stop_early", "want a number, got a list"},
		{"long string cut", "name: " + strings.Repeat("a", 100) + "\n", 1, "name", "…"},
		{"newline in key", "\"a\\nb\": 1\n", 1, "a b", "unknown field"},
		{"newline in name", "name: \"a\\nb\"\n", 1, "name", `got "a\nb"`},
		// Long values: the message quotes 40 runes of them, not a megabyte.
		{"huge scalar", "name: x\ndataset: {name: " + strings.Repeat("m", 900_000) + ", n: 1}\n", 2, "dataset.name", `got "` + strings.Repeat("m", 40) + `…"`},
		{"huge integer string", "name: x\ndataset: {name: mnist, n: " + strings.Repeat("9", 500_000) + "}\n", 2, "dataset.n", "integer " + strings.Repeat("9", 40) + "… is out of range"},
		{"huge number string", head + "grid: {batch_sizes: [1], learning_rates: [" + strings.Repeat("9", 500_000) + "e-1]}\n", 5, "grid.learning_rates[0]", "number " + strings.Repeat("9", 40) + "… is beyond the range of float64"},
		{"huge tag", "name: !" + strings.Repeat("t", 500_000) + " x\n", 1, "name", "want a string, got !" + strings.Repeat("t", 39) + "…"},
		{"huge alias", "name: &" + strings.Repeat("a", 500_000) + " x\nd: *" + strings.Repeat("a", 500_000) + "\n", 2, "d", "YAML aliases (*" + strings.Repeat("a", 40) + "…)"},
		{"huge explicit key", "? " + strings.Repeat("k", 500_000) + "\n: 1\n", 1, strings.Repeat("k", 40) + "…", "unknown field"},
		{"very long line", head + "grid: {batch_sizes: [1], learning_rates: [" + strings.Repeat("0.5, ", 50_000) + "-1]}\n", 5, "grid.learning_rates[1]", "duplicate value 0.5 (also at [0])"},
		{"long line, bad at its end", head + "grid: {batch_sizes: [1], learning_rates: [" + lrList(20_000) + ", -1]}\n", 5, "grid.learning_rates[20000]", "must be a finite number > 0, got -1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := Parse([]byte(tc.yaml), "x.yaml")
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", spec)
			}
			checkBadInput(t, err, "x.yaml", tc.line, tc.field, tc.frag)
		})
	}
}

// stopEarly is a spec whose training section, on line 4, sets stop_early
// to value.
func stopEarly(value string) string {
	return "name: x\ndataset: {name: mnist, n: 10}\nmodel: {kind: mlp, hidden: []}\ntraining: {epochs: 4, stop_early: " + value + "}\n"
}

// lrList is n distinct learning rates, comma-separated on one line.
func lrList(n int) string {
	lrs := make([]string, n)
	for i := range lrs {
		lrs[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(lrs, ", ")
}

// TestBadMessagesStayShort: whatever the spec holds, an error is a line a
// terminal can show.
func TestBadMessagesStayShort(t *testing.T) {
	long := strings.Repeat("z", 200_000)
	for _, src := range []string{
		"name: x\ndataset: {name: " + long + ", n: 1}\n",
		"? " + long + "\n: 1\n",
		"name: x\ndataset: {name: mnist, n: 10, dir: " + long + "}\nmodel: {kind: " + long + "}\n",
		"name: !" + long + " x\n",
	} {
		_, err := Parse([]byte(src), "x.yaml")
		if err == nil {
			t.Fatal("Parse accepted it")
		}
		if n := len([]rune(err.Error())); n > maxMessage+1 {
			t.Errorf("error of %d runes: %.80q…", n, err)
		}
	}
}

// TestAliasBombIsCheap: the billion-laughs spec is refused before any
// alias is expanded, so it costs what its kilobyte of text costs.
func TestAliasBombIsCheap(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "bad", "alias-bomb.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := Parse(data, "bomb.yaml"); err == nil {
			t.Fatal("Parse accepted the alias bomb")
		}
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	Parse(data, "bomb.yaml")
	runtime.ReadMemStats(&after)
	// 9^9 "lol"s expanded would take gigabytes; the parse tree of the
	// text takes about a hundred kilobytes.
	if bytes := after.TotalAlloc - before.TotalAlloc; bytes > 4<<20 || allocs > 20_000 {
		t.Errorf("parsing the alias bomb took %d bytes in %.0f allocations", bytes, allocs)
	}
}

func TestBadTooLarge(t *testing.T) {
	data := []byte("name: x\n" + strings.Repeat("# padding\n", MaxSourceBytes/10+1))
	_, err := Parse(data, "big.yaml")
	if err == nil {
		t.Fatal("Parse accepted a spec over the size limit")
	}
	checkBadInput(t, err, "big.yaml", 0, "", "the limit is 1048576")
}

func TestParseDefaultFilename(t *testing.T) {
	_, err := Parse(nil, "")
	if err == nil || !strings.HasPrefix(err.Error(), "<spec>:1: ") {
		t.Errorf("Parse(nil, \"\") = %v, want an error starting <spec>:1:", err)
	}
}
