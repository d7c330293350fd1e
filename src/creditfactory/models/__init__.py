"""Every trained model of the platform and its training on lending data.

- :mod:`.acard` the application scorecard's modelling table and out-of-time experiment;
- :mod:`.features` the application features every approval model reads;
- :mod:`.training` the A-card, the LightGBM challenger, the fraud model and the channel
  (packaging) card trained together, as one score provider for the strategy;
- :mod:`.fraud` the live fraud LightGBM on identity-graph features;
- :mod:`.channel` the channel packaging card;
- :mod:`.bundle` the file format the trained models are kept in (the only module that knows it);
- :mod:`.errors` what goes wrong with them;
- :mod:`.reject_experiment` reject inference measured on lending data.

The general modelling toolkit they are built with is :mod:`creditfactory.scorecard`.
"""

from creditfactory.models.bundle import (
    bundle_digest,
    dump_models,
    load_models,
    read_models,
    save_models,
)
from creditfactory.models.errors import ModelBundleInvalid, ModelError
from creditfactory.models.fraud import FraudModel
from creditfactory.models.training import TrainedModels, train_lending_models

__all__ = [
    "FraudModel",
    "ModelBundleInvalid",
    "ModelError",
    "TrainedModels",
    "bundle_digest",
    "dump_models",
    "load_models",
    "read_models",
    "save_models",
    "train_lending_models",
]
