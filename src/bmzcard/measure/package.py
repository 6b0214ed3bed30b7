"""Loading a model package for measuring: its description and weight files.

Packages are opened by `bmzcard.sources` (folders, RDF files, zips unpacked
to a temporary folder by the caller).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import load_rdf
from bmzcard.sources.rdf_facts.tables import WEIGHT_FORMATS


def load_model(rdf: Path) -> Any:
    """Load the model description of an RDF file (in a folder, not a zip).

    Read by `bmzcard.sources`: safe YAML, bioimageio.spec with io checks off, so
    no package code runs and no file is downloaded or hashed.

    Returns
    -------
    bioimageio.spec.model.v0_4.ModelDescr | bioimageio.spec.model.v0_5.ModelDescr

    Raises
    ------
    BmzcardError
        If the description is invalid or not a model.
    """
    package = open_package(rdf)
    description = load_rdf(package).description
    if description.type != "model":
        raise BmzcardError(f"a {description.type} description, not a model", path=package.display(), field="type")
    return description


def weight_files(descr: Any) -> dict[str, Path]:
    """Local weight file (or folder) of each weight format in the description.

    Formats whose weights are not local files (URLs) are left out; the others
    come in the order of bmzcard's weight format table, most preferred first.
    """
    files: dict[str, Path] = {}
    for weight_format in WEIGHT_FORMATS:
        entry = getattr(descr.weights, weight_format, None)
        if entry is None:
            continue
        source = entry.source.absolute() if hasattr(entry.source, "absolute") else entry.source
        if isinstance(source, Path) and source.exists():
            files[weight_format] = source
    return files
