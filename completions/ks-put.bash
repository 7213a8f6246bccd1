# bash completion for ks-put(1)                              -*- shell-script -*-
#
# Self-contained: works with or without the bash-completion package. The _millrace_
# helpers are the same in every millrace completion file.

# _millrace_init: set cur and prev for the word being completed, and pre, the text that
# a reply must start with. Bash splits "--NAME=VALUE" at "=" into "--NAME" "=" "VALUE";
# where "=" is not a word break, the word is "--NAME=VALUE" and a reply keeps "--NAME=".
_millrace_init()
{
    cur=${COMP_WORDS[COMP_CWORD]-} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    pre=
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        prev=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}
    fi
}

# _millrace_optval NAME...: the value last given to option NAME before the word being
# completed ("-S DIR", "--store DIR", "--store=DIR", "-SDIR").
_millrace_optval()
{
    local i w name v=
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        for name; do
            if [[ $w == "$name" ]]; then
                if [[ ${COMP_WORDS[i + 1]-} == = ]]; then
                    v=${COMP_WORDS[i + 2]-}
                else
                    v=${COMP_WORDS[i + 1]-}
                fi
            elif [[ $name == --* && $w == "$name="?* ]]; then
                v=${w#*=}
            elif [[ $name != --* && $w == "$name"?* ]]; then
                v=${w#"$name"}
            fi
        done
    done
    [[ $v == \~/* ]] && v=$HOME/${v#\~/}
    printf '%s' "$v"
}

# _millrace_ks_shard: the ks-shard beside the program being completed, else ks-shard.
_millrace_ks_shard()
{
    local self=${COMP_WORDS[0]}
    if [[ $self == */* && -x ${self%/*}/ks-shard ]]; then
        printf '%s' "${self%/*}/ks-shard"
    else
        printf '%s' ks-shard
    fi
}

# _millrace_streams: the stream names in the store named on the line, else the default
# store, one a line; nothing, silently, where ks-shard fails or is missing.
_millrace_streams()
{
    local cmd store out
    local -a opt=()
    cmd=$(_millrace_ks_shard)
    store=$(_millrace_optval -S --store)
    [[ -n $store ]] && opt=(--store "$store")
    out=$("$cmd" "${opt[@]}" --json list 2>/dev/null) # parity: ignore
    printf '%s\n' "$out" |
        grep -o '"StreamName"[[:space:]]*:[[:space:]]*"[^"]*"' 2>/dev/null |
        sed 's/.*"\([^"]*\)"$/\1/'
}

# _millrace_reply WORDS: reply with the words (separated by blanks) that start with $cur.
_millrace_reply()
{
    mapfile -t COMPREPLY < <(compgen -P "$pre" -W "$1" -- "$cur")
}

# _millrace_files [-d]: reply with file names (with -d, directory names) that start with $cur.
_millrace_files()
{
    local kind=-f
    [[ ${1-} == -d ]] && kind=-d
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen "$kind" -- "$cur")
    [[ -n $pre ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")
    return 0
}

_ks_put()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -S | --store) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    -s | --stream) _millrace_reply "$(_millrace_streams)"; return ;;
    --format) _millrace_reply 'data envelope'; return ;;
    --sync) _millrace_reply 'full none'; return ;;
    --on-error) _millrace_reply 'fail skip'; return ;;
    -k | --key | --partition-key | --explicit-hash-key | --shards) return ;;
    esac

    if [[ $cur == -* ]]; then
        _millrace_reply '-S --store -s --stream -k --key --partition-key
            --explicit-hash-key --format --raw --sync --on-error --print --create
            --shards --config -q --quiet -v --verbose -h --help --version'
        return
    fi
    _millrace_files # FILE operands
}
complete -F _ks_put ks-put
