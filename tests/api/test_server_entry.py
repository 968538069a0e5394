"""Which command an `opendata` command line runs, read before the commands' modules load: a
server refuses numpy and pandas before pyarrow is imported, and pyarrow's S3 filesystem when
its store is a folder (cli; the memory test checks the running server's mapped files)."""

from __future__ import annotations

import inspect

import pytest

from cli import VALUED_OPTIONS, app, command_of, server_refuses
from validation import Refusal


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


@pytest.mark.parametrize(
    ("arguments", "environ", "s3"),
    [
        (["serve"], {}, False),  # the default store, `store`, is a folder
        (["serve"], {"OPENDATA_STORE": "/srv/store"}, False),
        (["serve"], {"OPENDATA_STORE": "s3://bucket/prefix"}, True),
        (["--store", "s3://bucket/prefix", "serve"], {}, True),
        (["--store=s3://bucket/prefix", "serve"], {"OPENDATA_STORE": "/srv/store"}, True),
        (["--store", "/srv/store", "serve"], {"OPENDATA_STORE": "s3://bucket/prefix"}, False),
        (["--state", "s3://not/the/store", "serve"], {}, False),
        (["serve", "--store", "s3://after/the/command"], {}, False),  # no option of `serve`
        # Given twice: the option parser keeps the last, and so must the refusal.
        (["--store", "/srv/store", "--store", "s3://bucket/prefix", "serve"], {}, True),
        (["--store", "s3://bucket/prefix", "--store=/srv/store", "serve"], {}, False),
    ],
)
def test_a_server_keeps_pyarrows_s3_filesystem_out_unless_its_store_is_a_url(
    arguments: list[str], environ: dict[str, str], s3: bool
) -> None:
    refused = server_refuses(arguments, environ)
    assert {"numpy", "pandas", "pydantic.v1"} <= set(refused)
    assert ("pyarrow._s3fs" not in refused) is s3


def test_a_refusal_of_a_module_refuses_it_and_its_own_modules_only() -> None:
    refusal = Refusal("numpy", "pyarrow._s3fs")
    for refused in ("numpy", "numpy.linalg", "pyarrow._s3fs", "pyarrow._s3fs.inner"):
        with pytest.raises(ModuleNotFoundError):
            refusal.find_spec(refused, None)
    for allowed in ("numpyx", "pyarrow", "pyarrow._s3fsx", "pyarrow.fs"):
        assert refusal.find_spec(allowed, None) is None
