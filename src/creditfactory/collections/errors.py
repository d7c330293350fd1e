"""Errors of collections: a strategy file or reason-model file that cannot be used."""

from creditfactory.errors import InvalidArgument


class CollectionsStrategyInvalid(InvalidArgument):
    """A treatment strategy file is malformed; the message names the file and the place."""
