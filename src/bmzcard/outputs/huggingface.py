"""The Hugging Face Hub card of a model: its YAML header from the RDF, the card's Markdown below.

The header is built as `huggingface_hub` data (`ModelCardData`, one `EvalResult`
per metric and factor level) and written by `huggingface_hub` itself, never by
string formatting; every list whose order is not the author's is sorted, so the
bytes are the same on every run and under every `PYTHONHASHSEED`.

Mapping (RDF -> Hub header); what has no place on the Hub is returned as
`unmapped` for `--report`:

- `license` (SPDX): the Hub's id when the Hub knows it, else `license: other` with
  `license_name` (the SPDX id, lower case) and `license_link` (the SPDX page);
- `tags`: sorted, de-duplicated, plus `biology` and `bioimage-io`;
  `library_name`: the framework of the training weights (the format without `parent`);
- `config.bioimageio.task` (else the first tag naming a task) -> `pipeline_tag`;
- `training_data` and `parent` ids that are Hub ids (`huggingface/org/name` or a
  huggingface.co URL) -> `datasets`, `base_model`;
- `config.bioimageio.evaluations` -> `model-index`: one result per metric x factor
  level, dataset = `dataset_id`, config = the factor level, split = `dataset_role`,
  value = the mean (the leading number of `0.91 ± 0.03`; ± and n stay in the card's table,
  and each spread, n and the card's confidence intervals are listed in `unmapped`);
- `config.bioimageio.environmental_impact` -> `co2_eq_emissions`: `emissions` in grams
  (`co2_emitted` kg x 1000), `hardware_used`, `geographical_location`, `source`, and
  `training_type: fine-tuning` when the model has a parent;
- `bioimageio:` the zoo id, version, format version, task (the author's words) and
  the RDF's sha256, so that `import hf` knows where the card came from.

An RDF bioimageio.spec rejects is mapped from the RDF as written (no typed
description): the same header fields where the raw data has them, and
`as_written_body` for a card when the package has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from bmzcard.errors import BmzcardError
from bmzcard.facts import md_code, md_link, md_prose, md_text
from bmzcard.outputs.files import backup, write_bytes_atomic
from bmzcard.sources.huggingface import (
    ADDED_TAGS,
    NAMESPACE,
    decimal_scale,
    hub_licenses,
    hub_repo_id,
    pipeline_tag,
)
from bmzcard.sources.rdf import LoadedRdf
from bmzcard.sources.rdf_facts import authored, written
from bmzcard.sources.rdf_facts.tables import WEIGHT_FORMATS, spdx_licenses
from bmzcard.sources.readme import CardDocument

_CONFIDENCE_INTERVAL = re.compile(r"(?i:confidence interval)|\bCI\b")
_LEADING_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")
MAX_IMAGE_BYTES = 50_000_000


@dataclass
class HubCard:
    """The Hub repository's README.md and the images it links to."""

    text: str
    card: Any  # huggingface_hub.ModelCard
    unmapped: list[str] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # path in the repository -> content
    rejected: str | None = None  # bioimageio.spec's error when the card shows the RDF as written


def card_data(loaded: LoadedRdf, *, license_link: str | None = None):
    """The Hub header of a model as `huggingface_hub.ModelCardData`, and what could not be mapped.

    An RDF that bioimageio.spec rejects (`loaded.description` None) is mapped
    as written; the spec's error comes first in what could not be mapped.
    """
    from huggingface_hub import ModelCardData

    raw, description = loaded.raw, loaded.description
    unmapped: list[str] = []
    if loaded.rejected:
        unmapped.append(f"{loaded.rejected} (bioimageio.spec rejects this RDF; the Hub card is built from "
                        "the RDF as written)")
    config = _bioimageio_config(loaded, unmapped)
    values: dict[str, Any] = {}
    values.update(_license(raw.get("license"), license_link, unmapped))
    tags = sorted({str(t) for t in raw.get("tags") or [] if isinstance(t, (str, int, float))} | set(ADDED_TAGS))
    values["tags"] = tags
    library = _library_name(raw)
    if library:
        values["library_name"] = library
    task = authored(config, "task")
    pipeline = pipeline_tag(str(task)) if task else None
    if task and pipeline is None:
        unmapped.append(f"config.bioimageio.task: {task!r} has no Hugging Face pipeline tag")
    if not task:  # the first tag, in the author's order, that names a task
        pipeline = next((pipeline_tag(str(t)) for t in raw.get("tags") or [] if pipeline_tag(str(t))), None)
    if pipeline:
        values["pipeline_tag"] = pipeline
    values.update(_linked_resources(raw, unmapped))
    name = written.name(raw) or str(getattr(description, "name", None) or loaded.package.rdf_name)
    results = _eval_results(config, pipeline, unmapped)
    if results:
        values["model_name"] = name
        values["eval_results"] = results
    emissions = _emissions(config, has_parent=raw.get("parent") is not None, unmapped=unmapped)
    if emissions:
        values["co2_eq_emissions"] = emissions
    values[NAMESPACE] = _namespace(loaded, task)
    return ModelCardData(**values), unmapped


def hub_card(loaded: LoadedRdf, body: str, *, license_link: str | None = None,
             images: dict[str, bytes] | None = None) -> HubCard:
    """The Hub card: `huggingface_hub` writes the header, the card's Markdown follows it."""
    from huggingface_hub import ModelCard

    data, unmapped = card_data(loaded, license_link=license_link)
    if data.eval_results and _CONFIDENCE_INTERVAL.search(body):
        unmapped.append("model-index: the confidence intervals the card gives have no place in model-index "
                        "(it holds the means only); they stay in the card's text")
    card = ModelCard.from_template(data, template_str="---\n{{ card_data }}\n---\n")
    card.text = "\n" + body.lstrip("\n")
    return HubCard(str(card), card, unmapped, dict(images or {}), rejected=loaded.rejected)


def as_written_body(raw: dict[str, Any], title: str) -> str:
    """The Markdown of a model whose RDF bioimageio.spec rejects, from the RDF as its author wrote it.

    Name, description, authors, license, tags and web links, each escaped; no
    claim the RDF does not make, and nothing from the spec's reading of it.
    """
    lines = [f"# {md_text(written.name(raw) or title)}", ""]
    description = written.description(raw)
    if description:
        lines += [md_prose(description), ""]
    fields = []
    people = [md_text(p.plain_name or p.github_user) + (f" ({md_text(p.affiliation)})" if p.affiliation else "")
              for p in written.people(raw)]
    if people:
        fields.append("- **Authors:** " + "; ".join(people))
    license_id = written.license_id(raw)
    if license_id:
        known = spdx_licenses().get(license_id.lower())
        fields.append("- **License:** " + (md_link(known.reference, known.id) if known else md_code(license_id)))
    tags = list(dict.fromkeys(written.tags(raw)))
    if tags:
        fields.append("- **Tags:** " + ", ".join(md_code(t) for t in tags))
    lines += fields + ([""] if fields else [])
    links = written.web_links(raw)
    if links:
        lines += ["## Links", ""] + [f"- {md_link(link.url, link.label)}" for link in links] + [""]
    return "\n".join(lines)


def _bioimageio_config(loaded: LoadedRdf, unmapped: list[str]) -> Any:
    """`config.bioimageio` as bioimageio.spec's typed node (format 0.5), from the RDF as read or as written."""
    from bioimageio.spec.model.v0_5 import BioimageioConfig
    from pydantic import ValidationError

    config = getattr(loaded.description, "config", None)
    node = getattr(config, "bioimageio", None)
    if isinstance(node, BioimageioConfig):
        return node
    as_written = written.bioimageio_config(loaded.raw)
    if not as_written:
        return BioimageioConfig()
    try:
        return BioimageioConfig.model_validate(as_written)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        unmapped.append(f"config.bioimageio.{where}: {first['msg']}; card fields under config.bioimageio not exported")
        return BioimageioConfig()


def _license(license_id: Any, link: str | None, unmapped: list[str]) -> dict[str, str]:
    if not isinstance(license_id, str) or not license_id.strip():
        unmapped.append("license: the RDF names no license (or a license file); none on the Hub card")
        return {}
    hub_id = license_id.strip().lower()
    if hub_id in hub_licenses() and hub_id not in ("other", "unknown"):
        return {"license": hub_id}
    known = spdx_licenses().get(hub_id)
    values = {"license": "other", "license_name": hub_id.replace(" ", "-")}
    if link or known:
        values["license_link"] = link or known.reference
    else:
        unmapped.append(f"license: {license_id!r} is not an SPDX identifier, so no license_link is known; "
                        "pass --license-link")
    return values


def _library_name(raw: dict[str, Any]) -> str | None:
    """The Hub library of the training weights (the format without `parent`), else of the first format."""
    entries = written.weights(raw)
    names = [w.format for w in entries if w.parent is None] + [w.format for w in entries]
    return next((WEIGHT_FORMATS[n].hub_library for n in names if n in WEIGHT_FORMATS), None)


def _linked_resources(raw: dict[str, Any], unmapped: list[str]) -> dict[str, Any]:
    """`base_model` and `datasets` from `parent` and `training_data` as written (0.4 and 0.5 shapes)."""
    values: dict[str, Any] = {}
    parent = raw.get("parent")
    if parent is not None:
        reference = parent if isinstance(parent, str) else \
            written.get(parent, "id") or written.get(parent, "uri") or parent
        base = hub_repo_id(reference, "model")
        if base:
            values["base_model"] = base
        else:
            unmapped.append(f"parent: {reference!s} is not a Hugging Face model id; no base_model")
    training = raw.get("training_data")
    if training is not None:
        candidates = [written.get(training, key) for key in ("id", "source", "git_repo", "documentation")]
        found = next((hub_repo_id(c, "dataset") for c in candidates if c and hub_repo_id(c, "dataset")), None)
        if found:
            values["datasets"] = [found]
        else:
            label = written.get(training, "id") or written.get(training, "name") or "inline description"
            unmapped.append(f"training_data: {label!s} is not a Hugging Face dataset; no datasets")
    return values


def cell_mean(cell: Any) -> float | int | None:
    """The mean of a results cell: a number, or the leading number of `0.91 ± 0.03`."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return cell
    match = _LEADING_NUMBER.match(str(cell))
    if match is None:
        return None
    number = float(match.group(1))
    return int(number) if number.is_integer() and "." not in match.group(1) and "e" not in match.group(1).lower() \
        else number


def _metric_type(label: str) -> str:
    return re.sub(r"[^a-z0-9@.]+", "-", label.lower()).strip("-") or "metric"


def _eval_results(config: Any, pipeline: str | None, unmapped: list[str]) -> list[Any]:
    from huggingface_hub import EvalResult

    evaluations = authored(config, "evaluations") or []
    if evaluations and pipeline is None:
        unmapped.append("config.bioimageio.evaluations: no pipeline tag for the model's task, so no model-index "
                        "(the Hub needs a task type); the results stay in the card's table")
        return []
    results = []
    for index, evaluation in enumerate(evaluations):
        where = f"config.bioimageio.evaluations[{index}]"
        unmapped.append(f"{where}: dataset_source {evaluation.dataset_source}, sample_count "
                        f"{evaluation.sample_count}, evaluation_factors_long and metrics_long have no place "
                        "in model-index")
        if evaluation.results_summary:
            unmapped.append(f"{where}.results_summary: no place in model-index (it is in the card)")
        spreads = []  # what each cell says beyond its mean: "± 0.03", "(n=3)", an interval
        for metric, row in zip(evaluation.metrics, evaluation.results):
            for factor, cell in zip(evaluation.evaluation_factors, row):
                value = cell_mean(cell)
                if value is None:
                    unmapped.append(f"{where}: {metric} at {factor} is {cell!r}, not a number; not in model-index")
                    continue
                rest = _LEADING_NUMBER.sub("", str(cell), count=1).strip()
                if rest:
                    spreads.append(f"{metric} at {factor} {rest}")
                results.append(EvalResult(
                    task_type=pipeline,
                    dataset_type=str(evaluation.dataset_id),
                    dataset_name=str(evaluation.dataset_id),
                    dataset_config=str(factor),
                    dataset_split=str(evaluation.dataset_role),
                    metric_type=_metric_type(str(metric)),
                    metric_name=str(metric),
                    metric_value=value,
                ))
        left_out = [f"the spread beside each mean ({'; '.join(spreads)})"] if spreads else []
        left_out.append(f"n = {evaluation.sample_count} samples")
        unmapped.append(f"{where}.results: model-index holds the means only; left out: {', '.join(left_out)} "
                        "(they stay in the card's results table)")
    return results


def _emissions(config: Any, *, has_parent: bool, unmapped: list[str]) -> dict[str, Any]:
    impact = authored(config, "environmental_impact")
    if impact is None:
        return {}
    for name in ("hours_used", "cloud_provider"):
        value = authored(impact, name)
        if value is not None:
            unmapped.append(f"config.bioimageio.environmental_impact.{name}: {value} has no place in co2_eq_emissions")
    kg = authored(impact, "co2_emitted")
    if kg is None:  # the Hub's co2_eq_emissions requires `emissions`
        if authored(impact, "hardware_type") or authored(impact, "compute_region"):
            unmapped.append("config.bioimageio.environmental_impact: no co2_emitted, so no co2_eq_emissions "
                            "(hardware and region stay in the card)")
        return {}
    emissions: dict[str, Any] = {
        "emissions": decimal_scale(kg, 1000),
        "source": "bioimage.io RDF, config.bioimageio.environmental_impact",
    }
    if has_parent:
        emissions["training_type"] = "fine-tuning"
    region = authored(impact, "compute_region")
    if region:
        emissions["geographical_location"] = str(region)
    hardware = authored(impact, "hardware_type")
    if hardware:
        emissions["hardware_used"] = str(hardware)
    return emissions


def _namespace(loaded: LoadedRdf, task: Any) -> dict[str, str]:
    raw, description = loaded.raw, loaded.description
    values = {}
    model_id = raw.get("id") or getattr(description, "id", None)
    if model_id:
        values["id"] = str(model_id)
    version = raw.get("version") if raw.get("version") is not None else getattr(description, "version", None)
    if version is not None:
        values["version"] = str(version)
    format_version = written.format_version(raw) or getattr(description, "format_version", None)
    if format_version:
        values["format_version"] = str(format_version)
    if task:
        values["task"] = str(task)
    values["rdf_sha256"] = loaded.sha256
    return values


# --- images and files -------------------------------------------------------


def hub_body(document: CardDocument, read: Callable[[str], bytes | None]) -> tuple[str, dict[str, bytes], list[str]]:
    """The card's Markdown for the Hub: front matter dropped, local images collected.

    `read(target)` returns an image's bytes for a link target as written, or None
    when it cannot be read from the package. An image whose target is a plain
    relative path keeps it (copied to the same path in the repository); any other
    (`../`, absolute) is copied under `images/` and its link rewritten.
    """
    lines = list(document.lines[document.front_matter_end:])
    offset = document.front_matter_end
    images: dict[str, bytes] = {}
    notes: list[str] = []
    for link in document.links:
        target = link.target.strip()
        if link.kind != "image" or not target or _is_remote(target) or link.line < offset:
            continue
        content = read(target)
        if content is None:
            notes.append(f"image {target!r} (line {link.line + 1}) is not in the package; not copied")
            continue
        path = target.split("#", 1)[0].split("?", 1)[0]
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            new = _free_name(f"images/{pure.name or 'image'}", images)
            line = lines[link.line - offset]
            lines[link.line - offset] = line.replace(f"({link.target}", f"({new}").replace(
                f'"{link.target}"', f'"{new}"').replace(f"'{link.target}'", f"'{new}'")
            path = new
        images[str(PurePosixPath(path))] = content
    text = document.newline.join(lines)
    if document.trailing_newline:
        text += document.newline
    return text, images, notes


def _is_remote(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)) or target.startswith(("//", "#"))


def _free_name(name: str, taken: dict[str, bytes]) -> str:
    stem, dot, suffix = name.rpartition(".")
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}.{suffix}" if dot else f"{name}-{number}"
    return candidate


def write_folder(out_dir: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write files (relative path -> text or bytes) into `out_dir`, never outside it.

    `out_dir` (a Hub repository's folder) and its subfolders are created as the
    files need them; a missing parent of `out_dir` is an error (a mistyped path).

    Every path is checked before anything is written; each file is written
    atomically, and a file that exists with other content is backed up first.
    """
    root = out_dir.resolve()
    targets: list[tuple[Path, str | bytes]] = []
    for relative, content in sorted(files.items()):
        pure = PurePosixPath(relative)
        target = root.joinpath(*pure.parts)
        if pure.is_absolute() or ".." in pure.parts or not target.resolve().is_relative_to(root):
            raise BmzcardError("this path leads outside the output folder", path=out_dir, field=relative)
        if target.is_dir():
            raise BmzcardError("is a folder; cannot write a file there", path=target)
        targets.append((target, content))
    if not root.parent.is_dir():  # the repository folder is made for the files, never its parents
        raise BmzcardError(f"cannot write: the folder {root.parent} does not exist", path=out_dir)
    for target, _ in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for target, content in targets:
        data = content.encode("utf-8") if isinstance(content, str) else content
        if target.is_file():
            if target.read_bytes() == data:
                written.append(target)
                continue
            backup(target)
        write_bytes_atomic(target, data)
        written.append(target)
    return written


def fragment_text(fields: dict[str, Any], *, source: str, lossy: list[str]) -> str:
    """RDF fields recovered by `import hf` as a YAML fragment, with a comment saying where they came from."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(fields or {}, stream)
    head = [f"# RDF fields read from the Hugging Face card {source} by `bmzcard import hf`.",
            "# Merge them into the package's rdf.yaml (card fields go under config.bioimageio)."]
    if lossy:
        head.append("# Not carried over (see `bmzcard import hf --report`): " + str(len(lossy)) + " items.")
    return "\n".join(head) + "\n" + stream.getvalue()
