"""The zip a contributor uploads to bioimage.io, written by bioimageio.spec's own packaging.

`save_bioimageio_package` collects the files the description names, writes the
RDF and the zip, then loads the zip back and validates it. The zip is written to
a temporary name beside the output and renamed only when that validation
passes, so an invalid package never appears under the name asked for.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.outputs.files import replacing


def write_zoo_zip(description: Any, output: Path, *, online: bool = False) -> Path:
    """Write `description` as a bioimage.io zip at `output`; a `BmzcardError` when it does not validate.

    Parameters
    ----------
    description
        A valid bioimageio.spec model description (its files are read from its root).
    output
        The zip to write; replaced only by a zip that validated.
    online
        Validate with bioimageio.spec's io checks (file hashes, URLs) and include
        remote files; offline, only local files are packed and the format is checked.
    """
    from bioimageio.spec import ValidationContext, save_bioimageio_package

    with replacing(output, suffix=".tmp.zip") as temporary:
        try:
            with warnings.catch_warnings(), ValidationContext(perform_io_checks=online, log_warnings=False):
                warnings.simplefilter("ignore")
                save_bioimageio_package(description, output_path=temporary, local_files_only=not online)
        except OSError as error:  # a file the RDF names is missing or unreadable
            missing = isinstance(error, FileNotFoundError)
            raise BmzcardError(f"cannot pack a file the RDF names: {'no such file' if missing else error.strerror}",
                               path=error.filename or (error.args[0] if error.args else output)) from None
        except ValueError as error:  # the zip written did not validate
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            reason = " ".join(lines[1:3] if len(lines) > 1 else lines) or type(error).__name__
            raise BmzcardError(f"bioimageio.spec could not write a valid package: {reason}", path=output) from None
    return output
