"""Train the offline grader's point model on the execution bank's tuning answers only.

    python benchmarks/train_point_model.py            # writes the shipped point_model.json
    python benchmarks/train_point_model.py --dry-run  # prints the fit, writes nothing

Each labelled point of every tuning answer becomes one row of signals (see
`simulator/interviewers/point_model.py`). The rows are read three times: with the bank as it
is, with every term list cut to its first few terms, and cut so with no example sentences, so
that the model learns what to make of a point whose author wrote little, as a new user does.
Labels are covered 1, partial 0.5, missed 0; the model is an L2-regularised logistic
regression, and the two thresholds are the ones that agree best with the labels (quadratic
weighted kappa) on the untouched bank. Nothing measured (measure, unseen, the behavioural
bank, the new bank) is read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.core.questions import Question, load_bank  # noqa: E402
from simulator.interviewers.accuracy import LEVEL, load_labelled, qwk  # noqa: E402
from simulator.interviewers.point_model import FEATURES, MODEL_FILE, Model  # noqa: E402
from simulator.interviewers.rubric import point_signals  # noqa: E402
from simulator.language.embedding import CachedEncoder, MiniLM  # noqa: E402

DATA = ROOT / "tests" / "data" / "coaching"
TRAIN = [DATA / "tune.toml", *sorted(DATA.glob("new-kinds-tune*.toml"))]
THIN_TERMS = 4  # what a new user's point holds per list, about
L2 = 1.0


def thin(question: Question, examples: bool) -> Question:
    rubric = tuple(replace(
        p, action=p.action[:THIN_TERMS], cues=p.cues[:THIN_TERMS],
        concepts=tuple((name, terms[:THIN_TERMS]) for name, terms in p.concepts),
        contrary=p.contrary[:2], examples=p.examples if examples else (),
        opposites=p.opposites if examples else ()) for p in question.rubric)
    return replace(question, rubric=rubric)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression with soft labels, by Newton's method."""
    n, d = x.shape
    a = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, L2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + reg * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def thresholds(p: np.ndarray, truth: list[int]) -> tuple[float, float, float]:
    best = (-1.0, 0.5, 0.3)
    for hi in np.arange(0.30, 0.91, 0.02):
        for lo in np.arange(0.10, hi, 0.02):
            got = [2 if v >= hi else 1 if v >= lo else 0 for v in p]
            k = qwk(truth, got)
            if k > best[0] + 1e-9:
                best = (k, float(hi), float(lo))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    bank = load_bank()
    encoder = CachedEncoder(MiniLM(), limit=100_000)
    rows: list[np.ndarray] = []
    ys: list[float] = []
    plain: list[int] = []  # rows of the untouched bank
    for path in TRAIN:
        if not path.exists():
            continue
        answers = load_labelled(path, bank)
        print(f"{path.name}: {len(answers)} answers", file=sys.stderr)
        for a in answers:
            q = bank.get(a.question_id)
            for variant, question in enumerate((q, thin(q, True), thin(q, False))):
                for point, sig in zip(question.rubric, point_signals(question, a.text, encoder),
                                      strict=True):
                    if variant == 0:
                        plain.append(len(rows))
                    rows.append(sig.values)
                    ys.append(LEVEL[a.labels[point.id]] / 2)
    x, y = np.stack(rows), np.array(ys)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    weights, bias = fit((x - mean) / scale, y)
    model = Model(tuple(np.round(weights, 4)), round(bias, 4), tuple(np.round(mean, 4)),
                  tuple(np.round(scale, 4)), 0.5, 0.3)
    probs = np.array([model.probability(x[i]) for i in plain])
    truth = [round(y[i] * 2) for i in plain]
    kappa, hi, lo = thresholds(probs, truth)
    model = replace(model, covered_at=round(hi, 2), partial_at=round(lo, 2))
    print(f"{len(rows)} rows ({len(plain)} from the bank as written); "
          f"QWK on them {kappa:.3f} at covered >= {hi:.2f}, partial >= {lo:.2f}")
    for name, w in sorted(zip(FEATURES, weights, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:<12} {w:+.3f}")
    if not args.dry_run:
        out = ROOT / "simulator" / "interviewers" / MODEL_FILE
        out.write_text(json.dumps(model.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
