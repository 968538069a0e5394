"""Which command an `opendata` command line runs, read before the commands' modules load: a
server refuses numpy and pandas before pyarrow is imported (cli; the memory test checks the
running server's mapped files)."""

from __future__ import annotations

import inspect

import pytest

from cli import VALUED_OPTIONS, app, command_of


@pytest.mark.parametrize(
    ("arguments", "command"),
    [
        (["serve"], "serve"),
        (["serve", "--port", "9000"], "serve"),
        (["--store", "s3://bucket/prefix", "serve"], "serve"),
        (["--store=/srv/store", "--state", "/srv/state", "serve"], "serve"),
        (["--datasets", "serve", "build"], "build"),  # a folder named `serve` is not the command
        (["--help"], None),
        ([], None),
        (["--store"], None),
    ],
)
def test_the_command_is_the_first_argument_that_is_no_option_and_no_options_value(
    arguments: list[str], command: str | None
) -> None:
    assert command_of(arguments) == command


def test_the_options_taking_a_value_are_the_main_callbacks() -> None:
    """The list `command_of` skips is the callback's own: an option added there without it
    would make its value read as the command."""
    callback = app.registered_callback
    assert callback is not None and callback.callback is not None
    options = {
        f"--{name}"
        for name, parameter in inspect.signature(callback.callback).parameters.items()
        if name != "ctx" and parameter.annotation != "bool"
    }
    assert options == VALUED_OPTIONS
