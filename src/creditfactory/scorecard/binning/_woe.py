"""``WoETransformer``: a :class:`Binner` whose output is each value's weight of evidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from creditfactory.scorecard.binning._binner import Binner

__all__ = ["WoETransformer"]


class WoETransformer(Binner):
    """Replace every value by the WoE of its bin (``ln(share of goods / share of bads)``).

    Same parameters and fitted attributes as :class:`Binner`; the WoE is positive for bins
    safer than average and always finite (see ``FeatureBinning.woe``). Unseen categories
    take the WoE of their ``unseen_bin``; missing values the WoE of the missing bin (0 if
    no value was missing in fit).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> X = pd.DataFrame({"age": [22, 25, 31, 38, 45, 52, 58, 63] * 25,
    ...                   "region": list("NNSSEWSW") * 25})
    >>> y = [1, 0, 1, 0, 0, 1, 0, 0] * 25
    >>> woe = WoETransformer(min_bin_share=0.2).fit(X, y)
    >>> woe.transform(X.head(2)).round(3).tolist()
    [[-1.204, -0.511], [-1.204, -0.511]]
    >>> model = make_pipeline(WoETransformer(min_bin_share=0.2), LogisticRegression())
    >>> round(float(model.fit(X, y).predict_proba(X.head(1))[0, 1]), 3)
    0.746
    """

    _output_dtypes = ["float64"]  # noqa: RUF012

    def transform(self, X: Any) -> np.ndarray:
        """WoE of every value, shape ``(n_samples, n_features)``, float64."""
        binnings, bins = self._bin_columns(X)
        out = np.empty(bins.shape, dtype=np.float64, order="F")
        for j, binning in enumerate(binnings):
            out[:, j] = binning.woe[bins[:, j]]
        return out
