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


# Typer may carry its own copy of Click, so Click's classes are recognised by what they have, not by
# importing them: a group lists commands, a "No such option" error names the option.
def _commands(group: Any, ctx: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every command under ``group``, sub-groups walked, as ``(path, command)``."""
    out: list[tuple[str, Any]] = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if hasattr(cmd, "list_commands"):
            out += _commands(cmd, type(ctx)(cmd, parent=ctx, info_name=name), f"{prefix}{name} ")
        elif cmd is not None:
            out.append((f"{prefix}{name}", cmd))
    return out


def _is_unknown_option(exc: BaseException) -> bool:
    return type(exc).__name__ == "NoSuchOption" and hasattr(exc, "option_name")


def explain_unknown_option(exc: Any, ctx: Any) -> None:
    """Reword Click's "No such option" in place: which commands do take the option (so ``deals --model``
    says ``--model`` belongs to the commands that run a model), and no suggestion of ``--help``."""
    if getattr(exc, "_explained", False):
        return
    exc._explained = True
    name = exc.option_name
    root = ctx.find_root()
    here = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else root.command_path
    owners = [
        path
        for path, cmd in _commands(root.command, root)
        if any(name in p.opts or name in p.secondary_opts for p in cmd.params)
    ]
    if owners:
        exc.message = (
            f"No such option: {name}: '{here}' takes no {name}; it is an option of {', '.join(owners)}"
        )
    exc.possibilities = [p for p in (exc.possibilities or []) if p not in ("-h", "--help")] or None


class Group(TyperGroup):
    """A command group whose ``--help``/``-h`` (its own and its commands') shows no ``<bool>``, and
    whose unknown options say which commands take them (:func:`explain_unknown_option`)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _is_unknown_option(exc):
                explain_unknown_option(exc, ctx)
            raise

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None and not isinstance(cmd, Group):
            _plain(cmd.get_help_option(ctx))
        return cmd
