# bash completion for ks-shard(1)                            -*- shell-script -*-
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

# _ks_shard_open_shards STREAM: the ids of the open shards of STREAM, in the store named on
# the line, one a line: the shards that split and merge take.
_ks_shard_open_shards()
{
    local store
    local -a opt=()
    [[ -n ${1-} ]] || return 0
    store=$(_millrace_optval -S --store)
    [[ -n $store ]] && opt=(--store "$store")
    "$(_millrace_ks_shard)" "${opt[@]}" describe "$1" 2>/dev/null |
        grep -o '^shardId-[0-9]\{12\}[[:space:]]\{1,\}open[[:space:]]' 2>/dev/null |
        grep -o 'shardId-[0-9]\{12\}' | sort -u
}

_ks_shard()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -S | --store) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    --retention) _millrace_reply '1h 24h 7d 30d 365d'; return ;;
    --shards | --at) return ;;
    esac

    # The command, its first operand (the stream), and how many operands it has before the
    # word being completed.
    local i w command='' stream='' operands=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        -S | --store | --config | --shards | --retention | --at)
            [[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
            ((i++))
            ;;
        = | -*) ;;
        *)
            if [[ -z $command ]]; then
                command=$w
            else
                ((operands++ == 0)) && stream=$w
            fi
            ;;
        esac
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            _millrace_reply '-S --store --json --config -q --quiet -v --verbose
                -h --help --version'
        else
            _millrace_reply 'create list describe retention split merge scale trim
                delete'
        fi
        return
    fi

    if [[ $cur == -* ]]; then
        case $command in
        create) _millrace_reply '--shards --retention -h --help' ;;
        split) _millrace_reply '--at -h --help' ;;
        scale) _millrace_reply '--shards -h --help' ;;
        *) _millrace_reply '-h --help' ;;
        esac
        return
    fi

    case $command:$operands in
    describe:0 | retention:0 | split:0 | merge:0 | scale:0 | trim:0 | delete:0)
        _millrace_reply "$(_millrace_streams)"
        ;;
    retention:1)
        _millrace_reply '1h 24h 7d 30d 365d'
        ;;
    split:1 | merge:1 | merge:2)
        _millrace_reply "$(_ks_shard_open_shards "$stream")"
        ;;
    esac
}
complete -F _ks_shard ks-shard
