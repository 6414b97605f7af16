"""The error a model raises when a scenario lacks data it needs (light: the CLI imports it at start-up)."""


class ModelInputError(ValueError):
    """The scenario lacks data the chosen model needs (one line, naming the model and the data)."""
