"""Read and check the evaluation manifest before any image is touched.

A manifest is a CSV or TSV file, one row per image: ``image``,
``ground_truth``, an optional ``prediction``, an optional ``ignore_mask``
(sparse annotations: an image, non-zero where the ground truth is
unlabelled; a row may leave it empty) and any further columns, each an
evaluation factor (``snr``, ``cell_type``). Relative paths start at the
manifest's folder. For classification, ``ground_truth`` and ``prediction``
hold class labels instead of file paths (``label_columns``). Every problem is reported with the manifest row (1 is the
first row after the header) so the user can fix it in one go.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bmzcard.errors import BmzcardError

REQUIRED_COLUMNS = ("image", "ground_truth")
PATH_COLUMNS = ("image", "ground_truth", "prediction", "ignore_mask")
MAX_MANIFEST_BYTES = 50_000_000
#: Rows between two progress reports while a manifest is read and its files' headers checked.
PROGRESS_EVERY = 256
#: ``progress(done, total, stage)``: how far a long step has come, in words.
Stage = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Row:
    """One manifest row with its paths resolved.

    ``number`` counts data rows from 1 (the header is not a row); ``line`` is
    the line of the file, for editors. A label column's text is in
    ``labels`` and its path field is None.
    """

    number: int
    line: int
    image: Path
    ground_truth: Path | None
    prediction: Path | None
    factors: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ignore_mask: Path | None = None

    def has(self, column: str) -> bool:
        """Whether the row fills ``column``, as a file or as a label."""
        return getattr(self, column) is not None or column in self.labels

    @property
    def name(self) -> str:
        """The image as the manifest names it, for tables and JSON."""
        return self.image.name


@dataclass(frozen=True)
class Manifest:
    """The checked manifest: its rows, factor names and content hash."""

    path: Path
    rows: tuple[Row, ...]
    factors: tuple[str, ...]
    sha256: str

    @property
    def has_predictions(self) -> bool:
        return all(row.has("prediction") for row in self.rows)

    @property
    def has_ignore_masks(self) -> bool:
        return any(row.ignore_mask is not None for row in self.rows)

    def levels(self, factor: str) -> list[str]:
        """Levels of ``factor`` in order of first appearance."""
        return list(dict.fromkeys(row.factors[factor] for row in self.rows))

    def outside_files(self) -> list[str]:
        """The files rows name outside the manifest's folder (``../``, absolute paths, links out), as
        ``row N column: path``: allowed, but said, since a manifest from elsewhere may point anywhere."""
        folder = self.path.parent.resolve()
        return [f"row {row.number} {column}: {file}" for row in self.rows for column in PATH_COLUMNS
                if isinstance(file := getattr(row, column), Path) and not file.resolve().is_relative_to(folder)]


def row_error(manifest: Path, row: int, message: str) -> BmzcardError:
    """A `BmzcardError` that names the manifest and the row."""
    return BmzcardError(message, path=manifest, field=f"row {row}")


def read_manifest(path: str | Path, *, factors: list[str] | None = None,
                  label_columns: tuple[str, ...] = (), progress: Stage | None = None) -> Manifest:
    """Read a manifest and check every row; nothing is loaded yet.

    Parameters
    ----------
    path : str or Path
        The CSV (``.csv``) or TSV (``.tsv``, ``.tab``) file.
    factors : list of str, optional
        The factor columns to use; by default every column that is not a path
        column. Naming a column the manifest lacks is an error.
    label_columns : tuple of str
        Columns of ``ground_truth``/``prediction`` that hold text (class
        labels), not paths.
    progress : callable, optional
        Called as ``progress(done, total, "reading the manifest")`` while rows are checked.

    Returns
    -------
    Manifest

    Raises
    ------
    BmzcardError
        For a missing file or column, an unknown factor, an empty cell, a
        missing data file, or a ``prediction`` column filled in some rows only.
    """
    path = Path(path)
    if not path.is_file():
        raise BmzcardError("manifest not found", path=path)
    data = path.read_bytes()
    if len(data) > MAX_MANIFEST_BYTES:
        raise BmzcardError(f"manifest is larger than {MAX_MANIFEST_BYTES:,} bytes", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BmzcardError(f"manifest is not UTF-8 text (byte {error.start})", path=path) from None
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    lines = [line for line in csv.reader(text.splitlines(), delimiter=delimiter)]
    numbered = [(i + 1, cells) for i, cells in enumerate(lines) if any(c.strip() for c in cells)]
    if not numbered:
        raise BmzcardError("manifest is empty", path=path)
    _, header = numbered[0]
    columns = [c.strip() for c in header]
    _check_header(path, columns, delimiter)
    factor_columns = [c for c in columns if c not in PATH_COLUMNS]
    if factors is not None:
        unknown = [f for f in factors if f not in factor_columns]
        if unknown:
            known = ", ".join(factor_columns) or "none"
            raise BmzcardError(f"unknown factor {unknown[0]!r}; the manifest's factor columns: {known}",
                               path=path, field="--factor")
        factor_columns = list(factors)
    if not numbered[1:]:
        raise BmzcardError("manifest has a header but no rows", path=path)
    rows = []
    for number, (line, cells) in enumerate(numbered[1:], start=1):
        rows.append(_row(path, number, line, columns, cells, factor_columns, label_columns))
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == len(numbered) - 1):
            progress(number, len(numbered) - 1, "reading the manifest")
    with_prediction = [r.number for r in rows if r.has("prediction")]
    if with_prediction and len(with_prediction) != len(rows):
        missing = next(r.number for r in rows if not r.has("prediction"))
        raise row_error(path, missing, "empty prediction cell; fill the prediction column in every row "
                        "or in none (then the model predicts)")
    return Manifest(path, tuple(rows), tuple(factor_columns), hashlib.sha256(data).hexdigest())


def _check_header(path: Path, columns: list[str], delimiter: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        hint = ""
        if len(columns) == 1 and ("\t" in columns[0] or "," in columns[0]):
            hint = f" (the header is one column; is the delimiter {delimiter!r} right for this file's extension?)"
        raise BmzcardError(f"column {missing[0]!r} is missing; the manifest needs columns "
                           f"{', '.join(REQUIRED_COLUMNS)}{hint}", path=path, field="header")
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise BmzcardError(f"column {duplicated[0]!r} appears twice", path=path, field="header")
    if "" in columns:
        raise BmzcardError(f"column {columns.index('') + 1} has no name", path=path, field="header")


def _row(path: Path, number: int, line: int, columns: list[str], cells: list[str],
         factor_columns: list[str], label_columns: tuple[str, ...]) -> Row:
    if len(cells) != len(columns):
        raise row_error(path, number, f"has {len(cells)} cells, the header has {len(columns)} (line {line})")
    values = {c: v.strip() for c, v in zip(columns, cells)}
    resolved: dict[str, Path | None] = {}
    labels: dict[str, str] = {}
    for column in PATH_COLUMNS:
        value = values.get(column, "")
        if not value:
            if column in REQUIRED_COLUMNS:
                raise row_error(path, number, f"empty {column} cell (line {line})")
            resolved[column] = None
            continue
        if column in label_columns:
            labels[column], resolved[column] = value, None
            continue
        file = Path(value)
        file = file if file.is_absolute() else path.parent / file
        if not file.exists():
            raise row_error(path, number, f"{column} file not found: {file}")
        resolved[column] = file
    for factor in factor_columns:
        if not values[factor]:
            raise row_error(path, number, f"empty value in factor column {factor!r} (line {line})")
    return Row(number, line, resolved["image"], resolved["ground_truth"], resolved["prediction"],
               {f: values[f] for f in factor_columns}, labels, resolved["ignore_mask"])
