"""Check bench/evaluate.py against ranx on a real run: prints both figures and their difference.

.venv/bin/pip install -e '.[bench]'
.venv/bin/python -m bench.check_ranx bench/data/arwiki/qrels.txt bench/out/arwiki/stock.trec
"""

import sys

from bahth.search.runs import read_run
from bench.evaluate import METRICS, evaluate, read_qrels


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench.check_ranx QRELS RUN", file=sys.stderr)
        return 2
    try:
        from ranx import Qrels, Run
        from ranx import evaluate as ranx_evaluate
    except ImportError:
        print("ranx is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    qrels, run = read_qrels(argv[0]), read_run(argv[1])
    ours = evaluate(qrels, run)["all"]
    theirs = ranx_evaluate(Qrels(qrels), Run(run), list(METRICS), make_comparable=True)
    print(f"{'metric':<11} {'bahth':>9} {'ranx':>9} {'|diff|':>9}")
    worst = 0.0
    for metric in METRICS:
        diff = abs(ours[metric] - theirs[metric])
        worst = max(worst, diff)
        print(f"{metric:<11} {ours[metric]:9.6f} {theirs[metric]:9.6f} {diff:9.1e}")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
