"""bmzcard: complete, true and checked model cards for BioImage Model Zoo packages.

The flow, one package per step (each layer imports only the ones below it):

    sources (rdf.yaml, weights, README, records) -> facts with provenance
    -> card (the template, filled) -> producers (generate, evaluate, measure, track)
    -> outputs (Markdown card, config.bioimageio, sidecar, figures) and lint findings.

The Python API, documented in `bmzcard.api` (the CLI calls the same functions):

>>> import bmzcard
>>> report = bmzcard.generate("my_model/")                          # doctest: +SKIP
>>> findings = bmzcard.check("my_model/README.md")                  # doctest: +SKIP
>>> card = bmzcard.Card.read("my_model/README.md")                  # doctest: +SKIP
>>> changes = bmzcard.diff("model_v1/", "model_v2/")                # doctest: +SKIP

`generate`, `evaluate` and `measure` are also the names of the producer
packages; their modules are imported as usual (``from bmzcard.evaluate import
EvaluateOptions``) while the attributes ``bmzcard.generate`` etc. stay the API
functions. Everything is imported on first use, so ``import bmzcard`` is fast.
"""

from __future__ import annotations

import os as _os
import sys
import types

from bmzcard.version import __version__

# bioimageio.spec reads its settings from the environment and from a `.env` file in
# the working folder, which may be a downloaded package's. Set here, before it is
# imported, the two that guard untrusted input: no pickles in test tensors (a
# pickle runs code) and no io checks (downloads, URL checks: network).
_os.environ["BIOIMAGEIO_ALLOW_PICKLE"] = "false"
_os.environ["BIOIMAGEIO_PERFORM_IO_CHECKS"] = "false"
# onnxruntime (1.32) sends usage telemetry to Microsoft's collector unless told not to;
# child processes (the measuring one) inherit this.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"

_API = ("Card", "check", "diff", "evaluate", "generate", "measure")

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name == "Card":
        from bmzcard.outputs.card import Card as value
    elif name == "diff":
        from bmzcard.diff import diff as value
    elif name in _API:
        from bmzcard import api

        value = getattr(api, name)
    else:
        raise AttributeError(f"module 'bmzcard' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


class _Package(types.ModuleType):
    """Keeps ``bmzcard.generate`` the API function when the producer package of that name is imported.

    Python binds an imported submodule as an attribute of its parent package;
    for the API names that would hide the function behind the module.
    """

    def __setattr__(self, name: str, value) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
