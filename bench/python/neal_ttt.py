"""Time to target for D-Wave's simulated annealer (dwave-samplers, C++), the side-by-side runner
of `pnpm bench anneal`.

Reads a JSON job on stdin:
  {"instances": [{"name", "path", "target", "budgetMs"}], "seeds": [..]}
and writes JSON on stdout: per instance and seed, the best cut, the time to reach the target
(null if not reached within the budget), sweeps and reads done, and spin-flip attempts per second.

Protocol (the same as ours: restarts, since the run-time distribution is unknown in advance):
reads are made in batches of READS_PER_CALL with num_sweeps following the Luby sequence times
BASE_SWEEPS, with neal's default beta range (its geometric schedule from the coupling
magnitudes). Time is wall-clock time of the sampler calls, the model built once per instance.
A read's time is its call's time divided by the reads in the call, so the time to target is
the time of the calls before plus the share of the call up to and including the first read that
reached the target.
"""

import json
import sys
import time

import dimod
from dwave.samplers import SimulatedAnnealingSampler

BASE_SWEEPS = 128
READS_PER_CALL = 4


def luby(i: int) -> int:
    """i-th term (1-based) of the Luby sequence 1 1 2 1 1 2 4 ..."""
    while True:
        k = 1
        while (1 << k) - 1 < i:
            k += 1
        if (1 << k) - 1 == i:
            return 1 << (k - 1)
        i -= (1 << (k - 1)) - 1


def read_gset(path: str):
    with open(path) as f:
        n, m = map(int, f.readline().split())
        edges = []
        for _ in range(m):
            i, j, w = f.readline().split()
            edges.append((int(i) - 1, int(j) - 1, float(w)))
    return n, edges


def run_seed(sampler, bqm, n, total_weight, target, budget_s, seed):
    spent = 0.0
    best = None
    ttt = None
    sweeps = 0
    reads = 0
    k = 0
    while spent < budget_s:
        k += 1
        num_sweeps = BASE_SWEEPS * luby(k)
        t0 = time.perf_counter()
        result = sampler.sample(
            bqm, num_reads=READS_PER_CALL, num_sweeps=num_sweeps, seed=(seed * 1_000_003 + k) % (2**31)
        )
        dt = time.perf_counter() - t0
        # Energy = sum w/2 s_i s_j = total/2 - cut, so cut = total/2 - energy.
        cuts = [int(round(total_weight / 2 - e)) for e in result.record.energy]
        sweeps += num_sweeps * READS_PER_CALL
        reads += READS_PER_CALL
        if best is None or max(cuts) > best:
            best = max(cuts)
        if ttt is None:
            for idx, c in enumerate(cuts):
                if c >= target:
                    ttt = spent + dt * (idx + 1) / READS_PER_CALL
                    break
        spent += dt
        if ttt is not None:
            break
    return {
        "seed": seed,
        "bestCut": best,
        "timeToTargetMs": None if ttt is None else ttt * 1000,
        "totalMs": spent * 1000,
        "reads": reads,
        "sweeps": sweeps,
        "flipAttemptsPerSec": sweeps * n / spent if spent > 0 else None,
    }


def main():
    job = json.load(sys.stdin)
    sampler = SimulatedAnnealingSampler()
    out = []
    for inst in job["instances"]:
        n, edges = read_gset(inst["path"])
        bqm = dimod.BinaryQuadraticModel.from_ising({}, {(i, j): w / 2 for i, j, w in edges})
        for v in range(n):
            bqm.add_variable(v, 0.0)
        total = sum(w for _, _, w in edges)
        # Warm-up call so that one-off set-up is not charged to the first seed.
        sampler.sample(bqm, num_reads=1, num_sweeps=10, seed=1)
        runs = []
        for seed in job["seeds"]:
            r = run_seed(sampler, bqm, n, total, inst["target"], inst["budgetMs"] / 1000, seed)
            runs.append(r)
            print(f"[neal] {inst['name']} seed {seed}: cut {r['bestCut']} ttt {r['timeToTargetMs']}", file=sys.stderr)
        out.append({"name": inst["name"], "runs": runs})
    import dwave.samplers

    json.dump({"version": dwave.samplers.__version__, "instances": out}, sys.stdout)


if __name__ == "__main__":
    main()
