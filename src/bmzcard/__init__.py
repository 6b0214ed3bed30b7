"""bmzcard: complete, true and checked model cards for BioImage Model Zoo packages.

The flow, one package per step:
sources (rdf.yaml, weights, README, measurements) -> facts with provenance
-> card (the template, filled) -> render (Markdown, sidecar JSON) and lint findings.
"""

import os as _os

__version__ = "0.1.0"

# bioimageio.spec reads its settings from the environment and from a `.env` file in
# the working folder, which may be a downloaded package's. Set here, before it is
# imported, the two that guard untrusted input: no pickles in test tensors (a
# pickle runs code) and no io checks (downloads, URL checks: network).
_os.environ["BIOIMAGEIO_ALLOW_PICKLE"] = "false"
_os.environ["BIOIMAGEIO_PERFORM_IO_CHECKS"] = "false"
