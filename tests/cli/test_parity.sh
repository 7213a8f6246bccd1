#!/usr/bin/env bash
# Behaviour: the documentation cannot drift from the parser (as git's t0450).
#  - Every program under cmd/ has its section in completions/millrace.bash, the lines
#    between "# begin PROG" and "# end PROG" (sections neither nest nor repeat, and each
#    names a program); sourcing the file registers for PROG a function of that section; and
#    completions/PROG is a link to millrace.bash (the layout that its head explains).
#  - Every option that `PROG --help` lists (and, for ks-shard, `ks-shard COMMAND --help`)
#    heads an entry in the OPTIONS section of man/man1/PROG.1 and is a literal in PROG's
#    section; every long option that OPTIONS or the section names is one that --help
#    lists. Options named only in the shared helpers (outside every section) count for no
#    program, but each is one that some program's --help lists. A completion line ending in
#    "# parity: ignore" is not read (it runs another program, with that program's options).
#  - Every ks-shard command is described in the man page and completed in its section.
#  - Every page under man/ is clean under `mandoc -Tlint -Wwarning`.
# Every mismatch is reported, then the test exits 1.
#
# Environment: MILLRACE_BIN (directory of the binaries, default $MILLRACE_SRC/build),
# MILLRACE_SRC (source root, default two levels above this file).
set -uo pipefail
export LC_ALL=C

TEST_NAME=$(basename "$0" .sh)
MILLRACE_SRC=${MILLRACE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MILLRACE_BIN=${MILLRACE_BIN:-$MILLRACE_SRC/build}
COMPLETIONS=$MILLRACE_SRC/completions/millrace.bash
PROGRAMS=()
for dir in "$MILLRACE_SRC"/cmd/*/; do
  [[ -d $dir ]] && PROGRAMS+=("$(basename "$dir")")
done
KS_SHARD_COMMANDS=(create list describe retention split merge scale trim delete)

problems=0
problem() {
  printf '%s: %s\n' "$TEST_NAME" "$*" >&2
  problems=$((problems + 1))
}

command -v mandoc >/dev/null 2>&1 || {
  printf '%s: FAIL: mandoc is not installed (Debian: apt-get install mandoc)\n' "$TEST_NAME" >&2
  exit 1
}

# render PAGE: the page as plain text, wide enough that no option is broken across lines.
render() {
  if command -v col >/dev/null 2>&1; then
    mandoc -Tascii -O width=250 "$1" | col -bx
  else
    mandoc -Tascii -O width=250 "$1" | sed -e $'s/.\b//g'
  fi
}

# section NAME: the lines of one section of a rendered page (stdin), without its heading.
section() {
  awk -v name="$1" '$0 == name { on = 1; next } /^[A-Z][A-Z ]*[A-Z]$/ { on = 0 } on'
}

# long_options: every long option named in the text on stdin, one a line, sorted.
long_options() {
  grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/-*$//' | sort -u
}

# help_options: the option names (short and long) of the option lines of CLI11 help on
# stdin, such as "  -s,--stream TEXT REQUIRED   the stream", one a line, sorted.
help_options() {
  grep -E '^ {1,8}-' | awk '{ print $1 }' | tr ',' '\n' |
    grep -oE -- '^(--[a-z][a-z0-9-]*|-[A-Za-z0-9])' | sort -u
}

# help_commands: the names in the "Subcommands:" section of CLI11 help on stdin.
help_commands() {
  awk '/^[A-Za-z].*:$/ { on = ($0 == "Subcommands:"); next } on && NF { print $1 }' | sort -u
}

# has_word WORD FILE: FILE holds WORD, not as part of a longer option or name.
has_word() {
  grep -qE -- "(^|[^A-Za-z0-9_-])$1([^A-Za-z0-9_-]|$)" "$2"
}

# completion_section PROG: PROG's section of the completion file, without its delimiters;
# with no PROG, the shared helpers: every line outside the sections. Lines ending in
# "# parity: ignore" are left out.
completion_section() {
  awk -v name="${1-}" '
    /^# begin / { section = substr($0, 9); next }
    /^# end / { section = ""; next }
    section == name' "$COMPLETIONS" 2>/dev/null |
    grep -v '# parity: ignore$'
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/millrace-$TEST_NAME.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

((${#PROGRAMS[@]} > 0)) || problem "no programs under cmd/"

# The completion file: its sections are well formed, and each is a program's.
if [[ -f $COMPLETIONS ]]; then
  while IFS= read -r line; do
    problem "completions/millrace.bash: $line"
  done < <(awk '
    /^# begin / {
      if (open != "") print "section " open " has no end before \"" $0 "\""
      open = substr($0, 9)
      if (seen[open]++) print "two sections for " open
      next
    }
    /^# end / {
      if (substr($0, 7) != open) print "\"" $0 "\" ends no open section"
      open = ""
    }
    END { if (open != "") print "section " open " has no end" }' "$COMPLETIONS")
  while read -r name; do
    [[ " ${PROGRAMS[*]} " == *" $name "* ]] ||
      problem "completions/millrace.bash: section $name is for no program under cmd/"
  done < <(sed -n 's/^# begin //p' "$COMPLETIONS")
else
  problem "completions/millrace.bash is missing"
fi
: >"$TMP/help.all"

for prog in "${PROGRAMS[@]}"; do
  bin=$MILLRACE_BIN/$prog
  page=$MILLRACE_SRC/man/man1/$prog.1

  # What the parser knows.
  : >"$TMP/help"
  if [[ -x $bin ]]; then
    helps=("")
    [[ $prog == ks-shard ]] && helps+=("${KS_SHARD_COMMANDS[@]}")
    for sub in "${helps[@]}"; do
      args=(${sub:+"$sub"} --help)
      if ! "$bin" "${args[@]}" >>"$TMP/help" 2>"$TMP/help.err"; then
        problem "$prog: '$prog ${args[*]}' failed: $(head -c 300 "$TMP/help.err")"
      fi
    done
  else
    problem "$prog: no binary $bin (set MILLRACE_BIN): cannot compare with --help"
  fi
  help_options <"$TMP/help" >"$TMP/help.opts"
  grep -- '^--' "$TMP/help.opts" >"$TMP/help.long"
  cat "$TMP/help.long" >>"$TMP/help.all"
  if [[ -x $bin && ! -s $TMP/help.long ]]; then
    problem "$prog: no options found in --help (has CLI11's help format changed?)"
  fi

  # What the man page and the completion say.
  if [[ -f $page ]]; then
    render "$page" | section OPTIONS >"$TMP/man.options"
    [[ -s $TMP/man.options ]] || problem "$prog: man/man1/$prog.1 has no OPTIONS section"
  else
    problem "$prog: man/man1/$prog.1 is missing"
    : >"$TMP/man.options"
  fi
  completion_section "$prog" >"$TMP/comp"
  if [[ -f $COMPLETIONS ]] && ! grep -qx "# begin $prog" "$COMPLETIONS"; then
    problem "$prog: completions/millrace.bash has no section for it ('# begin $prog' ... '# end $prog')"
  fi
  if [[ -f $COMPLETIONS ]]; then
    fn=$(bash -c 'source "$1" >/dev/null 2>&1; complete -p "$2" 2>/dev/null' _ "$COMPLETIONS" "$prog" |
      sed -n 's/.* -F \([^ ]*\) .*/\1/p')
    if [[ -z $fn ]]; then
      problem "$prog: sourcing completions/millrace.bash registers no function for it (complete -F FUNCTION $prog)"
    elif ! grep -qxF "$fn()" "$TMP/comp"; then
      problem "$prog: its completion function $fn is not defined in its section of completions/millrace.bash"
    fi
  fi
  [[ $MILLRACE_SRC/completions/$prog -ef $COMPLETIONS ]] ||
    problem "$prog: completions/$prog is not a link to millrace.bash"

  # Parser → documentation: each option heads an entry of OPTIONS (a line that starts
  # with an option), and the completion names it.
  grep -E '^ +-' "$TMP/man.options" >"$TMP/man.heads"
  while read -r opt; do
    has_word "$opt" "$TMP/man.heads" ||
      problem "$prog: $opt is in --help but heads no entry in the OPTIONS of man/man1/$prog.1"
    has_word "$opt" "$TMP/comp" ||
      problem "$prog: $opt is in --help but not in its section of completions/millrace.bash"
  done <"$TMP/help.opts"

  # Documentation → parser (only where there is a parser to compare with).
  if [[ -s $TMP/help.long ]]; then
    while read -r opt; do
      problem "$prog: $opt is in the OPTIONS of man/man1/$prog.1 but not in --help"
    done < <(long_options <"$TMP/man.options" | comm -23 - "$TMP/help.long")
    while read -r opt; do
      problem "$prog: $opt is in its section of completions/millrace.bash but not in --help"
    done < <(long_options <"$TMP/comp" | comm -23 - "$TMP/help.long")
  fi

  # ks-shard's commands: the fixed list, and whatever its --help lists.
  if [[ $prog == ks-shard ]]; then
    : >"$TMP/man.description"
    [[ -f $page ]] && render "$page" | section DESCRIPTION >"$TMP/man.description"
    while read -r cmd; do
      grep -qE "^ {1,8}$cmd( |$)" "$TMP/man.description" ||
        problem "$prog: command $cmd is not described in the DESCRIPTION of man/man1/$prog.1"
      grep -qE "(^|[[:space:]'\"])$cmd([[:space:]'\"]|\$)" "$TMP/comp" ||
        problem "$prog: command $cmd is not in its section of completions/millrace.bash"
    done < <({
      printf '%s\n' "${KS_SHARD_COMMANDS[@]}"
      [[ -x $bin ]] && "$bin" --help 2>/dev/null | help_commands
    } | sort -u)
  fi
done

# The shared helpers name only options that some program has.
if [[ -s $TMP/help.all ]]; then
  while read -r opt; do
    problem "$opt is in the shared helpers of completions/millrace.bash but in no program's --help"
  done < <(completion_section | long_options | comm -23 - <(sort -u "$TMP/help.all"))
fi

# Every man page is clean under mandoc's linter.
while IFS= read -r page; do
  out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
  [[ -z $out ]] || problem "mandoc -Tlint -Wwarning ${page#"$MILLRACE_SRC"/}:
$out"
done < <(find "$MILLRACE_SRC/man" -type f -name '*.[1-9]' | sort)

if ((problems > 0)); then
  printf '%s: FAIL: %d mismatch(es)\n' "$TEST_NAME" "$problems" >&2
  exit 1
fi
printf '%s: ok\n' "$TEST_NAME" >&2
