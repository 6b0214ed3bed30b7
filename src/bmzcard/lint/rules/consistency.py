"""Consistency rules: what the card says against what the package's RDF says.

These run only when the RDF is known (a package, or a card with `--rdf`), and
stay silent where either side is missing or unfilled: a missing field is the
placeholder rules' business, a disagreement is theirs.
"""

from __future__ import annotations

import re
from typing import Iterator

from bmzcard.card.placeholders import is_placeholder_value
from bmzcard.facts import md_unescape
from bmzcard.lint import rdf as r
from bmzcard.lint.findings import Severity, Violation
from bmzcard.lint.results import metric_key, parse_value, results_tables
from bmzcard.lint.rule import CardContext, Rule
from bmzcard.lint.rules.structure import table_cells
from bmzcard.sources.readme import FieldItem


def _filled(item: FieldItem | None) -> FieldItem | None:
    return item if item is not None and not is_placeholder_value(item.value) else None


def _key(text: str) -> str:
    """Letters and digits only, lower case: how names and licence ids are compared."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


class NameMismatch(Rule):
    """What it does
    ------------
    Compares the card's title (its level-1 heading) with the RDF's `name`.
    Case, spacing and punctuation are ignored, and a title that contains the
    name (or the other way round) agrees.

    Why is this bad?
    ----------------
    The zoo shows the RDF's name; a card titled differently reads like the
    documentation of another model, often one it was copied from.

    Example
    -------
    RDF `name: NucleiSegmentationBoundaryModel`, card `# Cell Boundary U-Net`.

    Use instead
    -----------
    `# NucleiSegmentationBoundaryModel`, or rename the model in the RDF.
    """

    name = "name-mismatch"
    family = "consistency"
    severity = Severity.WARNING
    summary = "The card's title differs from the RDF's name."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        heading = card.heading("title")
        name = r.name(card.rdf)
        if heading is None or name is None or is_placeholder_value(heading.title):
            return
        title, wanted = _key(heading.title), _key(name)
        if wanted and title and wanted not in title and title not in wanted:
            yield Violation(heading.line, f"title {heading.title!r} differs from the RDF's name {name!r}")


class LicenseMismatch(Rule):
    """What it does
    ------------
    Checks that the card's `License` field names the RDF's `license` (an SPDX
    identifier such as `MIT` or `CC-BY-4.0`; spacing, case and punctuation
    are ignored, so "CC BY 4.0" matches).

    Why is this bad?
    ----------------
    The licence decides what users may do with the weights. Two licences in
    one package leave them without a clear answer; the RDF's is the one the
    zoo shows and enforces.

    Example
    -------
    RDF `license: CC-BY-4.0`, card `- **License:** MIT`.

    Use instead
    -----------
    `- **License:** [CC-BY-4.0](https://spdx.org/licenses/CC-BY-4.0)`
    """

    name = "license-mismatch"
    family = "consistency"
    severity = Severity.ERROR
    summary = "The card's license is not the RDF's license."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        item = _filled(card.field("model_description", "license"))
        license_id = r.license_id(card.rdf)
        if item is None or license_id is None:
            return
        if _key(license_id) not in _key(item.value):
            yield Violation(item.start, f"license {item.value.strip()!r} does not name the RDF's license {license_id!r}")


class AuthorsMissing(Rule):
    """What it does
    ------------
    Checks that every author of the RDF (`authors[*].name`) appears in the
    card's `Developed by` field, by family name.

    Why is this bad?
    ----------------
    Credit: the RDF's authors are the people the zoo cites. A card naming
    others (or fewer) misattributes the work.

    Example
    -------
    RDF authors Constantin Pape and Fynn Beuttenmueller; card
    `- **Developed by:** Constantin Pape (EMBL)`.

    Use instead
    -----------
    `- **Developed by:** Constantin Pape, Fynn Beuttenmueller (EMBL Heidelberg)`
    """

    name = "authors-missing"
    family = "consistency"
    severity = Severity.WARNING
    summary = "An RDF author is missing from the card's `Developed by`."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        item = _filled(card.field("model_description", "developed_by"))
        if item is None:
            return
        text = _key(item.value)
        missing = [n for n in r.author_names(card.rdf) if _key(n.split()[-1]) not in text]
        if missing:
            yield Violation(item.start, f"RDF author{'s' if len(missing) > 1 else ''} {', '.join(missing)} not in 'Developed by'")


_DIMENSIONS = re.compile(r"(?<![\w.])([23])\s?-?\s?D\b", re.IGNORECASE)
_NOT_APPLICABLE = re.compile(r"^\W*(n/?a|none|not applicable|no|-)\W*$", re.IGNORECASE)
_TIME_UNIT = re.compile(r"\d\s*(ms|s|sec|seconds?|min|minutes?|h|hours?|frames?|fps)\b", re.IGNORECASE)
# Fields and sections where a card states the model's dimensionality.
_DIMENSION_FIELDS = (
    ("model_description", "model_type"),
    ("task_details", "input_modality"),
    ("model_architecture_and_objective", "input_specifications"),
)


class DimensionMismatch(Rule):
    """What it does
    ------------
    Compares each "2D" / "3D" in the card's title, summary, `Model type`,
    `Input modality` and `Input specifications` with the number of spatial
    axes of the RDF's inputs, and the `Temporal resolution` field with a time
    axis.

    Why is this bad?
    ----------------
    A "3D" model whose inputs have only y and x axes (or the reverse) will be
    run on the wrong data; a time axis the card says is not there hides that
    the model expects a time series.

    Example
    -------
    Input axes `bcyx`, card `- **Model type:** 3D U-Net`.

    Use instead
    -----------
    `- **Model type:** 2D U-Net`, or fix the RDF's axes.
    """

    name = "dimension-mismatch"
    family = "consistency"
    severity = Severity.ERROR
    summary = "2D/3D or time in the card disagrees with the RDF's input axes."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        tensors = r.input_axes(card.rdf)
        if not tensors:
            return
        spatial = {sum(1 for a in axes if a.type == "space") for axes in tensors}
        have = " or ".join(f"{d} spatial axes" for d in sorted(spatial))
        reported: set[int] = set()
        for dim, line in self._claims(card):
            if dim not in spatial and line not in reported:
                reported.add(line)
                yield Violation(line, f"the card says {dim}D; the RDF's inputs have {have}")
        yield from self._time(card, any(a.type == "time" for axes in tensors for a in axes))

    def _claims(self, card: CardContext) -> list[tuple[int, int]]:
        """(2 or 3, line) for each dimensionality the card states where it describes the model."""
        places: list[tuple[int, str]] = []
        title = card.heading("title")
        if title is not None:
            places.append((title.line, title.title))
            places += [(i, line) for i, line in enumerate(card.document.body(title), start=title.body_start)]
        for section, field in _DIMENSION_FIELDS:
            item = _filled(card.field(section, field))
            if item is not None:
                places.append((item.start, item.value))
        # The RDF's own name, description and tags (inline code) are not the card's claim against the RDF.
        own = [" ".join(text.split()) for text in (r.name(card.rdf), r.description(card.rdf)) if text]
        claims = []
        for line, text in places:
            text = re.sub(r"`[^`]*`", " ", " ".join(md_unescape(text).split()))
            for words in own:
                text = text.replace(words, " ") if words else text
            claims += [(int(m.group(1)), line) for m in _DIMENSIONS.finditer(text)]
        return claims

    def _time(self, card: CardContext, has_time: bool) -> Iterator[Violation]:
        item = card.field("task_details", "temporal_resolution")
        if item is None or is_placeholder_value(item.value):
            return
        value = item.value.strip()
        if has_time and _NOT_APPLICABLE.match(value):
            yield Violation(item.start, f"temporal resolution {value!r}, but the RDF's inputs have a time axis")
        elif not has_time and _TIME_UNIT.search(value):
            yield Violation(item.start, f"temporal resolution {value!r}, but the RDF's inputs have no time axis")


_LENGTH = re.compile(r"(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>nm|µm|μm|um|mm|Å|microns?|micrometers?|nanometers?)?", re.IGNORECASE)


def card_lengths_um(text: str) -> list[float]:
    """Lengths in a text, in µm. A number without a unit takes the unit written after it ("0.1 x 0.1 µm")."""
    found: list[float] = []
    pending: list[float] = []
    for match in _LENGTH.finditer(text):
        pending.append(float(match["number"]))
        unit = match["unit"]
        if unit:
            factor = r.LENGTH_UNITS_UM.get(unit.lower().rstrip("s"), r.LENGTH_UNITS_UM.get(unit.lower()))
            if factor is not None:
                found += [n * factor for n in pending]
            pending = []
    return found


class PixelSizeMismatch(Rule):
    """What it does
    ------------
    Compares the lengths in the card's `Spatial resolution` field with the
    `scale` and `unit` of the RDF's spatial input axes (format 0.5), in
    micrometres, within 5 %.

    Why is this bad?
    ----------------
    Pixel size is the first thing users match to their data; a model applied
    at the wrong scale fails quietly. The RDF's axes are what software uses.

    Example
    -------
    Axes `x` and `y` with `scale: 0.65, unit: micrometer`; card
    `- **Spatial resolution:** 0.1 µm/pixel`.

    Use instead
    -----------
    `- **Spatial resolution:** 0.65 µm/pixel (x, y)`
    """

    name = "pixel-size-mismatch"
    family = "consistency"
    severity = Severity.WARNING
    summary = "The card's pixel size disagrees with the RDF's axis scale and unit."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        item = _filled(card.field("task_details", "spatial_resolution"))
        if item is None:
            return
        stated = card_lengths_um(item.value)
        if not stated:
            return
        disagree = []
        for axes in r.input_axes(card.rdf):
            for axis in axes:
                factor = r.LENGTH_UNITS_UM.get((axis.unit or "").lower())
                if axis.type != "space" or axis.scale is None or factor is None:
                    continue
                size = axis.scale * factor
                if not any(abs(s - size) <= 0.05 * size for s in stated):
                    disagree.append(f"{axis.id} {axis.scale:g} {axis.unit}")
        if disagree:
            yield Violation(
                item.start,
                f"spatial resolution {item.value.strip()!r} differs from the RDF's axis scales: "
                + ", ".join(dict.fromkeys(disagree)),
            )


_FRAMEWORK_WORDS = {
    "pytorch": re.compile(r"\b(py)?torch\b|\btorchscript\b", re.IGNORECASE),
    "tensorflow": re.compile(r"\btensor\s?flow\b|\bkeras\b|\btf\s?\d", re.IGNORECASE),
    "onnx": re.compile(r"\bonnx\b", re.IGNORECASE),
}


class FrameworkMismatch(Rule):
    """What it does
    ------------
    Compares the frameworks the card's `Framework` fields (Training
    Hyperparameters, Software Dependencies) name with the RDF's weight
    formats: PyTorch for `pytorch_state_dict` / `torchscript`, TensorFlow or
    Keras for `tensorflow_saved_model_bundle` / `keras_hdf5`. ONNX weights
    agree with any framework (every framework exports ONNX).

    Why is this bad?
    ----------------
    Users pick a consumer (deepImageJ, ilastik, bioimageio.core) by the
    framework; a card saying TensorFlow for a PyTorch-only package sends them
    to software that cannot run it.

    Example
    -------
    Weights `torchscript` and `onnx`; card `- **Framework:** TensorFlow 2.10`.

    Use instead
    -----------
    `- **Framework:** PyTorch 2.5 (weights also exported to ONNX)`
    """

    name = "framework-mismatch"
    family = "consistency"
    severity = Severity.WARNING
    summary = "The card's framework is not among the RDF's weight formats."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        formats = [w.format for w in r.weights(card.rdf)]
        have = {r.framework_of(f) for f in formats} - {"onnx"}
        if not have:
            return
        for section in ("training_hyperparameters", "software_dependencies"):
            item = _filled(card.field(section, "framework"))
            if item is None:
                continue
            named = {name for name, pattern in _FRAMEWORK_WORDS.items() if pattern.search(item.value)} - {"onnx"}
            if named and not named & have:
                yield Violation(
                    item.start,
                    f"framework {item.value.strip()!r}, but the RDF's weights are {', '.join(formats)}",
                )


class EvaluationLeakage(Rule):
    """What it does
    ------------
    Reports an evaluation that the RDF (`config.bioimageio.evaluations`)
    gives the role `test` or `independent` on the dataset the model was
    trained on (`training_data`), and a card whose Testing Data source is
    the same as its Training Data source.

    Why is this bad?
    ----------------
    Scores on training data measure memory, not generalisation: they are
    leakage, and readers will take them for test results.

    Example
    -------
    `training_data: {id: ilastik/covid_if_training_data}` and an evaluation
    with `dataset_id: ilastik/covid_if_training_data`, `dataset_role: test`.

    Use instead
    -----------
    Evaluate on held-out data, or record the evaluation honestly with
    `dataset_role: train` (or `validation`) and say so in the card.
    """

    name = "evaluation-leakage"
    family = "consistency"
    severity = Severity.ERROR
    summary = "A test or independent evaluation uses the training data."

    def check(self, card: CardContext) -> Iterator[Violation]:
        train = _filled(card.field("training_data", "source"))
        test = _filled(card.field("testing_data", "source"))
        if train is not None and test is not None and _key(train.value) == _key(test.value):
            yield Violation(test.start, "the testing data source is the training data source")
        if card.rdf is None:
            return
        trained = r.training_data(card.rdf)
        trained_on = trained.key if trained else None
        if trained_on is None:
            return
        line = card.heading("quantitative_results").line if card.heading("quantitative_results") else 0
        for index, evaluation in enumerate(r.evaluations(card.rdf)):
            role = evaluation.get("dataset_role")
            if role in ("test", "independent") and _same_dataset(evaluation.get("dataset_id"), trained_on):
                yield Violation(
                    line,
                    f"config.bioimageio.evaluations[{index}] is a {role!r} evaluation on the training data "
                    f"{trained_on!r}",
                )


def _same_dataset(a: object, b: str) -> bool:
    """Dataset ids agree up to a version suffix (`ilastik/covid_if_training_data/1`)."""
    if not isinstance(a, str):
        return False
    strip = lambda text: re.sub(r"/\d+$", "", text.strip().lower())  # noqa: E731
    return strip(a) == strip(b)


class ResultsMismatch(Rule):
    """What it does
    ------------
    Compares the card's results tables with `config.bioimageio.evaluations`
    in the RDF: for each metric and evaluation factor of an evaluation, the
    number in the card (same metric row, same factor column) must equal the
    RDF's value rounded to the digits the card shows. A metric of the RDF
    that no table of the card reports is reported too.

    Why is this bad?
    ----------------
    The RDF's evaluations are the machine-readable record; a card showing
    other numbers (an older run, a typo) cannot both be right.

    Example
    -------
    RDF `metrics: [dice]`, `evaluation_factors: [overall]`,
    `results: [[0.912]]`; card row `| Dice | 0.95 ± 0.02 |`.

    Use instead
    -----------
    `| Dice | 0.91 ± 0.02 |`, or re-run `bmzcard generate` to refresh the table.
    """

    name = "results-mismatch"
    family = "consistency"
    severity = Severity.ERROR
    summary = "The card's results table disagrees with the RDF's evaluations."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        evaluations = r.evaluations(card.rdf)
        if not evaluations:
            return
        values = [v for table in results_tables(card.document) for v in table.values]
        anchor = card.heading("quantitative_results")
        for evaluation in evaluations:
            factors = [str(f) for f in evaluation.get("evaluation_factors") or []]
            for metric, row in zip(evaluation.get("metrics") or [], evaluation.get("results") or []):
                key = metric_key(str(metric)) or _key(str(metric))
                # the row with the RDF's own label first: `Precision (cat)` is a precision, but not `Precision`
                shown = ([v for v in values if _key(v.metric_label) == _key(str(metric))]
                         or [v for v in values if v.metric == key])
                if not shown:
                    yield Violation(
                        anchor.line if anchor else 0,
                        f"metric {metric!r} of the RDF's evaluation on {evaluation.get('dataset_id')!r} "
                        "is in no results table of the card",
                        severity=Severity.WARNING,
                    )
                    continue
                for factor, expected in zip(factors, row if isinstance(row, list) else []):
                    yield from _compare(shown, factor, expected, str(metric))


def _compare(shown: list, factor: str, expected: object, metric: str) -> Iterator[Violation]:
    wanted = parse_value(str(expected))
    if wanted is None:
        return
    for value in shown:
        if _key(value.condition) != _key(factor):
            continue
        digits = _decimals(value.text)
        rdf_value = wanted[0] * (100 if value.percent and not wanted[2] and wanted[0] <= 1 else 1)
        if round(rdf_value, digits) != round(value.mean, digits):
            yield Violation(
                value.line,
                f"{metric} ({factor}) is {value.mean:g} in the card and {expected} in the RDF's evaluations",
                value.column,
            )


def _decimals(text: str) -> int:
    match = re.search(r"\d+(?:\.(\d+))?", text)
    return len(match.group(1)) if match and match.group(1) else 0


_CO2 = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>kg|g|t|tonnes?|tons?|lbs?|mg)\b", re.IGNORECASE
)
CO2_UNITS_KG = {"kg": 1.0, "g": 1e-3, "mg": 1e-6, "t": 1e3, "tonne": 1e3, "tonnes": 1e3, "ton": 1e3, "tons": 1e3,
                "lb": 0.4536, "lbs": 0.4536}


def card_co2_kg(text: str) -> tuple[float, str] | None:
    """The first CO2 amount in a text, in kg, with the unit as written; None without a unit."""
    match = _CO2.search(text)
    if match is None:
        return None
    unit = match["unit"].lower()
    return float(match["number"].replace(",", ".")) * CO2_UNITS_KG[unit], match["unit"]


class Co2Units(Rule):
    """What it does
    ------------
    Compares the card's `Carbon Emitted` with the RDF's
    `config.bioimageio.environmental_impact.co2_emitted`, which bioimageio.spec
    defines in kg CO2eq. A factor of about 1000 between the two is reported as
    a kg/g mix-up.

    Why is this bad?
    ----------------
    "12 g" and "12 kg" differ a thousandfold; emissions reported in the wrong
    unit make models incomparable and, when added up, distort a lab's footprint.

    Example
    -------
    RDF `co2_emitted: 0.35` (kg); card `- **Carbon Emitted:** 0.35 g CO2eq`.

    Use instead
    -----------
    `- **Carbon Emitted:** 0.35 kg CO2eq`
    """

    name = "co2-units"
    family = "consistency"
    severity = Severity.ERROR
    summary = "The card's carbon emitted disagrees with the RDF's (kg versus g)."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        item = _filled(card.field("environmental_impact", "carbon_emitted"))
        expected = r.get(r.bioimageio_config(card.rdf), "environmental_impact", "co2_emitted")
        if item is None or not isinstance(expected, (int, float)) or expected <= 0:
            return
        stated = card_co2_kg(item.value)
        if stated is None:
            return
        kg, unit = stated
        ratio = kg / expected
        if 0.95 <= ratio <= 1.05:
            return
        if 900 <= ratio <= 1100 or 1 / 1100 <= ratio <= 1 / 900:
            message = f"carbon emitted {item.value.strip()!r}: the RDF gives {expected:g} kg; {unit} looks like a kg/g mix-up"
        else:
            message = f"carbon emitted {item.value.strip()!r} is {kg:g} kg; the RDF gives {expected:g} kg"
        yield Violation(item.start, message)


_FORMAT = re.compile(r"\bmodel format (?:version )?v?(\d+\.\d+(?:\.\d+)?)", re.IGNORECASE)


class FormatVersionMismatch(Rule):
    """What it does
    ------------
    Compares the bioimage.io model format version the card states ("model
    format 0.5.12") with the RDF's `format_version` as written.

    Why is this bad?
    ----------------
    The format decides which consumer software can read the package. A card
    that states the spec library's version (0.5.12) for an RDF written as
    0.4.9 misleads anyone checking compatibility.

    Example
    -------
    RDF `format_version: 0.4.9`; card `bioimage.io model format 0.5.12`.

    Use instead
    -----------
    `bioimage.io model format 0.4.9 (read through bioimageio.spec's upgrade to 0.5.12)`
    """

    name = "format-version-mismatch"
    family = "consistency"
    severity = Severity.ERROR
    summary = "The card's model format version is not the RDF's `format_version`."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        written = r.format_version(card.rdf)
        item = _filled(card.field("software_dependencies", "bioimageio_compatibility"))
        if written is None or item is None:
            return
        match = _FORMAT.search(item.value)
        if match and not written.startswith(match.group(1)) and not match.group(1).startswith(written):
            yield Violation(item.start, f"the card says model format {match.group(1)}; the RDF is written "
                                        f"in format {written}")


def _spec_rows(card: CardContext) -> dict[tuple[str, str], dict[str, str]]:
    """(input or output, tensor id) -> {column header: cell} from the card's specification tables."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for kind, key in (("input", "input_specifications"), ("output", "output_specifications")):
        item = card.field("model_architecture_and_objective", key)
        if item is None:
            continue
        header: list[str] = []
        for line in item.value.splitlines():
            line = line.strip()
            if not line.startswith("|"):
                continue
            cells = [md_unescape(cell) for cell in table_cells(line)]
            if not header:
                header = [c.lower() for c in cells]
            elif not set(line) <= set("|-: "):
                tensor = cells[0].strip("`").strip() if cells else ""
                rows[(kind, tensor)] = dict(zip(header, cells))
    return rows


class TensorMismatch(Rule):
    """What it does
    ------------
    Compares the card's input and output specification tables with the
    RDF's tensors as written: the data range (a 0.4 `data_range`, a 0.5
    `data.range`, or the range of an 8- or 16-bit dtype), sizes that follow
    another tensor's axis at another scale (`= raw.y / 2`), and optional
    inputs (marked optional, and not passed in the get-started code).

    Why is this bad?
    ----------------
    These are what users feed the model with. "Unbounded" for a `uint8`
    input, "= raw.y" for an output half as large, or a required-looking
    optional prompt input make users prepare the wrong data.

    Example
    -------
    RDF input `data_range: [0.0, 255.0]`, `data_type: uint8`; card row
    `| input0 | ... | uint8 | unbounded | |`.

    Use instead
    -----------
    `| input0 | ... | uint8 | 0 to 255 | |`, as `bmzcard generate` writes it.
    """

    name = "tensor-mismatch"
    family = "consistency"
    severity = Severity.ERROR
    summary = "The card's tensor tables disagree with the RDF's tensors (range, scaled sizes, optional)."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        rows = _spec_rows(card)
        item = card.field("model_architecture_and_objective", "input_specifications")
        line = item.start if item is not None else 0
        for tensor in r.tensors(card.rdf, "inputs") + r.tensors(card.rdf, "outputs"):
            row = rows.get((tensor.kind, tensor.id))
            if row is None:
                continue
            stated = row.get("data range")
            expected = tensor.range_text()
            if stated is not None and stated.startswith("unbounded") and not expected.startswith("unbounded"):
                yield Violation(line, f"tensor `{tensor.id}`: the card says {stated!r}; the RDF bounds it: {expected}")
            axes = next((v for k, v in row.items() if k.startswith("axes")), "")
            for axis in tensor.axes:
                reference = axis.reference
                if reference is None or (reference.factor == 1 and not reference.offset):
                    continue
                plain = f"= {reference.tensor}.{reference.axis}"
                if re.search(re.escape(plain) + r"(?![ ]*[/×*+-])", axes):
                    yield Violation(line, f"tensor `{tensor.id}` axis {axis.id}: the card says {plain!r}; "
                                          f"the RDF's sizes give {reference.text()!r}")
            description = (row.get("description") or "").lower()
            if tensor.optional and "optional" not in description:
                yield Violation(line, f"input `{tensor.id}` is optional in the RDF; the card does not say so",
                                severity=Severity.WARNING)
        optional = [t.id for t in r.tensors(card.rdf, "inputs") if t.optional]
        for index, raw_line in enumerate(card.lines) if optional else ():
            for tensor in optional:
                if re.search(rf'predict\(.*"{re.escape(tensor)}":', raw_line):
                    yield Violation(index, f"the get-started code passes the optional input `{tensor}` as required",
                                    severity=Severity.WARNING)


class FrameworkClaim(Rule):
    """What it does
    ------------
    Reports a `Framework` field that calls a weight format the "training
    framework" when no other weight entry of the RDF names it as its
    `parent`, and a Keras version that is the entry's `tensorflow_version`.

    Why is this bad?
    ----------------
    The RDF shows which framework trained a model only through conversions
    (`parent`). Without one, "training framework" is a guess; and Keras
    HDF5 entries carry TensorFlow's version, not Keras'.

    Example
    -------
    Weights `onnx` and `torchscript` without `parent`; card
    `- **Framework:** PyTorch 1.10 (training framework)`.

    Use instead
    -----------
    `- **Framework:** ONNX opset 15; PyTorch (TorchScript) 1.10`
    """

    name = "framework-claim"
    family = "consistency"
    severity = Severity.WARNING
    summary = "The card claims a training framework or a Keras version the RDF does not show."
    needs_rdf = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        entries = r.weights(card.rdf)
        if not entries:
            return
        parents = any(entry.parent for entry in entries)
        keras = [e.version for e in entries if e.format == "keras_hdf5" and e.version]
        for section in ("training_hyperparameters", "software_dependencies"):
            item = _filled(card.field(section, "framework"))
            if item is None:
                continue
            if not parents and re.search(r"training framework", item.value, re.IGNORECASE):
                yield Violation(item.start, "'training framework' claimed, but no weight entry of the RDF names "
                                            "a parent it was converted from")
            for version in keras:
                if re.search(rf"\bKeras(?: \(HDF5\))?\s+{re.escape(version)}(?![\d.])", item.value):
                    yield Violation(item.start, f"Keras {version}: the RDF's keras_hdf5 entry gives "
                                                f"tensorflow_version {version}, TensorFlow's version")
