#!/usr/bin/env bash
# Behaviour: the README's first command sets up a fresh Debian 12 machine as root without sudo
# (containers, CI images) and as a user with sudo. It runs here with stand-ins for id, sudo,
# apt-get, cmake and the demo that record how they were called, in a copy of the files it reads.
source "$(dirname "$0")/common.sh"
cd "$TMP"

first_command=$(sed -n '/^```sh$/,/^```$/p' "$MILLRACE_SRC/README.md" | sed '1d' | sed -n '1p')
[[ $first_command == *apt-get* && $first_command == *scripts/demo.sh* ]] ||
  fail "the README's first command is not the setup command: $first_command"

mkdir -p work/scripts stand-ins
cp "$MILLRACE_SRC/packages.txt" work/
stand_in() { # stand_in NAME BODY: a program on the stand-ins' PATH
  printf '#!/bin/bash\n%s\n' "$2" >"stand-ins/$1"
  chmod +x "stand-ins/$1"
}
stand_in apt-get 'echo "apt-get $* as $MILLRACE_UID" >>"$LOG"'
stand_in sudo 'MILLRACE_UID=0 exec "$@"'
stand_in cmake 'echo "cmake $*" >>"$LOG"'
stand_in id '[ "$1" = -u ] && echo "$MILLRACE_UID"'
printf '#!/bin/bash\necho demo >>"$LOG"\n' >work/scripts/demo.sh
chmod +x work/scripts/demo.sh
for tool in grep sed cat bash; do ln -s "$(command -v $tool)" stand-ins/$tool; done

run_as() { # run_as UID SUDO(yes|no): the first command, with or without sudo on the PATH
  local uid=$1 with_sudo=$2
  rm -f "$TMP/log"
  [[ $with_sudo == yes ]] || mv stand-ins/sudo stand-ins/sudo.off
  (cd work && LOG=$TMP/log MILLRACE_UID=$uid PATH=$TMP/stand-ins bash -c "$first_command") >out 2>err ||
    fail "the first command as uid $uid (sudo: $with_sudo) failed: $(cat err)"
  [[ $with_sudo == yes ]] || mv stand-ins/sudo.off stand-ins/sudo
}

packages=$(grep -v '^#' "$MILLRACE_SRC/packages.txt" | tr '\n' ' ' | sed 's/ $//')
for who in "0 no" "0 yes" "1000 yes"; do
  set -- $who
  run_as "$1" "$2"
  grep -qx "apt-get update as 0" log || fail "uid $1 (sudo: $2): apt-get update did not run as root: $(cat log)"
  grep -qx "apt-get install -y $packages as 0" log ||
    fail "uid $1 (sudo: $2): apt-get install of packages.txt did not run as root: $(cat log)"
  grep -q '^cmake -S . -B build' log || fail "uid $1 (sudo: $2): the build was not configured"
  [[ $(tail -n 1 log) == demo ]] || fail "uid $1 (sudo: $2): the demo did not run last: $(cat log)"
done
