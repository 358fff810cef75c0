#!/usr/bin/env bash
# compare.sh: lssr's Go trainer against PyTorch on workload W1 (MLP
# 784-512-512-10, ReLU, softmax cross-entropy, plain SGD, float32, one
# thread), samples/s of full training steps at b = 8, 32, 128, 512.
#
# PyTorch runs twice per round: as a user gets it (OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset in its command alone, so OpenBLAS picks its kernels
# for this CPU: on AVX-512 CPUs its AVX-512 ones), and, for reference, with
# OPENBLAS_CORETYPE=Haswell (its AVX2 kernels), which some machines set to
# guard old OpenBLAS builds. Tests and CI never unset them.
#
# stdout: the OpenBLAS core each torch run chose, one line per batch size,
# then the lowest ratio against torch as a user gets it:
#   openblas core: torch=Cooperlake torch_avx2=Haswell
#   b=128 lssr=27000 torch=26700 ratio=1.01 torch_avx2=25000 ratio_avx2=1.08
#   lowest ratio=0.93 at b=8
# Raw benchmark output and the torch/BLAS configuration go to $COMPARE_LOG
# (default /tmp/lssr-bench-compare.log); progress and torch's thread/BLAS
# setup also go to stderr. Exits non-zero if either side gives no numbers.
#
# The two sides run alternately ROUNDS times (each a fresh process) and the
# best of each side counts, to be fair on a shared machine.
#
# Knobs (environment): ROUNDS (3), BENCHTIME (Go -benchtime, 2s),
# TORCH_SECONDS (timed seconds per batch size per torch run, 2), PYTHON (an
# interpreter that has torch), COMPARE_LOG, LSSR_REV (a git revision, e.g.
# HEAD: benchmark that commit's trainer, exported with git archive, instead
# of the work tree's).
#
# Needs Go and, for PyTorch, Debian's python3-torch with OpenBLAS
# (installed here with apt-get when no python3 can import torch).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
LOG=${COMPARE_LOG:-${TMPDIR:-/tmp}/lssr-bench-compare.log}
ROUNDS=${ROUNDS:-3}
BENCHTIME=${BENCHTIME:-2s}
TORCH_SECONDS=${TORCH_SECONDS:-2}
BATCHES=(8 32 128 512)
GO=${GO:-go}

# One thread everywhere. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set or
# unset per torch run (run_torch), never for the whole script.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

start=$SECONDS
: >"$LOG"
say() { printf '%s\n' "$*" | tee -a "$LOG" >&2; }
die() { say "compare.sh: $*"; say "compare.sh: raw output is in $LOG"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say "compare.sh: W1 lssr vs torch, raw output in $LOG"
{
	echo "date: $(date -u +%FT%TZ)"
	echo "host: $(uname -srm), $(getconf _NPROCESSORS_ONLN) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "go: $("$GO" version)"
	echo "lssr: HEAD $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$([ -z "$(git -C "$root" status --porcelain -- trainer 2>/dev/null)" ] || echo ', trainer/ modified in the work tree'), LSSR_REV=${LSSR_REV:-(work tree)}"
	echo "env: OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS OMP_NUM_THREADS=$OMP_NUM_THREADS MKL_NUM_THREADS=$MKL_NUM_THREADS; the caller's OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-(unset)} (torch runs unset them, torch_avx2 runs set OPENBLAS_CORETYPE=Haswell)"
} >>"$LOG"

# --- PyTorch: find an interpreter that imports torch, else install Debian's.
# (python3 may be a pyenv one that cannot see Debian's dist-packages, so
# /usr/bin/python3 is tried too.)
find_python() {
	local py
	for py in ${PYTHON:-} python3 /usr/bin/python3; do
		if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import torch' >/dev/null 2>&1; then
			command -v "$py"
			return 0
		fi
	done
	return 1
}
if ! py=$(find_python); then
	say "compare.sh: no python3 imports torch; installing python3-torch libopenblas0-pthread with apt-get (takes minutes)"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update >>"$LOG" 2>&1 || die "apt-get update failed"
	$sudo apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread >>"$LOG" 2>&1 ||
		die "apt-get install python3-torch libopenblas0-pthread failed"
	py=$(find_python) || die "torch still does not import after installing python3-torch"
fi
say "compare.sh: torch via $py"

# --- lssr: build the trainer's test binary once; each round runs it afresh.
src=$root
if [ -n "${LSSR_REV:-}" ]; then
	src=$tmp/src
	mkdir "$src"
	git -C "$root" archive "$LSSR_REV" | tar -x -C "$src" || die "cannot export revision $LSSR_REV"
	say "compare.sh: lssr from revision $LSSR_REV ($(git -C "$root" rev-parse --short "$LSSR_REV"))"
fi
(cd "$src" && "$GO" test -c -o "$tmp/trainer.test" ./trainer/) >>"$LOG" 2>&1 || die "building the trainer benchmark failed"
blist=$(IFS='|'; echo "${BATCHES[*]}")
gobench="BenchmarkTrainStep/mlp=784-\\[512_512\\]-10/b=($blist)\$"
say "compare.sh: lssr: GOMAXPROCS=1 go test -run '^\$' -bench '$gobench' -benchtime $BENCHTIME -count 1 ./trainer/"
say "compare.sh: torch: $py $here/torch_w1.py --seconds $TORCH_SECONDS (best of 3 runs per b), as torch (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset) and torch_avx2 (OPENBLAS_CORETYPE=Haswell)"

run_go() { # round
	echo "=== lssr round $1" >>"$LOG"
	(cd "$src/trainer" && GOMAXPROCS=1 "$tmp/trainer.test" -test.run '^$' -test.bench "$gobench" \
		-test.benchtime "$BENCHTIME" -test.count 1) >"$tmp/go.$1" 2>&1 || {
		cat "$tmp/go.$1" >>"$LOG"
		die "lssr benchmark failed (round $1)"
	}
	cat "$tmp/go.$1" >>"$LOG"
}
run_torch() { # round kind: kind is torch (OpenBLAS's own kernel choice) or torch_avx2
	local quiet=--quiet envs
	[ "$1" -eq 1 ] && quiet=
	if [ "$2" = torch ]; then
		envs=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
	else
		envs=(env OPENBLAS_CORETYPE=Haswell)
	fi
	echo "=== $2 round $1: ${envs[*]}" >>"$LOG"
	"${envs[@]}" "$py" "$here/torch_w1.py" --batches "$(IFS=,; echo "${BATCHES[*]}")" --seconds "$TORCH_SECONDS" $quiet \
		>"$tmp/$2.$1" 2>"$tmp/$2.err.$1" || {
		cat "$tmp/$2.$1" "$tmp/$2.err.$1" >>"$LOG"
		die "$2 benchmark failed (round $1)"
	}
	cat "$tmp/$2.err.$1" "$tmp/$2.$1" >>"$LOG"
	# The thread/BLAS setup (first round) goes to stderr too.
	[ -n "$quiet" ] || grep -v '^  b=' "$tmp/$2.err.$1" >&2 || true
}
# The OpenBLAS core a kind's first round reported ("?" if none).
torch_core() {
	sed -n 's/.*core: \([^;]*\);.*/\1/p' "$tmp/$1.err.1" | head -1 | grep . || echo '?'
}

# One side's samples/s per b in one raw output file, as "b value" lines.
go_rates() {
	awk '$1 ~ /^BenchmarkTrainStep\// && match($1, /\/b=[0-9]+/) {
		b = substr($1, RSTART + 3, RLENGTH - 3) + 0
		for (i = 2; i < NF; i++) if ($(i+1) == "samples/s") print b, $i + 0
	}' "$@"
}
torch_rates() {
	awk '$1 ~ /^b=[0-9]+$/ && $2 ~ /^samples_per_s=/ { print substr($1, 3) + 0, substr($2, 15) + 0 }' "$@"
}
rates_line() { awk '{ printf " %d:%.0f", $1, $2 }'; }
# The best value for b over "b value" lines on stdin.
best() { awk -v b="$1" '$1 == b && $2 > m { m = $2 } END { if (m > 0) print m }'; }

for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then
		run_go "$r"; run_torch "$r" torch; run_torch "$r" torch_avx2
	else
		run_torch "$r" torch_avx2; run_torch "$r" torch; run_go "$r"
	fi
	say "compare.sh: round $r/$ROUNDS ($((SECONDS - start)) s): lssr$(go_rates "$tmp/go.$r" | rates_line) | torch$(torch_rates "$tmp/torch.$r" | rates_line) | torch_avx2$(torch_rates "$tmp/torch_avx2.$r" | rates_line)"
done

: >"$tmp/table"
for b in "${BATCHES[@]}"; do
	l=$(go_rates "$tmp"/go.[0-9]* | best "$b")
	t=$(torch_rates "$tmp"/torch.[0-9]* | best "$b")
	h=$(torch_rates "$tmp"/torch_avx2.[0-9]* | best "$b")
	[ -n "$l" ] || die "no lssr samples/s for b=$b"
	[ -n "$t" ] || die "no torch samples/s for b=$b"
	[ -n "$h" ] || die "no torch_avx2 samples/s for b=$b"
	echo "$b $l $t $h" >>"$tmp/table"
done
out=$(printf 'openblas core: torch=%s torch_avx2=%s\n' "$(torch_core torch)" "$(torch_core torch_avx2)"
awk '{
	r = sprintf("%.2f", $2 / $3)
	printf "b=%d lssr=%.0f torch=%.0f ratio=%s torch_avx2=%.0f ratio_avx2=%.2f\n", $1, $2, $3, r, $4, $2 / $4
	if (NR == 1 || r + 0 < low + 0) { low = r; lowb = $1 }
} END { printf "lowest ratio=%s at b=%d\n", low, lowb }' "$tmp/table")
{ echo "=== result (best of $ROUNDS rounds each)"; printf '%s\n' "$out"; } >>"$LOG"
printf '%s\n' "$out"
say "compare.sh: done in $((SECONDS - start)) s; raw output in $LOG"
