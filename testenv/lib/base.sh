# Shared helpers of scripts/testenv: paths, messages, process handling by PID file.
# Sourced, not run. Every process is started in its own session (setsid) so that a Ctrl-C or a
# killed job in the shell that ran `up` does not take the environment down with it.

TESTENV_DIR=$ROOT/testenv
RUN=${TESTENV_RUN_DIR:-$ROOT/run/testenv}
PKI=$RUN/pki
LOGS=$RUN/logs
PIDS=$RUN/pids
DATA=$RUN/data
APISERVER=https://127.0.0.1:6443

say() { echo "testenv: $*" >&2; }
die() { say "error: $*"; exit 1; }

# Prints how many seconds have passed since the script started, to one decimal.
elapsed() { awk -v s="$START_NS" -v n="$(date +%s%N)" 'BEGIN { printf "%.1f", (n - s) / 1e9 }'; }
START_NS=$(date +%s%N)

# pid_of COMPONENT -> prints the recorded PID if that process still runs the component's program.
# The command-line check guards against a stale PID file whose PID was reused by something else.
pid_of() {
    local comp=$1 pid
    [ -f "$PIDS/$comp.pid" ] || return 1
    pid=$(<"$PIDS/$comp.pid")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(marker_of "$comp")" || return 1
    echo "$pid"
}

is_running() { pid_of "$1" >/dev/null; }

# is_alive COMPONENT: the recorded PID still exists. Right after spawn the PID may still be the
# subshell that has not yet exec'd the component (its command line is this script's), so start-up
# waits use this rather than is_running.
is_alive() {
    local pid
    [ -f "$PIDS/$1.pid" ] && pid=$(<"$PIDS/$1.pid") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Closes every file descriptor above 2 in this shell. A component must not inherit the caller's
# pipes: ctest (and any `$(...)`) waits for its pipe to close, which a long-lived server holding
# it would never do.
close_inherited_fds() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    return 0
}

# spawn COMPONENT COMMAND... : starts COMMAND detached, output appended to logs/COMPONENT.log.
spawn() {
    local comp=$1; shift
    mkdir -p "$LOGS" "$PIDS"
    echo "---- $(date -u +%FT%TZ) starting $comp" >>"$LOGS/$comp.log"
    # Not a process-group leader (no job control in scripts), so setsid execs in place: $! is the
    # component's own PID.
    # The subshell closes the inherited descriptors (not this shell: bash reads the script
    # through one of them) and then becomes setsid, which execs in place, so $! stays the PID.
    (close_inherited_fds; exec setsid "$@" >>"$LOGS/$comp.log" 2>&1 </dev/null) &
    echo $! >"$PIDS/$comp.pid"
}

# stop_component COMPONENT [GRACE_SECONDS]: SIGTERM, then SIGKILL after the grace period.
stop_component() {
    local comp=$1 grace=${2:-15} pid deadline
    if ! pid=$(pid_of "$comp"); then
        rm -f "$PIDS/$comp.pid"
        return 0
    fi
    say "stopping $comp (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + grace))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        say "$comp did not stop in ${grace}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$PIDS/$comp.pid"
}

# fail_component COMPONENT WHAT: prints the tail of the component's log and exits 1.
fail_component() {
    local comp=$1 what=$2
    say "error: $comp: $what"
    if [ -f "$LOGS/$comp.log" ]; then
        say "last lines of $LOGS/$comp.log:"
        tail -n 40 "$LOGS/$comp.log" >&2
    fi
    exit 1
}

# wait_ready COMPONENT DEADLINE_SECONDS CHECK...: polls CHECK until it succeeds, the deadline
# passes, or the component's process dies.
wait_ready() {
    local comp=$1 secs=$2 deadline=$((SECONDS + $2)); shift 2
    until "$@" >/dev/null 2>&1; do
        if [ "$comp" != node ] && ! is_alive "$comp"; then
            fail_component "$comp" "process exited during start-up"
        fi
        [ $SECONDS -lt $deadline ] || fail_component "$comp" "not ready after ${secs}s"
        sleep 0.3
    done
}

# wait_object WHAT DEADLINE_SECONDS DESCRIBE CHECK...: polls CHECK (a cluster object's state, no
# process of ours) until it succeeds; at the deadline prints what DESCRIBE shows and exits 1.
wait_object() {
    local what=$1 secs=$2 describe=$3 deadline=$((SECONDS + $2)); shift 3
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            say "error: timed out after ${secs}s waiting for $what; current state:"
            "$describe" >&2
            exit 1
        fi
        sleep 0.3
    done
}
