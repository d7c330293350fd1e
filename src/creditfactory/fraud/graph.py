"""The identity graph of a batch of applications: build once, read features, hubs, rings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from creditfactory.fraud._features import batch_features
from creditfactory.fraud._links import Links, build_links
from creditfactory.fraud.errors import UnknownApplication
from creditfactory.fraud.graph_config import KINDS, GraphConfig
from creditfactory.fraud.identity import HASH_COLUMNS

NEVER = np.iinfo(np.int64).max


class IdentityGraph:
    """Applications linked by shared keyed-hash values, with point-in-time features.

    Build with :meth:`build` from an identity table (see :func:`identity_table`) in
    ``applied_at`` order and the time each application became a known bad (``NEVER`` if it
    has not); nothing raw is held.
    """

    def __init__(self, identity: pd.DataFrame, links: Links, features: pd.DataFrame,
                 bad_time: np.ndarray, config: GraphConfig) -> None:
        self.identity = identity
        self.links = links
        self.features = features
        self.bad_time = bad_time
        self.config = config
        self._row = pd.Index(identity["application_id"].to_numpy())

    @classmethod
    def build(cls, identity: pd.DataFrame, bad_time: np.ndarray | None = None,
              config: GraphConfig | None = None) -> IdentityGraph:
        """Index, link and compute every application's features in one vectorised pass."""
        config = config or GraphConfig()
        identity = identity.reset_index(drop=True)
        bad = np.full(len(identity), NEVER, np.int64) if bad_time is None else np.asarray(
            bad_time, np.int64)
        links = build_links(identity, config)
        channel = identity["channel"].to_numpy(np.uint64)
        feats = batch_features(links, channel, bad, config)
        feats.insert(0, "application_id", identity["application_id"].to_numpy())
        return cls(identity, links, feats, bad, config)

    @property
    def hubs(self) -> pd.DataFrame:
        """Values that were capped: hash, kind, applications holding it, capped since."""
        return self.links.hubs

    def row_of(self, application_id: int) -> int:
        """Row index of an application, raising :class:`UnknownApplication`."""
        try:
            return int(self._row.get_loc(application_id))
        except KeyError as exc:
            raise UnknownApplication(f"application {application_id} is not in the graph") from exc

    def adjacency(self) -> sp.csr_matrix:
        """Symmetric application adjacency over structural links (as of the last arrival)."""
        n = len(self.identity)
        lower = sp.csr_matrix(
            (np.ones(len(self.links.pi), np.int8), (self.links.pi, self.links.pj)), shape=(n, n)
        )
        return (lower + lower.T).tocsr()

    def components(self) -> np.ndarray:
        """Connected-component label of every application in the final graph (csgraph)."""
        _, labels = connected_components(self.adjacency(), directed=False)
        return labels

    def strong_components(self, min_kinds: int = 2) -> np.ndarray:
        """Component labels over links sharing at least ``min_kinds`` kinds of value."""
        n = len(self.identity)
        keep = np.bitwise_count(self.links.pmask.astype(np.uint32)) >= min_kinds
        adj = sp.csr_matrix(
            (np.ones(int(keep.sum()), np.int8), (self.links.pi[keep], self.links.pj[keep])),
            shape=(n, n),
        )
        _, labels = connected_components(adj, directed=False)
        return labels

    def strongly_linked_since(self, min_kinds: int = 2) -> np.ndarray:
        """Each application's first moment (``applied_at`` seconds) of sharing at least
        ``min_kinds`` kinds of value with another application -- when the later of the two
        arrived -- or ``NEVER``: two people rarely share a device and an address by chance, a
        ring's members do."""
        t = self.identity["applied_at"].to_numpy(np.int64)
        since = np.full(len(t), NEVER, np.int64)
        keep = np.bitwise_count(self.links.pmask.astype(np.uint32)) >= min_kinds
        pi, pj = self.links.pi[keep], self.links.pj[keep]
        at = np.maximum(t[pi], t[pj])
        np.minimum.at(since, pi, at)
        np.minimum.at(since, pj, at)
        return since

    def pair_table(self) -> pd.DataFrame:
        """Every link as (application_id, earlier application_id, kinds)."""
        ids = self.identity["application_id"].to_numpy()
        names = np.asarray(KINDS, dtype=object)
        kinds = [
            ",".join(names[[c for c in range(len(KINDS)) if m >> c & 1]])
            for m in self.links.pmask.tolist()
        ]
        return pd.DataFrame(
            {"application_id": ids[self.links.pi], "linked_id": ids[self.links.pj], "kinds": kinds}
        )

    def save(self, directory: str | Path) -> None:
        """Write identity (hashes only), links, features and hubs as parquet files."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        ident = self.identity.copy()
        for column in HASH_COLUMNS:
            if column in ident:
                ident[column] = ident[column].astype(np.uint64)
        ident.to_parquet(out / "identity.parquet", index=False)
        self.pair_table().to_parquet(out / "links.parquet", index=False)
        self.features.to_parquet(out / "features.parquet", index=False)
        self.hubs.to_parquet(out / "hubs.parquet", index=False)
