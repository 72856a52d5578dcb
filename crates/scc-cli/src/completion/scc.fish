# scc completion for fish: `scc completion fish | source`
complete -c scc -f -a '(command scc __complete fish -- (commandline -opc) (commandline -ct) 2>/dev/null)'
