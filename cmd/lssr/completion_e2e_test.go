package main

// End-to-end tests of shell completion: what `lssr ... --generate-bash-completion`
// offers, and the bash script that asks for it.

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
)

// twoSweepDB stores sweeps alpha (three jobs) and beta (one) in dir/name
// without running them, and returns alpha's job IDs.
func twoSweepDB(t *testing.T, dir, name string) []string {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, name), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string
	err = db.Update(func(tx *store.Tx) error {
		for sweep, n := range map[string]int{"alpha": 3, "beta": 1} {
			var jobs []lssr.Job
			for i := range n {
				j := lssr.Job{Sweep: sweep, BatchSize: 8 << i, LR: 0.1, Dataset: lssr.DatasetSpec{Name: "synthetic", N: 64}}
				j.ID = j.ContentID()
				jobs = append(jobs, j)
				if sweep == "alpha" {
					ids = append(ids, j.ID)
				}
			}
			if err := tx.CreateSweep(store.SweepRecord{Name: sweep, Workers: 1}, jobs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// completions runs lssr args --generate-bash-completion in dir and returns
// the words it offers; it must exit 0 and say nothing on stderr.
func completions(t *testing.T, dir string, env []string, args ...string) []string {
	t.Helper()
	r := runWithEnv(t, dir, env, append(args, "--generate-bash-completion")...)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("completing lssr %v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return strings.Fields(r.stdout)
}

func TestCompletionOffersCommandsFlagsAndSweepNames(t *testing.T) {
	dir := t.TempDir()
	alphaJobs := twoSweepDB(t, dir, "c.db")
	both := []string{"alpha", "beta"}
	for _, tc := range []struct {
		env       []string
		args      []string
		want, not []string
	}{
		{nil, nil, []string{"sweep", "report", "predict", "export", "measure", "version", "completion"}, []string{"worker", "alpha"}},
		{nil, []string{"sweep"}, []string{"run", "resume", "list", "status", "retry", "cancel", "export"}, []string{"help"}},
		{nil, []string{"--db", "c.db", "sweep", "status"}, both, []string{"run"}},
		{nil, []string{"sweep", "status", "--db", "c.db"}, both, nil},
		{nil, []string{"sweep", "--db=c.db", "resume"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"sweep", "retry"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"sweep", "cancel"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"sweep", "export"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"sweep", "status", "--summary"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"sweep", "status", "alpha"}, nil, both},
		{[]string{"LSSR_DB=c.db"}, []string{"report", "alpha"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"predict"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"predict", "alpha"}, nil, both},
		{nil, []string{"predict", "-"}, []string{"-b", "--json", "--all", "--db"}, nil}, // a one-letter flag completes as -b; --b works too
		{[]string{"LSSR_DB=c.db"}, []string{"export", "data"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"export", "weights"}, both, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"export", "weights", "alpha"}, alphaJobs, both},
		{[]string{"LSSR_DB=c.db"}, []string{"sweep", "run"}, nil, both},
		{nil, []string{"sweep", "status", "--su"}, []string{"--summary"}, []string{"--help", "--db"}},
		{nil, []string{"sweep", "status", "-"}, []string{"--summary", "--help", "-h", "--db"}, nil},
		{nil, []string{"sweep", "export", "--"}, []string{"--format", "--out", "--force", "--db"}, nil},
		{nil, []string{"--"}, []string{"--db", "--version", "--help"}, nil},
		{[]string{"LSSR_DB=c.db"}, []string{"sweep", "status", "--db"}, nil, both}, // its value: a file name
		{nil, []string{"completion"}, []string{"bash", "zsh"}, nil},
		{nil, []string{"measure", "--kind"}, lssr.Strings(lssr.ModelKinds()), []string{"--hidden"}},
		{nil, []string{"measure", "--activation"}, lssr.Strings(lssr.Activations()), nil},
		{nil, []string{"measure", "--pool"}, lssr.Strings(lssr.Pools()), nil},
		{nil, []string{"measure", "--loss"}, lssr.Strings(lssr.Losses()), nil},
		{nil, []string{"measure", "--hidden", "8", "--sampling"}, lssr.Strings(lssr.Samplings()), nil},
		{nil, []string{"measure", "--weights"}, nil, []string{"mlp", "relu", "max", "mse", "without"}}, // a file name
	} {
		got := completions(t, dir, tc.env, tc.args...)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%v lssr %v: offers %v, not %s", tc.env, tc.args, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("%v lssr %v: offers %v, with %s", tc.env, tc.args, got, w)
			}
		}
	}
}

func TestCompletionOfMissingDamagedAndBusyDatabases(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "damaged.db"), strings.Repeat("not bbolt ", 1000))
	for _, db := range []string{"missing.db", "damaged.db"} {
		if got := completions(t, dir, nil, "--db", db, "sweep", "status"); len(got) != 0 {
			t.Errorf("--db %s: offers %v", db, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Errorf("completion created the missing database")
	}

	// A writer in the middle of a transaction holds the file: its read
	// service answers from the latest commit, so the names still come.
	twoSweepDB(t, dir, "busy.db")
	db, err := store.Open(filepath.Join(dir, "busy.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Update(func(*store.Tx) error {
		got := completions(t, dir, nil, "--db", "busy.db", "sweep", "status")
		if !slices.Contains(got, "alpha") || !slices.Contains(got, "beta") {
			t.Errorf("a database whose writer is in a transaction: offers %v, want alpha and beta", got)
		}
		return nil
	})
}

// TestCompletionScripts: the bash script parses and, sourced in bash,
// completes from what lssr offers; the zsh one is checked as text (zsh is
// not installed here).
func TestCompletionScripts(t *testing.T) {
	dir := t.TempDir()
	twoSweepDB(t, dir, "lssr.db")
	bash := runLSSR(t, dir, "completion", "bash")
	zsh := runLSSR(t, dir, "completion", "zsh")
	for _, r := range []cmdResult{bash, zsh} {
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "--generate-bash-completion") {
			t.Fatalf("completion: exit %d, stderr %q, script\n%s", r.code, r.stderr, r.stdout)
		}
	}
	if !strings.HasPrefix(zsh.stdout, "#compdef lssr\n") || !strings.Contains(zsh.stdout, "\ncompdef _lssr lssr\n") {
		t.Errorf("zsh script:\n%s", zsh.stdout)
	}
	script := filepath.Join(dir, "lssr.bash")
	testutil.WriteFile(t, script, bash.stdout)
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	// Complete lines as bash would on Tab, with lssr on the PATH.
	for line, want := range map[string]string{
		"lssr sweep sta":             "status",
		"lssr sweep status ":         "alpha beta",
		"lssr sweep status b":        "beta",
		"lssr sweep status --su":     "--summary",
		"lssr --db=lssr.db report a": "alpha",
		"lssr repo":                  "report",
	} {
		cmd := exec.Command("bash", "-c", `source "$1"; COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; _lssr_complete; echo "${COMPREPLY[*]}"`, "bash", script, line)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(lssrBin)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("Tab on %q: %q, %v; want %q", line, got, err, want)
		}
	}
}
