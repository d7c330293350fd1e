"""The monthly job's group-bys on Apache Spark (``--engine spark``, the optional extra
``creditfactory[spark]``): the same cubes as the pandas engine, so every table built from them
is the same to the last bit.

The loan-month rows go to Spark once (Arrow), one row per loan-month and dimension value
(``explode`` over the six dimensions), and each cube is one ``groupBy`` of integer keys with a
count and a sum of whole fen as 64-bit integers: exact in any order of addition, which is why
the two engines agree exactly. A loan's next month-end comes from a window over the loan
ordered by month (``lead``). Only the cubes come back to the driver (months x dimension values
x states: thousands of rows); PSI/CSI, the outlook and the rules then run as on pandas.

Point it at a cluster with ``SPARK_REMOTE=sc://host:15002`` (Spark Connect) or
``CREDITFACTORY_SPARK_MASTER=spark://host:7077`` (or ``yarn``); otherwise a local session
(``local[*]``) is started for the run and stopped after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from creditfactory.monitoring.figures import EARLY_MOB, NB, NC, Cubes, value_axis
from creditfactory.monitoring.frame import MonitoringBook

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["local_session", "spark_cubes"]


def local_session(app: str = "creditfactory-monitoring", cores: str = "*",
                  partitions: int = 8) -> SparkSession:
    """A Spark session with Arrow transfers on: Spark Connect at ``SPARK_REMOTE``, the master
    named by ``CREDITFACTORY_SPARK_MASTER``, or local with ``cores`` cores."""
    import os

    from pyspark.sql import SparkSession

    if os.environ.get("SPARK_REMOTE"):
        return SparkSession.builder.remote(os.environ["SPARK_REMOTE"]).getOrCreate()
    master = os.environ.get("CREDITFACTORY_SPARK_MASTER") or f"local[{cores}]"
    return (SparkSession.builder.appName(app).master(master)
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate())


def _rows(spark: SparkSession, book: MonitoringBook) -> tuple[DataFrame, DataFrame]:
    """The loan-months and the loans as Spark frames, each dimension code on the value axis."""
    codes, _, _, _ = value_axis(book)
    months = pd.DataFrame({"loan": book.loan, "month": book.month, "mob": book.mob,
                           "dpd": book.dpd, "bucket": book.bucket.astype(np.int32),
                           "class5": book.class5.astype(np.int32),
                           "fen": book.balance.astype(np.int64), "on_book": book.on_book})
    loans = pd.DataFrame({"loan": np.arange(book.loan_ids.size, dtype=np.int32),
                          "vintage": book.vintage, "principal": book.principal.astype(np.int64),
                          **{f"d{i}": c for i, c in enumerate(codes)}})
    return spark.createDataFrame(months), spark.createDataFrame(loans)


def _fill(rows: pd.DataFrame, shape: tuple[int, int, int], sums: list[str]) -> list[np.ndarray]:
    out = [np.zeros(shape) for _ in sums]
    if len(rows):
        idx = (rows["a"].to_numpy(np.int64), rows["v"].to_numpy(np.int64),
               rows["s"].to_numpy(np.int64))
        for acc, col in zip(out, sums, strict=True):
            acc[idx] = rows[col].to_numpy(np.float64)
    return out


def spark_cubes(book: MonitoringBook, spark: SparkSession | None = None) -> Cubes:
    """The four cubes of :data:`creditfactory.monitoring.figures.CUBES`, computed on Spark."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    own = spark is None
    session = local_session() if spark is None else spark
    try:
        months, loans = _rows(session, book)
        _, nv, _, _ = value_axis(book)
        dims = F.explode(F.array(*[F.col(f"d{i}") for i in range(len(book.dims))])).alias("v")
        rows = months.join(loans, "loan").select("*", dims)

        def cube(frame: Any, a: Any, s: Any, n_s: int, n_a: int, sums: dict[str, Any]
                 ) -> list[np.ndarray]:
            got = (frame.groupBy(a.alias("a"), "v", s.alias("s"))
                   .agg(*[expr.alias(name) for name, expr in sums.items()]).toPandas())
            return _fill(got, (n_a, nv, n_s), list(sums))

        count, fen = F.count(F.lit(1)), F.sum("fen")
        on_book = rows.where("on_book")
        result: Cubes = {
            "mix": cube(on_book, F.col("month"), F.col("bucket") * NC + F.col("class5"), NB * NC,
                        book.n_months, {"n": count, "fen": fen}),
            "early": cube(on_book.where(F.col("mob") <= EARLY_MOB), F.col("month"),
                          (F.col("dpd") > 30).cast("int"), 2, book.n_months,
                          {"n": count, "fen": fen}),
        }
        n_mob = int(book.mob.max(initial=0)) + 1
        result["vintages"] = cube(rows, F.col("vintage"), F.col("mob"), n_mob, book.n_months, {
            "n": count, "b30": F.sum(F.when(F.col("dpd") > 30, F.col("fen")).otherwise(0)),
            "b90": F.sum(F.when(F.col("dpd") > 90, F.col("fen")).otherwise(0))})
        paid = loans.select("vintage", "principal", dims)
        result["vintages"] += cube(paid, F.col("vintage"), F.lit(0), 1, book.n_months,
                                   {"n": count, "fen": F.sum("principal")})
        w = Window.partitionBy("loan").orderBy("month")
        pairs = (months.select("loan", "month", "bucket", "fen", "on_book",
                               F.lead("month").over(w).alias("next_month"),
                               F.lead("bucket").over(w).alias("next_bucket"))
                 .where(F.col("on_book") & (F.col("next_month") == F.col("month") + 1))
                 .join(loans, "loan").select("*", dims))
        result["rolls"] = cube(pairs, F.col("next_month"), F.col("bucket") * NB + F.col("next_bucket"),
                               NB * NB, book.n_months, {"n": count, "fen": fen})
        return result
    finally:
        if own:
            session.stop()
