package main

// End-to-end tests of the command-line conventions every command shares:
// usage errors as one line and exit status 2, global flags anywhere, and
// the version.

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/lssr/lssr/trainer/kernels"
	"github.com/urfave/cli/v2"
)

// commandPaths lists every command of the app, hidden ones and those added
// after this test was written too, as the words that name it.
func commandPaths(cmds []*cli.Command, prefix []string) [][]string {
	var out [][]string
	for _, c := range cmds {
		path := append(append([]string{}, prefix...), c.Name)
		out = append(out, path)
		out = append(out, commandPaths(c.Subcommands, path)...)
	}
	return out
}

// findPath is the command path names, nil for lssr itself.
func findPath(cmds []*cli.Command, path []string) *cli.Command {
	var c *cli.Command
	for _, name := range path {
		if c = findCommand(cmds, name); c == nil {
			return nil
		}
		cmds = c.Subcommands
	}
	return c
}

// checkUsageError asserts the shape of a usage error: exit 2, nothing on
// stdout, one line on stderr holding each of want, and nothing written in
// dir.
func checkUsageError(t *testing.T, args []string, r cmdResult, dir string, want ...string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("lssr %s: exit %d, want 2; stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("lssr %s: stdout %q, want nothing (no help text)", strings.Join(args, " "), r.stdout)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("lssr %s: stderr %q, want one line", strings.Join(args, " "), r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("lssr %s: stderr %q lacks %q", strings.Join(args, " "), r.stderr, w)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("lssr %s wrote %s", strings.Join(args, " "), entries[0].Name())
	}
}

// TestUsageErrorsOfEveryCommand runs every command of the app with an
// unknown flag, every flag that parses its value with a value of the wrong
// type, and every command with subcommands with an unknown one.
func TestUsageErrorsOfEveryCommand(t *testing.T) {
	app := newApp()
	paths := append([][]string{nil}, commandPaths(app.Commands, nil)...)
	if len(paths) < 17 {
		t.Fatalf("found %d commands, want at least 17: %v", len(paths), paths)
	}
	dir := t.TempDir()
	for _, path := range paths {
		name := strings.Join(append([]string{"lssr"}, path...), " ")
		prefix := ""
		if len(path) > 0 {
			prefix = strings.Join(path, " ") + ": "
		}
		hint := "(see '" + name + " --help')"

		args := append(append([]string{}, path...), "--frobnicate")
		checkUsageError(t, args, runLSSR(t, dir, args...), dir, "lssr: "+prefix+"unknown flag --frobnicate", hint)
		c := findPath(app.Commands, path)
		if c == nil {
			continue
		}
		if len(c.Subcommands) == 0 {
			// After a positional argument too.
			args = append(append([]string{}, path...), "NAME", "--frobnicate=3")
			checkUsageError(t, args, runLSSR(t, dir, args...), dir, "lssr: "+prefix+"unknown flag --frobnicate", hint)
		}
		if len(c.Subcommands) > 0 {
			args = append(append([]string{}, path...), "frobnicate")
			checkUsageError(t, args, runLSSR(t, dir, args...), dir, `lssr: unknown command "frobnicate" for "`+name+`"`, hint)
		}
		for _, f := range c.Flags {
			if rf, ok := f.(cli.RequiredFlag); ok && rf.IsRequired() {
				// urfave/cli prints the help for a missing required flag.
				t.Errorf("%s --%s is Required: check it in the action instead, as a usage error", name, f.Names()[0])
			}
			var bad string
			switch f.(type) {
			case *cli.IntFlag, *cli.Float64Flag, *cli.DurationFlag, *cli.Int64Flag, *cli.UintFlag:
				bad = "many"
			case *cli.BoolFlag:
				bad = "maybe"
			default:
				continue
			}
			args = append(append([]string{}, path...), "--"+f.Names()[0]+"="+bad)
			checkUsageError(t, args, runLSSR(t, dir, args...), dir, "lssr: "+prefix+"invalid", hint)
		}
	}
}

func TestUsageErrorsSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "status", "X", "--db", "other.db", "--frobnicate"}, "lssr: sweep status: unknown flag --frobnicate (see 'lssr sweep status --help')"},
		{[]string{"sweep", "status", "X", "--summry"}, "lssr: sweep status: unknown flag --summry; did you mean --summary? (see 'lssr sweep status --help')"},
		{[]string{"sweep", "stauts"}, `lssr: unknown command "stauts" for "lssr sweep"; did you mean "status"? (see 'lssr sweep --help')`},
		{[]string{"sweep", "stauts", "X", "--summary"}, `lssr: unknown command "stauts" for "lssr sweep"; did you mean "status"?`},
		{[]string{"exprot", "weights"}, `lssr: unknown command "exprot" for "lssr"; did you mean "export"? (see 'lssr --help')`},
		{[]string{"frob"}, `lssr: unknown command "frob" for "lssr" (see 'lssr --help')`},
		{[]string{"sweep", "help"}, `lssr: unknown command "help" for "lssr sweep" (see 'lssr sweep --help')`},
		{[]string{"sweep", "run", "s.yaml", "--workers", "three"}, `lssr: sweep run: invalid value "three" for flag -workers`},
		{[]string{"sweep", "status"}, "lssr: sweep status: want exactly one NAME argument, got 0 (see 'lssr sweep status --help')"},
		{[]string{"sweep", "status", "a", "b"}, "lssr: sweep status: want exactly one NAME argument, got 2"},
		{[]string{"sweep", "list", "a"}, `lssr: sweep list: unexpected argument "a" (see 'lssr sweep list --help')`},
		{[]string{"report"}, "lssr: report: want one or more sweep NAME arguments, got none (see 'lssr report --help')"},
		{[]string{"predict"}, "lssr: predict: want exactly one SWEEP argument, got 0 (see 'lssr predict --help')"},
		{[]string{"predict", "X"}, "lssr: predict: want at least one --b batch size (see 'lssr predict --help')"},
		{[]string{"export", "weights", "a"}, "lssr: export weights: want SWEEP and JOB arguments, got 1"},
		{[]string{"export", "data", "a", "b", "--out", "d.safetensors"}, "lssr: export data: want exactly one SWEEP argument, got 2"},
		{[]string{"version", "x"}, `lssr: version: unexpected argument "x"`},
		{[]string{"completion", "fish"}, `lssr: completion: want bash or zsh, got "fish"`},
		{[]string{"sweep", "status", "X", "--db"}, "lssr: sweep status: flag --db needs a value"},
	} {
		checkUsageError(t, tc.args, runLSSR(t, dir, tc.args...), dir, tc.want)
	}
}

// TestGlobalFlagsAnywhere: --db reaches the command wherever it is written.
func TestGlobalFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"sweep", "status", "X", "--db", "other.db"},
		{"--db", "other.db", "sweep", "status", "X"},
		{"sweep", "--db", "other.db", "status", "X"},
		{"sweep", "status", "--db=other.db", "X"},
		{"report", "X", "--db", "other.db", "--out", "r"},
		{"predict", "X", "--db", "other.db", "--b", "8"},
	} {
		r := runLSSR(t, dir, args...)
		checkUsageError(t, args, r, dir, "lssr: no database at other.db")
	}
	r := runWithEnv(t, dir, []string{"LSSR_DB=env.db"}, "sweep", "list")
	checkUsageError(t, []string{"sweep", "list"}, r, dir, "no database at env.db")
}

func TestVersion(t *testing.T) {
	want := []string{"lssr ", "\ncommit:  ", "\ngo:      " + runtime.Version() + "\n", "\nkernels: " + kernels.Path() + "\n",
		"\ncpu:     ", "\nos/arch: " + runtime.GOOS + "/" + runtime.GOARCH + "\n"}
	var first string
	for _, args := range [][]string{{"--version"}, {"version"}, {"--db", "x.db", "--version"}} {
		r := runLSSR(t, t.TempDir(), args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("lssr %v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("lssr %v printed\n%s\nwithout %q", args, r.stdout, w)
			}
		}
		if first == "" {
			first = r.stdout
		} else if r.stdout != first {
			t.Errorf("lssr %v printed\n%s\nbut lssr --version\n%s", args, r.stdout, first)
		}
	}
}

// TestHelpEndsWithExitStatuses: every command's help, and lssr's, ends with
// the exit statuses, and --help after arguments shows the help.
func TestHelpEndsWithExitStatuses(t *testing.T) {
	app := newApp()
	for _, path := range append([][]string{nil}, commandPaths(app.Commands, nil)...) {
		args := append([]string{}, path...)
		if c := findPath(app.Commands, path); c != nil && len(c.Subcommands) == 0 {
			args = append(args, "NAME") // the help is shown all the same
		}
		args = append(args, "--help")
		r := runLSSR(t, t.TempDir(), args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("lssr %v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "EXIT STATUS:\n") || !strings.Contains(r.stdout, "   2    bad input") {
			t.Errorf("lssr %v: the help has no exit statuses:\n%s", args, r.stdout)
		}
		if len(path) > 0 && !strings.Contains(r.stdout, "--db value") {
			t.Errorf("lssr %v: the help does not show the global flags:\n%s", args, r.stdout)
		}
	}
	if r := runLSSR(t, t.TempDir(), "sweep", "--help"); strings.Contains(r.stdout, "inspect") {
		t.Errorf("sweep --help names a command that does not exist:\n%s", r.stdout)
	}
}
