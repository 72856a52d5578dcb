# scc completion for bash: `source <(scc completion bash)`
_scc_complete() {
    local line
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -n "$line" ]] && COMPREPLY+=("$line")
    done < <(command scc __complete bash -- "${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
}
complete -o default -F _scc_complete scc
