"""Pieces shared by the command groups (``realpolitik`` and ``realpolitik events``): flags without
``<bool>`` in the help, ``-h`` for ``--help``.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"]}
"""Click context settings of every group: ``-h`` is ``--help`` (inherited by every command)."""


def flag(*names: str, help: str) -> Any:
    """A flag: no value, no ``--no-`` twin, no ``<bool>`` in the help, no ``[default: False]``."""
    return typer.Option(*names, help=help, metavar="", show_default=False)


def _plain(option: Any) -> Any:
    if option is not None:
        option.metavar = ""  # a flag takes no value: nothing to show after it
    return option


class Group(TyperGroup):
    """A command group whose ``--help``/``-h`` (its own and its commands') shows no ``<bool>``."""

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None and not isinstance(cmd, Group):
            _plain(cmd.get_help_option(ctx))
        return cmd
