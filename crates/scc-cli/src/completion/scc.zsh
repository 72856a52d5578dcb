#compdef scc
# scc completion for zsh: `source <(scc completion zsh)`
_scc() {
    local out
    out="$(command scc __complete zsh -- "${(@)words[1,CURRENT]}" 2>/dev/null)"
    [[ -n "$out" ]] || return 1
    local -a candidates
    candidates=("${(@f)out}")
    compadd -- "${candidates[@]}"
}
compdef _scc scc
