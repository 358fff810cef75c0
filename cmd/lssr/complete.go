package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

// completingKey is the app.Metadata key under which run leaves the last
// word of a command line the shell is completing (completingWord).
const completingKey = "lssr.completing"

// completingWord is the word before completionFlag on a command line being
// completed: the flag being typed when it starts with "-" (the scripts pass
// it), else the word before the one being typed; "" otherwise.
func completingWord(args []string) string {
	if n := len(args); n >= 3 && args[n-1] == completionFlag {
		return args[n-2]
	}
	return ""
}

// complete is the shell completion of every command (prepare sets it): after
// a flag that takes one of a list of words (choiceFlag) those words, after
// another flag that takes a value nothing, so that the shell completes a file
// name; for a word that starts with "-" the flags that start with it; else
// the subcommands and what the next positional argument can be (argChoices).
func complete(c *cli.Context) {
	last, _ := c.App.Metadata[completingKey].(string)
	flags := c.Command.Flags
	if c.Command.HelpName != c.App.HelpName {
		flags = append(append([]cli.Flag{}, flags...), globalFlags(c.App)...)
	}
	if strings.HasPrefix(last, "-") && !strings.Contains(last, "=") {
		f := lookupFlag(flags, flagName(last))
		switch {
		case f == nil:
			printFlagsWithPrefix(c, flags, last)
			return
		case valueCount(f, last) == 1:
			if cf, ok := f.(*choiceFlag); ok {
				for _, w := range cf.choices {
					fmt.Fprintln(c.App.Writer, w)
				}
			}
			return
		}
	}
	for _, sub := range c.Command.VisibleCommands() {
		for _, name := range sub.Names() {
			fmt.Fprintln(c.App.Writer, name)
		}
	}
	for _, choice := range argChoices(c) {
		fmt.Fprintln(c.App.Writer, choice)
	}
}

// printFlagsWithPrefix prints the visible flags whose --name starts with
// typed.
func printFlagsWithPrefix(c *cli.Context, flags []cli.Flag, typed string) {
	for _, f := range flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		for _, name := range f.Names() {
			dashes := "--"
			if len(name) == 1 {
				dashes = "-"
			}
			if strings.HasPrefix(dashes+name, typed) {
				fmt.Fprintln(c.App.Writer, dashes+name)
			}
		}
	}
}

// argChoices are the values the command's next positional argument can
// take, read from its ArgsUsage as its help shows it: NAME or SWEEP is a
// sweep of the database (--db), JOB a job of the sweep named before it,
// "a|b" either word, and a last "[NAME...]" repeats. So a command added
// later with ArgsUsage "NAME" completes sweep names without more code.
func argChoices(c *cli.Context) []string {
	switch arg := argAt(c.Command.ArgsUsage, c.NArg()); arg {
	case "":
		return nil
	case "NAME", "SWEEP":
		return sweepNames(c.String("db"))
	case "JOB":
		return jobIDs(c.String("db"), c.Args().First())
	default:
		if strings.Contains(arg, "|") {
			return strings.Split(arg, "|")
		}
		return nil
	}
}

// argAt is the name of positional argument i in an ArgsUsage such as
// "SWEEP JOB --out FILE" or "NAME [NAME...]"; "" past the last.
func argAt(usage string, i int) string {
	var words []string
	for _, w := range strings.Fields(usage) {
		if strings.HasPrefix(w, "-") {
			break
		}
		words = append(words, w)
	}
	if n := len(words); i >= n && n > 0 && strings.HasSuffix(words[n-1], "...]") {
		i = n - 1
	}
	if i >= len(words) {
		return ""
	}
	return strings.Trim(words[i], "[.]")
}

// sweepNames lists the sweeps in the database at path, for completion: none,
// and not a word on stderr, when it is missing, busy or damaged.
func sweepNames(path string) []string {
	var names []string
	readForCompletion(path, func(tx *store.Tx) error {
		recs, err := tx.Sweeps()
		for _, r := range recs {
			names = append(names, r.Name)
		}
		return err
	})
	return names
}

// jobIDs lists the IDs of a sweep's jobs, for completion, as sweepNames.
func jobIDs(path, sweep string) []string {
	var ids []string
	readForCompletion(path, func(tx *store.Tx) error {
		jobs, err := tx.Jobs(sweep)
		for _, j := range jobs {
			ids = append(ids, j.Job.ID)
		}
		return err
	})
	return ids
}

// readForCompletion reads the database at path in a read-only transaction
// that gives up quickly: a shell waits for it on every Tab.
func readForCompletion(path string, read func(*store.Tx) error) {
	if _, err := os.Stat(path); err != nil {
		return
	}
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if err != nil {
		return
	}
	defer db.Close()
	_ = db.View(read)
}
