"""The A-card on the simulated world, and reject inference, against the true-PD ceiling.

Run by hand (a few minutes on 2 cores):

    .venv/bin/python bench/acard_world.py --applications 60000 --months 36 --seeds 1 2 3

For each world: the A-card (logistic and divergence) trained on the first year's applications
(bad = ever > 90 DPD within 12 months on book, immature loans left out), validated out of
time on the later mature applications, beside a LightGBM challenger on the same features and
the world's true PD (the ceiling, read from ``truth`` for evaluation only). Then reject
inference: cards trained on the booked loans only, with parcelling and fuzzy augmentation,
against a card trained on every applicant, all measured on the whole out-of-time population,
under two booking policies: the knock-out rules alone (~3/4 booked), and the knock-out rules
plus an underwriter who sees a noisy version of the true PD (what a field visit reveals;
~half booked). Means and standard deviations are over the seeds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from creditfactory.evaluation.models import (
    CEILING,
    acard_against_truth,
    reject_inference_against_truth,
)
from creditfactory.models.acard import modelling_table
from creditfactory.models.reject_experiment import booking_policy
from creditfactory.world import generate


def _spread(frames: list[pd.DataFrame], keys: list[str], values: list[str]) -> pd.DataFrame:
    allrows = pd.concat(frames, ignore_index=True)
    grouped = allrows.groupby(keys, sort=False)[values]
    mean, sd = grouped.mean(), grouped.std(ddof=1).fillna(0.0)
    out = mean.copy()
    for v in values:
        out[v] = [f"{m:.3f} ± {s:.3f}" for m, s in zip(mean[v], sd[v], strict=True)]
    return out.reset_index()


def underwriter_policy(world, keep: float = 0.65, noise: float = 0.7, seed: int = 0):
    """Knock-outs, then the best ``keep`` share by a noisy view of the true PD's log-odds."""
    pd_true = world.truth.set_index("application_id")["pd"]

    def policy(table: pd.DataFrame) -> np.ndarray:
        rng = np.random.default_rng(seed)
        p = pd_true.reindex(table["application_id"]).to_numpy()
        view = np.log(p / (1 - p)) + rng.normal(scale=noise, size=p.size)
        return booking_policy(table) & (view <= np.quantile(view, keep))

    return policy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=60_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    acards: list[pd.DataFrame] = []
    rejects: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for seed in args.seeds:
        t0 = time.perf_counter()
        world = generate(n_applications=args.applications, months=args.months, seed=seed)
        truth = world.truth
        assert truth is not None  # a simulated world always has one
        table = modelling_table(world)
        booked = booking_policy(table)
        t1 = time.perf_counter()
        acards.append(acard_against_truth(world, truth, challenger=True))
        t2 = time.perf_counter()
        policies = {"knock-out": booking_policy, "knock-out + underwriter": underwriter_policy(world)}
        for objective in ("logistic", "divergence"):
            for label, policy in policies.items():
                out = reject_inference_against_truth(world, truth, objective=objective, policy=policy)
                rejects.setdefault((objective, label), []).append(out)
                print(f"  {objective}, {label}: books {out.attrs['approval_rate_dev']:.1%}, bad rate "
                      f"booked {out.attrs['bad_rate_booked_dev']:.2%}, rejected "
                      f"{out.attrs['bad_rate_rejected_dev']:.2%}")
        t3 = time.perf_counter()
        print(f"seed {seed}: {len(table):,} mature applications, bad rate {table['bad'].mean():.2%}, "
              f"policy books {booked.mean():.1%} (bad rate booked {table['bad'][booked].mean():.2%}, "
              f"rejected {table['bad'][~booked].mean():.2%}); world {t1 - t0:.1f}s, "
              f"A-card {t2 - t1:.1f}s, reject inference {t3 - t2:.1f}s")
    pd.set_option("display.width", 200)
    print("\nA-card: development = first 12 months, out-of-time = later mature applications")
    table = _spread(acards, ["model", "sample"], ["auc", "ks", "gini", "divergence"])
    rows = pd.concat(acards).groupby(["model", "sample"], sort=False)[["rows", "bad_rate", "features"]].mean()
    print(table.merge(rows.reset_index(), on=["model", "sample"]).to_string(index=False))
    every = pd.concat(acards)
    oot = every[every["sample"] == "out-of-time"].groupby("model", sort=False)["auc"].mean()
    ceiling = oot[CEILING]
    print("\nout-of-time AUC as a share of the true-PD ceiling: "
          + ", ".join(f"{m} {a / ceiling:.3f}" for m, a in oot.items() if m != CEILING))
    for (objective, label), frames in rejects.items():
        print(f"\nReject inference ({objective} cards, policy: {label}), "
              "measured on the whole out-of-time population")
        print(_spread(frames, ["model"], ["auc_all", "ks_all", "auc_booked", "recovered"])
              .to_string(index=False))


if __name__ == "__main__":
    main()
