package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

const completionHelp = `Prints a script that makes bash or zsh complete lssr's commands, flags, and the sweep
names of the database (--db, LSSR_DB) where a command takes one. Load it in the shell's
start-up file:

   bash (~/.bashrc):  source <(lssr completion bash)
   zsh (~/.zshrc):    autoload -U compinit && compinit; source <(lssr completion zsh)

The scripts run 'lssr ... --generate-bash-completion' on every Tab.`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:        "completion",
		Usage:       "print a bash or zsh completion script: source <(lssr completion bash)",
		ArgsUsage:   "bash|zsh",
		Description: completionHelp,
		Action: func(c *cli.Context) error {
			shell, err := oneArg(c, "SHELL")
			if err != nil {
				return err
			}
			script, ok := completionScripts[shell]
			if !ok {
				return usagef(c.Command.HelpName, "want bash or zsh, got %q", shell)
			}
			_, err = fmt.Fprint(c.App.Writer, script)
			return err
		},
	}
}

// The scripts run the command line typed so far with --generate-bash-completion
// (and with the word being typed when it is a flag) and offer what lssr
// prints, modelled on urfave/cli's autocomplete scripts. They split the line
// themselves, not at bash's COMP_WORDBREAKS ("--db=x" stays one word), and
// run it without eval, so Tab never runs what the line would expand to.
// Nothing offered: the shell completes file names.
var completionScripts = map[string]string{
	"bash": `# bash completion for lssr: source <(lssr completion bash)
_lssr_complete() {
  local line="${COMP_LINE:0:COMP_POINT}" cur="" out
  local -a words
  read -r -a words <<< "$line"
  if [[ "$line" != *[[:space:]] ]]; then
    cur="${words[${#words[@]}-1]}"
    unset 'words[${#words[@]}-1]'
  fi
  COMPREPLY=()
  [[ "$cur" == *=* ]] && return 0
  if [[ "$cur" == -* ]]; then
    out=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    out=$("${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$out" -- "$cur"))
}
complete -o bashdefault -o default -F _lssr_complete lssr
`,
	"zsh": `#compdef lssr
# zsh completion for lssr: autoload -U compinit && compinit; source <(lssr completion zsh)
_lssr() {
  local cur=${words[CURRENT]}
  local -a opts
  [[ "$cur" == *=* ]] && { _files; return }
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[1,CURRENT-1]} "$cur" --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[1,CURRENT-1]} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ -n "${opts[1]}" ]]; then
    compadd -a opts
  else
    _files
  fi
}
compdef _lssr lssr
`,
}
