# Timing helpers for bench/ scripts (bash; source it). One run at a time, so that callers can
# interleave the commands they compare: drift (other load, CPU frequency) then hits all alike.
#
# time_ms CMD [ARG...]   run CMD once, output discarded; print its wall time in ms (3 decimals).
#                        Returns CMD's status. hyperfine (-N: no shell) measures it when present,
#                        else bash's $EPOCHREALTIME around the fork; TIMING=loop forces the latter.
# summarize              read ms values, one a line; print "median min max count".

export LC_ALL=C   # $EPOCHREALTIME and awk use the locale's decimal point

if [[ ${TIMING:-} != loop ]] && command -v hyperfine >/dev/null; then
    TIMING=hyperfine
else
    TIMING=loop
fi
_timing_json=$(mktemp)
trap 'rm -f "$_timing_json"' EXIT

time_ms() {
    if [[ $TIMING == hyperfine ]]; then
        local cmd
        cmd=$(printf '%q ' "$@")
        hyperfine -N --runs 1 --style none --export-json "$_timing_json" "$cmd" >/dev/null 2>&1 \
            || return 1
        awk '/"mean":/ { gsub(/[",]/, "", $2); printf "%.3f\n", $2 * 1000 }' "$_timing_json"
    else
        local t0 t1 status=0
        t0=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 || status=$?
        t1=$EPOCHREALTIME
        ((status == 0)) || return $status
        # $EPOCHREALTIME has six decimals: drop the point for integer microseconds.
        local us=$(( 10#${t1/./} - 10#${t0/./} ))
        printf '%d.%03d\n' $((us / 1000)) $((us % 1000))
    fi
}

summarize() {
    sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) exit 1
            median = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.1f %.1f %.1f %d\n", median, v[1], v[NR], NR
        }'
}
