"""bmzcard's own example model, evaluated on its bundled data (`bmzcard demo`)."""

from __future__ import annotations

from pathlib import Path

from bmzcard.errors import BmzcardError
from bmzcard.evaluate import EvaluateOptions, EvaluationReport, evaluate
from bmzcard.example import eval_manifest_path, package_path
from bmzcard.outputs.evaluation import write_evaluation

#: The bundled example's evaluation data ships inside bmzcard (made by examples/train_example.py)
#: and has no web address; bioimageio.spec requires an http(s) URL, so the RFC 2606
#: documentation domain stands in, as in the spec's own examples.
EXAMPLE_DATASET_ID = "bmzcard-synthetic-nuclei-eval"
EXAMPLE_DATASET_SOURCE = "https://example.org/bmzcard/example/eval_data"
EXAMPLE_THRESHOLD = 0.5


def evaluate_example(package_dir: str | Path, *, workers: int = 1) -> EvaluationReport:
    """Evaluate bmzcard's bundled example on its bundled data and write its card.

    ``package_dir`` must be a copy of the example package (``bmzcard demo``
    makes one): its ``rdf.yaml`` gets the evaluation entry and its
    ``README.md`` the Evaluation section and figures.

    Parameters
    ----------
    package_dir : str or Path
        The copied example package folder.
    workers : int
        Processes for the images.

    Returns
    -------
    EvaluationReport
    """
    package_dir = Path(package_dir)
    if package_dir.resolve() == package_path().resolve():
        raise BmzcardError("refusing to write into the installed example; evaluate a copy", path=package_dir)
    options = EvaluateOptions(task="semantic-segmentation", threshold=EXAMPLE_THRESHOLD, weight_format="onnx",
                              device="cpu", workers=workers, dataset_id=EXAMPLE_DATASET_ID,
                              dataset_source=EXAMPLE_DATASET_SOURCE, dataset_role="test")
    report = evaluate(eval_manifest_path(), package_dir, options, for_card=True)
    write_evaluation(report, write_card=True)
    return report
