#!/usr/bin/env bash
# load.sh - the store under load (make load): sweeps of many tiny jobs while
# readers poll the database, as a user watching a sweep does.
#
#   local      10,000 jobs on 32 local workers; `sweep status` and
#              `sweep export` each polled every 100 ms
#   slurm      1,000 jobs through a one-node Slurm cluster of its own
#              (scripts/slurm/cluster.sh); `sweep status` polled every 100 ms
#   quickstart sweeps/quickstart.yaml (90 Fashion-MNIST jobs) through the same
#              cluster; `sweep status` polled every 100 ms
#
# For each it prints the jobs finished (done, or diverged or stopped: an outcome), the reader calls and how many failed,
# the wall time, and the orchestrator's own CPU time per job and peak RSS
# (from /proc, without its workers). It fails when a reader call or the
# sweep failed, or a job is not done.
#
# Usage: scripts/load/load.sh [local] [slurm] [quickstart]   (default: all)
# Environment: LSSR (default bin/lssr), LOAD_DIR (default: a new temp folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
LSSR=$(realpath "${LSSR:-bin/lssr}")
WORK=${LOAD_DIR:-$(mktemp -d)}
mkdir -p "$WORK"
chmod 0755 "$WORK" # the Slurm cluster's munged lives below it
RUNS=("$@")
[ ${#RUNS[@]} -gt 0 ] || RUNS=(local slurm quickstart)
failed=0

# tiny NAME BS LRS SEEDS: a spec of jobs of a few milliseconds each.
tiny() {
	cat <<SPEC
name: $1
dataset: {name: synthetic, n: 64, test_n: 32, dim: 4, classes: 2}
model: {kind: mlp, hidden: [4], activation: relu}
training: {epochs: 1}
grid:
  batch_sizes: $2
  learning_rates: $3
  seeds: $4
SPEC
}

seeds() { # seeds N: [0, 1, ..., N-1]
	local s="" i
	for ((i = 0; i < $1; i++)); do s+="${s:+, }$i"; done
	echo "[$s]"
}

# poll NAME PID CMD...: runs CMD every 100 ms while PID lives; writes
# "calls failures" to $WORK/NAME.poll and the first failure to NAME.err.
poll() {
	local name=$1 pid=$2 calls=0 fails=0
	shift 2
	while kill -0 "$pid" 2>/dev/null; do
		calls=$((calls + 1))
		if ! "$@" >/dev/null 2>"$WORK/$name.last"; then
			fails=$((fails + 1))
			[ -s "$WORK/$name.err" ] || cp "$WORK/$name.last" "$WORK/$name.err"
		fi
		sleep 0.1
	done
	echo "$calls $fails" >"$WORK/$name.poll"
}

# watch PID: samples the process's own CPU ticks and peak RSS every 100 ms
# until it exits; the last sample goes to $WORK/watch.
watch() {
	local pid=$1 stat hwm
	while [ -r "/proc/$pid/stat" ]; do
		stat=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || break
		hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
		[ -n "$stat" ] && [ -n "$hwm" ] && echo "$stat $hwm" >"$WORK/watch"
		sleep 0.1
	done
}

# run NAME SPEC DB JOBS READERS... -- ARGS...: runs the sweep with ARGS while
# the readers poll, and reports.
run() {
	local name=$1 spec=$2 db=$3 jobs=$4
	shift 4
	local readers=()
	while [ "$1" != "--" ]; do readers+=("$1"); shift; done
	shift
	rm -f "$WORK"/*.poll "$WORK"/*.err "$WORK/watch"
	local start end code=0
	start=$(date +%s.%N)
	"$LSSR" --db "$db" sweep run "$spec" --plain "$@" >"$WORK/$name.out" 2>"$WORK/$name.stderr" &
	local pid=$!
	watch "$pid" &
	local wpid=$!
	# The readers start once the sweep is stored: before, "sweep not found"
	# is the right answer, not a failure.
	until grep -q "jobs stored\|exists: continuing" "$WORK/$name.out" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do
		sleep 0.05
	done
	local pids=()
	for r in "${readers[@]}"; do
		case $r in
		status) poll status "$pid" "$LSSR" --db "$db" sweep status "$name" & ;;
		export) poll export "$pid" "$LSSR" --db "$db" sweep export "$name" & ;;
		esac
		pids+=($!)
	done
	wait "$pid" || code=$?
	end=$(date +%s.%N)
	wait "${pids[@]}" "$wpid"
	local done
	done=$("$LSSR" --db "$db" sweep export "$name" | awk -F, 'NR > 1 && ($6 == "done" || $6 == "diverged" || $6 == "stopped")' | wc -l)
	read -r utime stime hwm <"$WORK/watch"
	local tck
	tck=$(getconf CLK_TCK)
	awk -v name="$name" -v done="$done" -v jobs="$jobs" -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" \
		-v code="$code" -v cpu="$((utime + stime))" -v tck="$tck" -v hwm="$hwm" 'BEGIN {
		printf "%s: %d of %d jobs finished in %.1f s (%.2f ms per job); orchestrator exit %d, its own CPU %.2f ms per job, its peak RSS %d MB\n",
			name, done, jobs, wall, wall * 1000 / jobs, code, cpu * 1000 / tck / jobs, hwm / 1024 }'
	for r in "${readers[@]}"; do
		read -r calls fails <"$WORK/$r.poll"
		printf '  sweep %s polled every 100 ms: %d calls, %d errors\n' "$r" "$calls" "$fails"
		if [ "$fails" -gt 0 ]; then
			echo "  first error: $(head -c 300 "$WORK/$r.err")"
			failed=1
		fi
	done
	if [ "$code" -ne 0 ] || [ "$done" -ne "$jobs" ]; then
		echo "  FAILED: $(tail -n 3 "$WORK/$name.stderr")"
		failed=1
	fi
}

cluster_up() {
	[ -n "${SLURM_CONF:-}" ] && return
	local said
	said=$(scripts/slurm/cluster.sh up "$WORK/slurm") || { echo "no Slurm cluster: cluster.sh up failed"; exit 1; }
	eval "$said"
	trap 'scripts/slurm/cluster.sh down "$WORK/slurm" >/dev/null 2>&1' EXIT
}

echo "load: $("$LSSR" version | tr '\n' ' ')"
echo "load: work folder $WORK, $(nproc) CPUs"
for r in "${RUNS[@]}"; do
	case $r in
	local)
		tiny big "[4, 8, 16, 32]" "{log2_from: -12, log2_to: -2.1, log2_step: 0.1}" "$(seeds 25)" >"$WORK/big.yaml"
		run big "$WORK/big.yaml" "$WORK/local.db" 10000 status export -- --workers 32
		;;
	slurm)
		cluster_up
		tiny many "[4, 8, 16, 32]" "{log2_from: -12, log2_to: -2.4, log2_step: 0.4}" "$(seeds 10)" >"$WORK/many.yaml"
		run many "$WORK/many.yaml" "$WORK/slurm.db" 1000 status -- --executor slurm --throttle 64 --slurm-dir "$WORK/slurm-tasks"
		;;
	quickstart)
		cluster_up
		run quickstart sweeps/quickstart.yaml "$WORK/quickstart.db" 90 status -- --executor slurm --slurm-dir "$WORK/slurm-qs"
		;;
	*)
		echo "unknown run $r (want local, slurm or quickstart)"
		exit 2
		;;
	esac
done
exit $failed
