#!/usr/bin/env bash
# compare.sh: lssr's Go trainer against PyTorch, samples/s of full training
# steps (softmax cross-entropy, plain SGD, float32, one thread) on three
# workloads:
#   w1              MLP 784-512-512-10, ReLU, at b = 8, 32, 128, 512
#   c16-32-bn-h128  CNN channels [16, 32] + batch norm, hidden [128], on
#                   28×28×1 inputs, at b = 32, 128
#   c32-64-bn-h256  CNN channels [32, 64] + batch norm, hidden [256], at
#                   b = 32, 128
# (trainer/bench/torch_step.py defines the PyTorch side of each.)
#
# lssr runs on the kernel path its CPU chooses ("lssr") and, when that is
# not avx2, also with LSSR_KERNELS=avx2 ("lssr_avx2"), so both paths show.
#
# PyTorch runs twice per round: as a user gets it (OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset in its command alone, so OpenBLAS picks its kernels
# for this CPU: on AVX-512 CPUs its AVX-512 ones), and, for reference, with
# OPENBLAS_CORETYPE=Haswell (its AVX2 kernels), which some machines set to
# guard old OpenBLAS builds. Tests and CI never unset them.
#
# stdout: the measured one-core peaks (BenchmarkPeak), the lssr kernel path
# and the OpenBLAS core each torch run chose; one line per workload and
# batch size with samples/s and the ratio against torch as a user gets it;
# then the same rows as GFLOP/s with the fraction of the peak of the
# vector width each side ran on (zmm for avx512 and Cooperlake, ymm for
# avx2 and Haswell; zmm for both torch runs of the CNNs, whose convolutions
# run on oneDNN's AVX-512 code whatever OpenBLAS's core); then the lowest
# ratio:
#   peak: ymm=103.1 zmm=205.7 GFLOP/s
#   lssr path: avx512; openblas core: torch=Cooperlake torch_avx2=Haswell
#   w1 b=128 lssr=27000 torch=26700 ratio=1.01 lssr_avx2=25000 torch_avx2=25000 ratio_avx2=1.08
#   ...
#   w1 b=128 GFLOP/s: lssr=86.7 (42% zmm) torch=85.7 (42% zmm) lssr_avx2=80.2 (78% ymm) torch_avx2=80.2 (78% ymm)
#   lowest ratio=0.93 at w1 b=8
# Raw benchmark output and the torch/BLAS configuration go to $COMPARE_LOG
# (default /tmp/lssr-bench-compare.log); progress and torch's thread/BLAS
# setup also go to stderr. Exits non-zero if either side gives no numbers.
#
# The two sides run alternately ROUNDS times (each a fresh process) and the
# best of each side counts, to be fair on a shared machine.
#
# Knobs (environment): WORKS (the workloads, space-separated; all three),
# ROUNDS (3), BENCHTIME (Go -benchtime, 2s),
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
# Workloads: name, Go sub-benchmark, batch sizes.
declare -A GOBENCH=([w1]='BenchmarkTrainStep/mlp=784-[512_512]-10' [c16-32-bn-h128]='BenchmarkTrainStepCNN/cnn=c16-32-bn-h128' [c32-64-bn-h256]='BenchmarkTrainStepCNN/cnn=c32-64-bn-h256')
declare -A BATCHES=([w1]='8 32 128 512' [c16-32-bn-h128]='32 128' [c32-64-bn-h256]='32 128')
read -ra WORKS <<<"${WORKS:-w1 c16-32-bn-h128 c32-64-bn-h256}"
for w in "${WORKS[@]}"; do
	[ -n "${GOBENCH[$w]:-}" ] || { echo "compare.sh: WORKS: unknown workload $w (want some of ${!GOBENCH[*]})" >&2; exit 2; }
done
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

say "compare.sh: lssr vs torch on ${WORKS[*]}, raw output in $LOG"
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

# --- lssr: build the trainer's and the kernels' test binaries once; each
# round runs them afresh.
src=$root
if [ -n "${LSSR_REV:-}" ]; then
	src=$tmp/src
	mkdir "$src"
	git -C "$root" archive "$LSSR_REV" | tar -x -C "$src" || die "cannot export revision $LSSR_REV"
	say "compare.sh: lssr from revision $LSSR_REV ($(git -C "$root" rev-parse --short "$LSSR_REV"))"
fi
(cd "$src" && "$GO" test -c -o "$tmp/trainer.test" ./trainer/ && "$GO" test -c -o "$tmp/kernels.test" ./trainer/kernels/) >>"$LOG" 2>&1 ||
	die "building the trainer benchmark failed"

# The kernel path lssr picks here, and whether an avx2 run adds anything.
path=$(cd "$src" && "$GO" run ./cmd/lssr version 2>/dev/null | sed -n 's/.*kernels[: ]*\([a-z0-9]*\).*/\1/p' | head -1)
[ -n "$path" ] || path='?'
SIDES_GO=(lssr)
[ "$path" = avx2 ] || [ "$path" = purego ] || SIDES_GO+=(lssr_avx2)

# One -test.bench pattern for every Go benchmark, level by level (go test
# splits a pattern at its slashes): every batch size of any workload is
# asked of each, and go_rates keeps the workload's own.
gore() { printf '%s' "$1" | sed 's/[][]/\\&/g'; }
tops=() subs=() bs=()
for w in "${WORKS[@]}"; do
	tops+=("${GOBENCH[$w]%%/*}") subs+=("$(gore "${GOBENCH[$w]#*/}")")
	for b in ${BATCHES[$w]}; do bs+=("$b"); done
done
alt() { printf '%s\n' "$@" | sort -u | paste -sd '|'; }
gobench="^($(alt "${tops[@]}"))\$/^($(alt "${subs[@]}"))\$/^b=($(alt "${bs[@]}"))\$"
torchworks=()
for w in "${WORKS[@]}"; do torchworks+=(--work "$w:$(echo ${BATCHES[$w]} | tr ' ' ',')"); done
say "compare.sh: lssr (path $path): GOMAXPROCS=1 go test -run '^\$' -bench '$gobench' -benchtime $BENCHTIME -count 1 ./trainer/${SIDES_GO[1]:+, and again with LSSR_KERNELS=avx2}"
say "compare.sh: torch: $py $here/torch_step.py ${torchworks[*]} --seconds $TORCH_SECONDS (best of 3 runs per b), as torch (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset) and torch_avx2 (OPENBLAS_CORETYPE=Haswell)"

run_peak() { # round
	(cd "$src/trainer/kernels" && GOMAXPROCS=1 "$tmp/kernels.test" -test.run '^$' -test.bench '^BenchmarkPeak' \
		-test.benchtime 0.5s -test.count 1) >"$tmp/peak.$1" 2>&1 || {
		cat "$tmp/peak.$1" >>"$LOG"
		die "BenchmarkPeak failed (round $1)"
	}
	cat "$tmp/peak.$1" >>"$LOG"
}
run_go() { # round side: side is lssr (the CPU's path) or lssr_avx2
	local envs=(env)
	[ "$2" = lssr ] || envs=(env LSSR_KERNELS=avx2)
	echo "=== $2 round $1: ${envs[*]}" >>"$LOG"
	(cd "$src/trainer" && GOMAXPROCS=1 "${envs[@]}" "$tmp/trainer.test" -test.run '^$' -test.bench "$gobench" \
		-test.benchtime "$BENCHTIME" -test.count 1) >"$tmp/$2.$1" 2>&1 || {
		cat "$tmp/$2.$1" >>"$LOG"
		die "$2 benchmark failed (round $1)"
	}
	cat "$tmp/$2.$1" >>"$LOG"
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
	"${envs[@]}" "$py" "$here/torch_step.py" "${torchworks[@]}" --seconds "$TORCH_SECONDS" $quiet \
		>"$tmp/$2.$1" 2>"$tmp/$2.err.$1" || {
		cat "$tmp/$2.$1" "$tmp/$2.err.$1" >>"$LOG"
		die "$2 benchmark failed (round $1)"
	}
	cat "$tmp/$2.err.$1" "$tmp/$2.$1" >>"$LOG"
	# The thread/BLAS setup (first round) goes to stderr too.
	[ -n "$quiet" ] || grep -v '^  [a-z0-9-]* b=' "$tmp/$2.err.$1" >&2 || true
}
# The OpenBLAS core a kind's first round reported ("?" if none).
torch_core() {
	sed -n 's/.*core: \([^;]*\);.*/\1/p' "$tmp/$1.err.1" | head -1 | grep . || echo '?'
}

# Samples/s in raw output files, as "work b value" lines.
go_rates() {
	awk -v names="$(for w in "${WORKS[@]}"; do printf '%s=%s\n' "$w" "${GOBENCH[$w]}"; done)" '
	BEGIN { n = split(names, l, "\n"); for (i = 1; i <= n; i++) { p = index(l[i], "="); work[substr(l[i], p + 1)] = substr(l[i], 1, p - 1) } }
	match($1, /\/b=[0-9]+/) {
		name = substr($1, 1, RSTART - 1)
		if (!(name in work)) next
		b = substr($1, RSTART + 3, RLENGTH - 3) + 0
		for (i = 2; i < NF; i++) if ($(i+1) == "samples/s") print work[name], b, $i + 0
	}' "$@"
}
torch_rates() {
	awk '$1 ~ /^work=/ && $2 ~ /^b=[0-9]+$/ && $3 ~ /^samples_per_s=/ { print substr($1, 6), substr($2, 3) + 0, substr($3, 15) + 0 }' "$@"
}
# flops_per_example of each workload, from torch's output: "work flops".
flops() { awk '$1 ~ /^work=/ { for (i = 2; i <= NF; i++) if ($i ~ /^flops_per_example=/) print substr($1, 6), substr($i, 19) + 0 }' "$@" | sort -u; }
# Peak GFLOP/s of a vector width (ymm or zmm) in raw BenchmarkPeak output:
# the avx2 path's is ymm, the avx512 path's zmm.
peaks() {
	awk '$1 ~ /^BenchmarkPeak\/path=avx(2|512)/ { w = ($1 ~ /avx512/) ? "zmm" : "ymm"
		for (i = 2; i < NF; i++) if ($(i+1) == "GFLOP/s") print w, $i + 0 }' "$@"
}
rates_line() { awk '{ printf " %s:%d:%.0f", $1, $2, $3 }'; }
# The best value for (work, b) over "work b value" lines on stdin.
best() { awk -v w="$1" -v b="$2" '$1 == w && $2 == b && $3 > m { m = $3 } END { if (m > 0) print m }'; }

SIDES=("${SIDES_GO[@]}" torch torch_avx2)
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then
		run_peak "$r"
		for s in "${SIDES_GO[@]}"; do run_go "$r" "$s"; done
		run_torch "$r" torch; run_torch "$r" torch_avx2
	else
		run_torch "$r" torch_avx2; run_torch "$r" torch
		for s in "${SIDES_GO[@]}"; do run_go "$r" "$s"; done
		run_peak "$r"
	fi
	line="compare.sh: round $r/$ROUNDS ($((SECONDS - start)) s):"
	for s in "${SIDES_GO[@]}"; do line+=" | $s$(go_rates "$tmp/$s.$r" | rates_line)"; done
	for s in torch torch_avx2; do line+=" | $s$(torch_rates "$tmp/$s.$r" | rates_line)"; done
	say "$line"
done

ymm=$(peaks "$tmp"/peak.[0-9]* | awk '$1 == "ymm" && $2 > m { m = $2 } END { if (m > 0) print m }')
zmm=$(peaks "$tmp"/peak.[0-9]* | awk '$1 == "zmm" && $2 > m { m = $2 } END { if (m > 0) print m }')
[ -n "$ymm" ] || die "no ymm peak from BenchmarkPeak"
flops "$tmp"/torch.[0-9]* >"$tmp/flops"
: >"$tmp/table"
for w in "${WORKS[@]}"; do
	fl=$(awk -v w="$w" '$1 == w { print $2 }' "$tmp/flops")
	[ -n "$fl" ] || die "no flops_per_example for $w from torch"
	for b in ${BATCHES[$w]}; do
		row="$w $b $fl"
		for s in "${SIDES[@]}"; do
			case $s in
			lssr*) v=$(go_rates "$tmp/$s".[0-9]* | best "$w" "$b") ;;
			*) v=$(torch_rates "$tmp/$s".[0-9]* | best "$w" "$b") ;;
			esac
			[ -n "$v" ] || die "no $s samples/s for $w b=$b"
			row+=" $s=$v"
		done
		echo "$row" >>"$tmp/table"
	done
done
# Which vector width each side's kernels use: lssr's path, OpenBLAS's core
# (Cooperlake, SkylakeX and newer Intel names run AVX-512).
width() {
	case $1 in
	lssr) [ "$path" = avx512 ] && echo zmm || echo ymm ;;
	torch) case $(torch_core torch) in Cooperlake | SkylakeX | SapphireRapids) echo zmm ;; *) echo ymm ;; esac ;;
	*) echo ymm ;;
	esac
}
widths=""
for s in "${SIDES[@]}"; do widths+=" $s=$(width "$s")"; done
out=$(printf 'peak: ymm=%.1f zmm=%s GFLOP/s (BenchmarkPeak, one core, best of %d)\n' "$ymm" "${zmm:-none}" "$ROUNDS"
printf 'lssr path: %s; openblas core: torch=%s torch_avx2=%s\n' "$path" "$(torch_core torch)" "$(torch_core torch_avx2)"
awk -v ymm="$ymm" -v zmm="${zmm:-0}" -v widths="$widths" '
function val(f) { return substr(f, index(f, "=") + 1) + 0 }
function key(f) { return substr(f, 1, index(f, "=") - 1) }
BEGIN { n = split(widths, wl, " "); for (i = 1; i <= n; i++) wid[key(wl[i])] = substr(wl[i], index(wl[i], "=") + 1) }
{
	rows[NR] = $0
	for (i = 4; i <= NF; i++) v[NR, key($i)] = val($i)
	line = sprintf("%s b=%d lssr=%.0f torch=%.0f ratio=%.2f", $1, $2, v[NR, "lssr"], v[NR, "torch"], v[NR, "lssr"] / v[NR, "torch"])
	if ((NR, "lssr_avx2") in v) line = line sprintf(" lssr_avx2=%.0f", v[NR, "lssr_avx2"])
	line = line sprintf(" torch_avx2=%.0f ratio_avx2=%.2f", v[NR, "torch_avx2"], (((NR, "lssr_avx2") in v) ? v[NR, "lssr_avx2"] : v[NR, "lssr"]) / v[NR, "torch_avx2"])
	print line
	r = sprintf("%.2f", v[NR, "lssr"] / v[NR, "torch"])
	if (NR == 1 || r + 0 < low + 0) { low = r; loww = $1 " b=" $2 }
}
END {
	for (j = 1; j <= NR; j++) {
		split(rows[j], f, " ")
		line = sprintf("%s b=%d GFLOP/s:", f[1], f[2])
		for (i = 4; i in f; i++) {
			s = key(f[i]); g = val(f[i]) * f[3] / 1e9
			w = wid[s]
			# torch runs its convolutions on oneDNN, which picks its own ISA
			# (AVX-512 where the CPU has it) whatever the OpenBLAS core.
			if (f[1] != "w1" && s ~ /^torch/ && zmm > 0) w = "zmm"
			pk = (w == "zmm") ? zmm : ymm
			if (pk > 0) line = line sprintf(" %s=%.1f (%.0f%% %s)", s, g, 100 * g / pk, w)
			else line = line sprintf(" %s=%.1f (no %s peak measured)", s, g, w)
		}
		print line
	}
	printf "lowest ratio=%s at %s\n", low, loww
}' "$tmp/table")
{ echo "=== result (best of $ROUNDS rounds each)"; printf '%s\n' "$out"; } >>"$LOG"
printf '%s\n' "$out"
say "compare.sh: done in $((SECONDS - start)) s; raw output in $LOG"
