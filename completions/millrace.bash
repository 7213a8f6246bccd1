# bash completion for the millrace programs                 -*- shell-script -*-
#
# Self-contained: works with or without the bash-completion package. The _millrace_
# helpers, once; then each program's completion function (with its own helpers) between
# "# begin PROGRAM" and "# end PROGRAM" lines, for a script to cut out; then one
# "complete" line per program. tests/cli/test_parity.sh compares each program's section
# with its --help; options named only in the helpers count for no program, and a line
# ending in "# parity: ignore" is not read (it runs another program, with its options).
#
# Layout. bash-completion loads completions/NAME when NAME is first completed, so the
# install rule copies this file once per program, under the program's name (every copy
# defines every program's functions: harmless). Here, completions/PROGRAM is a symbolic
# link to this file: the source tree has the installed layout, each program has its file
# under completions/, and nothing is written twice. A new program: a section, a
# "complete" line, a link.

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

# _millrace_sibling PROGRAM: the PROGRAM beside the program being completed, else PROGRAM.
_millrace_sibling()
{
    local self=${COMP_WORDS[0]}
    if [[ $self == */* && -x ${self%/*}/$1 ]]; then
        printf '%s' "${self%/*}/$1"
    else
        printf '%s' "$1"
    fi
}

# _millrace_names FIELD PROGRAM ARGS...: the string values of FIELD in the JSON that PROGRAM
# ARGS prints for the store named on the line (else the default store), one a line; nothing,
# silently, where PROGRAM fails or is missing.
_millrace_names()
{
    local field=$1 cmd store out
    local -a opt=()
    cmd=$(_millrace_sibling "$2")
    shift 2
    store=$(_millrace_optval -S --store)
    [[ -n $store ]] && opt=(--store "$store")
    out=$("$cmd" "${opt[@]}" "$@" 2>/dev/null)
    printf '%s\n' "$out" |
        grep -o "\"$field\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" 2>/dev/null |
        sed 's/.*"\([^"]*\)"$/\1/'
}

# _millrace_streams, _millrace_tables: the names of the store's streams, and of its tables.
_millrace_streams() { _millrace_names StreamName ks-shard --json list; } # parity: ignore
_millrace_tables() { _millrace_names TableName kv-get --list; }          # parity: ignore

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

# begin cw-stats
# _cw_stats_dimensions: NAME=VALUE for each dimension of the metrics of the store named on the
# line, one a line.
_cw_stats_dimensions()
{
    local store cmd
    local -a opt=()
    cmd=$(_millrace_sibling cw-stats)
    store=$(_millrace_optval -S --store)
    [[ -n $store ]] && opt=(--store "$store")
    "$cmd" "${opt[@]}" --list 2>/dev/null |
        grep -o '{"Name":"[^"]*","Value":"[^"]*"}' |
        sed 's/{"Name":"\([^"]*\)","Value":"\([^"]*\)"}/\1=\2/' | sort -u
}

_cw_stats()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -S | --store) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    --namespace) _millrace_reply "$(_millrace_names Namespace cw-stats --list)"; return ;;
    --metric) _millrace_reply "$(_millrace_names MetricName cw-stats --list)"; return ;;
    --dimension) _millrace_reply "$(_cw_stats_dimensions)"; return ;;
    --since) _millrace_reply '15m 1h 3h 1d 7d'; return ;;
    --period) _millrace_reply '1m 5m 1h'; return ;;
    --stat) _millrace_reply 'Sum Average Minimum Maximum SampleCount'; return ;;
    --until) return ;;
    --svg) _millrace_files; return ;;
    esac

    _millrace_reply '-S --store --namespace --metric --dimension --since --until --period --stat
        --list --json --plot --watch --svg --dashboard --config -q --quiet -v --verbose -h --help
        --version'
}
# end cw-stats

# begin ks-put
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
            --shards --progress --no-progress --config -q --quiet -v --verbose -h --help
            --version'
        return
    fi
    _millrace_files # FILE operands
}
# end ks-put

# begin ks-shard
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
        trim | delete) _millrace_reply '--progress --no-progress -h --help' ;;
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
# end ks-shard

# begin ks-consume
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
    --checkpoint) _millrace_reply 'poll downstream'; return ;;
    --exec-format) _millrace_reply 'lambda data envelope'; return ;;
    --sync) _millrace_reply 'full none'; return ;;
    --on-failure) _millrace_reply "$(_millrace_streams)"; return ;;
    --runtime) _millrace_reply 'nodejs python'; return ;;
    --code) _millrace_files -d; return ;;
    --exec | --runtime-cmd)
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
        --batch-window | --retries | --max-record-age | --parallel | --timeout | \
        --handler | --env | --memory | --endpoint) return ;;
    esac

    _millrace_reply '-S --store -s --stream -g --group --from --shard -n --limit
        -f --follow --idle-exit --format --batch-size --lease-timeout --checkpoint --sync
        --exec --exec-format --handler --runtime --runtime-cmd --code --env --memory
        --endpoint --batch-window --retries --max-record-age --bisect
        --on-failure --parallel --timeout --progress --no-progress --config -q --quiet -v --verbose
        -h --help --version'
}
# end ks-consume

# begin ks-window
_ks_window()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    --config | --late) _millrace_files; return ;;
    --format) _millrace_reply 'data envelope'; return ;;
    --on-error) _millrace_reply 'fail skip'; return ;;
    --tumbling | --hopping | --session | --lateness | --by | --where | --select | \
        --time | --max-groups) return ;;
    esac

    if [[ $cur == -* ]]; then
        _millrace_reply '--tumbling --hopping --session --by --where --select --time
            --lateness --late --max-groups --format --on-error --progress --no-progress
            --config -q --quiet -v
            --verbose -h --help --version'
        return
    fi
    _millrace_files # FILE operands
}
# end ks-window

# begin kv-put
_kv_put()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -S | --store) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    -t | --table) _millrace_reply "$(_millrace_tables)"; return ;;
    --key-type | --sort-key-type) _millrace_reply 'string number binary'; return ;;
    --emit) _millrace_reply 'changes'; return ;;
    --format) _millrace_reply 'data envelope'; return ;;
    --sync) _millrace_reply 'full none'; return ;;
    --on-error) _millrace_reply 'fail skip'; return ;;
    -k | --key | --sort-key | --add | --remove | --if | --ttl) return ;;
    esac

    if [[ $cur == -* ]]; then
        _millrace_reply '-S --store -t --table -k --key --sort-key --create --key-type
            --sort-key-type --merge --add --remove --delete --if-absent --if --ttl --emit
            --format --sync --on-error --progress --no-progress --config -q --quiet -v
            --verbose -h --help --version'
        return
    fi
    _millrace_files # FILE operands
}
# end kv-put

# begin kv-get
_kv_get()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -S | --store) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    -t | --table | --describe) _millrace_reply "$(_millrace_tables)"; return ;;
    --index | --query | --begins-with | --between | --lt | --le | --gt | --ge | --limit | --where) return ;;
    esac

    if [[ $cur == -* ]]; then
        _millrace_reply '-S --store -t --table --index --query --scan --begins-with --between --lt
            --le --gt --ge --reverse --limit --where --list --describe --config -q --quiet
            -v --verbose -h --help --version'
    fi
    # KEY [SORTKEY] operands: values of the data, nothing to offer
}
# end kv-get

# begin fh-archive
_fh_archive()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -S | --store | -d | --dir) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    -s | --stream) _millrace_reply "$(_millrace_streams)"; return ;;
    --format) _millrace_reply 'data envelope'; return ;;
    --compression) _millrace_reply 'zstd none'; return ;;
    --sync) _millrace_reply 'full none'; return ;;
    --buffer-size) _millrace_reply '1MiB 5MiB 64MiB 128MiB'; return ;;
    --buffer-interval) _millrace_reply '0s 60s 300s 900s'; return ;;
    -g | --group | --lease-timeout | --prefix | --error-prefix | --partition-by | \
        --level | --name) return ;;
    esac

    if [[ $cur == -* ]]; then
        _millrace_reply '-d --dir -S --store -s --stream -g --group -f --follow
            --lease-timeout --format --prefix --error-prefix --partition-by
            --buffer-size --buffer-interval --compression --level --name --sync
            --progress --no-progress --config -q --quiet -v --verbose -h --help --version'
        return
    fi
    _millrace_files # FILE operands
}
# end fh-archive

# begin gw-serve
_gw_serve()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -S | --store) _millrace_files -d; return ;;
    --config | --credentials) _millrace_files; return ;;
    --sync) _millrace_reply 'full none'; return ;;
    --runtime) _millrace_reply 'nodejs python'; return ;;
    --code) _millrace_files -d; return ;;
    --runtime-cmd) _millrace_files; return ;;
    --listen | --threads | --route | --handler | --env | --memory | --endpoint | --timeout | \
        --parallel) return ;;
    esac

    _millrace_reply '-S --store --listen --credentials --shard-limits --sync --threads --route
        --handler --runtime --runtime-cmd --code --env --memory --endpoint --timeout --parallel
        --config -q --quiet -v --verbose -h --help --version'
}
# end gw-serve

# begin fh-cat
_fh_cat()
{
    local cur prev pre
    COMPREPLY=()
    _millrace_init

    case $prev in
    -d | --dir) _millrace_files -d; return ;;
    --config) _millrace_files; return ;;
    --prefix | --since | --until) return ;;
    esac

    _millrace_reply '-d --dir --prefix --since --until --config -q --quiet -v --verbose
        -h --help --version'
}
# end fh-cat

complete -F _gw_serve gw-serve
complete -F _ks_put ks-put
complete -F _ks_shard ks-shard
complete -F _ks_consume ks-consume
complete -F _ks_window ks-window
complete -F _kv_put kv-put
complete -F _kv_get kv-get
complete -F _fh_archive fh-archive
complete -F _fh_cat fh-cat
complete -F _cw_stats cw-stats
