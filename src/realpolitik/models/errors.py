"""Errors at the model boundary (light: the CLI imports them at start-up)."""

from realpolitik.limits import LimitError


class ModelInputError(ValueError):
    """The scenario lacks data the chosen model needs (one line, naming the model and the data)."""


class ModelTooLargeError(ModelInputError, LimitError):
    """The problem has more actors than the model's limit (:func:`realpolitik.limits.max_actors`)."""


class ModelOutputError(ValueError):
    """A model returned a non-finite outcome (the message names the model, the issue and its inputs)."""
