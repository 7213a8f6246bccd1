# bash completion for ks-consume(1)                          -*- shell-script -*-
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

# _ks_consume_shards: the shard ids of the stream named on the line, one a line.
_ks_consume_shards()
{
    local stream store
    local -a opt=()
    stream=$(_millrace_optval -s --stream)
    [[ -n $stream ]] || return 0
    store=$(_millrace_optval -S --store)
    [[ -n $store ]] && opt=(--store "$store")
    "$(_millrace_ks_shard)" "${opt[@]}" describe "$stream" 2>/dev/null |
        grep -o 'shardId-[0-9]\{12\}' 2>/dev/null | sort -u
}

_ks_consume()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    # A position such as "time:2026-11-23T10:00:00Z" is split at each ":" too.
    [[ $cur == : || $prev == : ]] && return

    case $prev in
    -S | --store) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    -s | --stream) _millrace_reply "$(_millrace_streams)"; return ;;
    --shard) _millrace_reply "$(_ks_consume_shards)"; return ;;
    --from)
        _millrace_reply 'trim-horizon latest at: after: time:'
        # "at:", "after:" and "time:" take a value: no space after them.
        local w
        for w in "${COMPREPLY[@]}"; do
            [[ $w == *: ]] || return 0
        done
        compopt -o nospace 2>/dev/null
        return 0
        ;;
    --format) _millrace_reply 'data envelope lambda'; return ;;
    --exec-format) _millrace_reply 'lambda data envelope'; return ;;
    --sync) _millrace_reply 'full none'; return ;;
    --on-failure) _millrace_reply "$(_millrace_streams)"; return ;;
    --exec)
        # A command line for sh -c: complete its first word, a file, or without a "/" a
        # command too.
        _millrace_files
        if [[ $cur != */* ]]; then
            local -a commands
            mapfile -t commands < <(compgen -P "$pre" -c -- "$cur" | sort -u)
            COMPREPLY+=("${commands[@]}")
        fi
        return 0
        ;;
    -g | --group | -n | --limit | --idle-exit | --batch-size | --lease-timeout | \
        --batch-window | --retries | --max-record-age | --parallel | --timeout) return ;;
    esac

    _millrace_reply '-S --store -s --stream -g --group --from --shard -n --limit
        -f --follow --idle-exit --format --batch-size --lease-timeout --sync
        --exec --exec-format --batch-window --retries --max-record-age --bisect
        --on-failure --parallel --timeout --config -q --quiet -v --verbose
        -h --help --version'
}
complete -F _ks_consume ks-consume
