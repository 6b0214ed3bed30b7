"""Evaluation and impact: the author's evaluations, bias and risk sections, environmental impact, glossary."""

from __future__ import annotations

from typing import Any

from bmzcard.facts import Fact, FactSet, Provenance, from_rdf, md_code, md_prose, md_text
from bmzcard.sources.rdf_facts import written
from bmzcard.sources.rdf_facts.common import authored, bullets, get_field, hours, link, number, text


def card_section_facts(config) -> list[Fact]:
    facts = []
    out_of_scope = authored(config, "out_of_scope_use")
    if out_of_scope:
        facts.append(from_rdf("out_of_scope_use", md_prose(out_of_scope), "config.bioimageio.out_of_scope_use"))
    funded_by = authored(config, "funded_by")
    if funded_by:
        facts.append(from_rdf("model_description.funded_by", text(funded_by), "config.bioimageio.funded_by"))
    risks = authored(config, "bias_risks_limitations")
    for key, name in (("known_biases", "known_biases"), ("risks", "risks"), ("limitations", "limitations"),
                      ("recommendations", "recommendations")):
        value = authored(risks, name)
        if value:
            facts.append(from_rdf(key, md_prose(value), f"config.bioimageio.bias_risks_limitations.{name}"))
    return facts


def evaluation_facts(config) -> list[Fact]:
    evaluations = authored(config, "evaluations") or []
    if not evaluations:
        return []
    internal = [(i, e) for i, e in enumerate(evaluations) if get_field(e, "dataset_role") != "independent"]
    external = [(i, e) for i, e in enumerate(evaluations) if get_field(e, "dataset_role") == "independent"]
    facts = []
    if internal:
        where = tuple(Provenance("rdf", f"config.bioimageio.evaluations[{i}]") for i, _ in internal)
        sources, sizes, factors, metrics, tables, summaries = [], [], [], [], [], []
        for _, evaluation in internal:
            dataset = get_field(evaluation, "dataset_id")
            source = get_field(evaluation, "dataset_source")
            role = get_field(evaluation, "dataset_role")
            sources.append((link(source, dataset) if source else md_code(dataset)) + f" (dataset role: {md_text(role)})")
            sizes.append(f"{get_field(evaluation, 'sample_count')} evaluated samples")
            factors += [f"**{text(f)}**: {text(l)}" for f, l in zip(get_field(evaluation, "evaluation_factors") or [],
                                                                 get_field(evaluation, "evaluation_factors_long") or [])]
            metrics += [f"**{text(m)}**: {text(l)}" for m, l in zip(get_field(evaluation, "metrics") or [],
                                                                get_field(evaluation, "metrics_long") or [])]
            tables.append(results_table(evaluation))
            if get_field(evaluation, "results_summary"):
                summaries.append(md_prose(get_field(evaluation, "results_summary")))
        facts += [
            Fact("testing_data.source", "; ".join(sources), where),
            Fact("testing_data.size", "; ".join(sizes), where),
            Fact("factors", bullets(dict.fromkeys(factors)), where),
            Fact("metrics", bullets(dict.fromkeys(metrics)), where),
            Fact("quantitative_results", "\n\n".join(tables), where),
            Fact("summary", "\n\n".join(summaries), where),
        ]
    if external:
        blocks = []
        for _, evaluation in external:
            dataset = get_field(evaluation, "dataset_id")
            source = get_field(evaluation, "dataset_source")
            blocks.append(
                f"On {link(source, dataset) if source else text(dataset)} "
                f"({get_field(evaluation, 'sample_count')} samples, independent data):\n\n" + results_table(evaluation)
            )
        facts.append(Fact("validation_on_external_data", "\n\n".join(blocks),
                          tuple(Provenance("rdf", f"config.bioimageio.evaluations[{i}]") for i, _ in external)))
    return facts


def results_table(evaluation: Any) -> str:
    """The template's results table: one row per metric, one column per factor."""
    factors = [str(f) for f in get_field(evaluation, "evaluation_factors") or []]
    rows = ["| Metric | " + " | ".join(map(md_text, factors)) + " |", "|" + "---|" * (len(factors) + 1)]
    for metric, results in zip(get_field(evaluation, "metrics") or [], get_field(evaluation, "results") or []):
        rows.append(f"| {md_text(metric)} | " + " | ".join(text(r) for r in results) + " |")
    return "\n".join(rows)


def impact_facts(config) -> list[Fact]:
    impact = authored(config, "environmental_impact")
    facts = []
    for key, name, unit in (("hardware_type", "hardware_type", ""), ("hours_used", "hours_used", " hours"),
                            ("cloud_provider", "cloud_provider", ""), ("compute_region", "compute_region", ""),
                            ("carbon_emitted", "co2_emitted", " kg CO2eq")):
        value = authored(impact, name)
        if value is not None and value != "":
            value_text = hours(value) if key == "hours_used" and isinstance(value, (int, float)) else f"{number(value)}{unit}"
            facts.append(from_rdf(f"environmental_impact.{key}", value_text,
                                  f"config.bioimageio.environmental_impact.{name}"))
    return facts


# Terms a card may use -> their definition. Metrics are matched by their lower-case name.
GLOSSARY_TERMS = {
    "halo": "Pixels at the border of each output tile that the model cannot predict reliably; "
            "they are cropped when tiles are stitched.",
    "tiling": "Splitting a large image into overlapping tiles that fit in memory, predicting each, and "
              "stitching the results.",
    "batch": "The axis that stacks independent images processed together.",
    "channel": "The axis of an image's colour or stain channels (or a model's output classes).",
    "space": "A spatial axis (x, y or z) measured in pixels or physical units.",
    "time": "The axis of frames in a time series.",
    "index": "An axis of list entries that are neither space, time nor channels (e.g. rays or classes).",
}
METRIC_TERMS = {
    "iou": "Intersection over Union: overlap of prediction and ground truth divided by their union (0 to 1).",
    "dice": "Dice coefficient: twice the overlap divided by the sum of both areas (0 to 1).",
    "f1": "F1 score: the harmonic mean of precision and recall.",
    "precision": "The fraction of predicted objects or pixels that are correct.",
    "recall": "The fraction of true objects or pixels that are found.",
    "accuracy": "The fraction of correct predictions.",
    "ap": "Average precision: precision averaged over recall levels (or, for instances, TP / (TP + FP + FN) at an IoU threshold).",
    "map": "Mean average precision over classes or IoU thresholds.",
    "psnr": "Peak signal-to-noise ratio in dB: higher means closer to the ground truth.",
    "ssim": "Structural similarity index (-1 to 1): agreement of local structure with the ground truth.",
    "mse": "Mean squared error between prediction and ground truth.",
    "mae": "Mean absolute error between prediction and ground truth.",
    "panoptic_quality": "Panoptic quality: segmentation quality times recognition quality of matched instances.",
    "hausdorff": "Hausdorff distance: the largest distance from a boundary point to the other boundary.",
}


def glossary_facts(raw: dict, config, facts: FactSet) -> None:
    """The glossary of the terms this card uses: its metrics, halo, tiling, the axis types of its tensors."""
    entries: list[tuple[str, str]] = []
    where = []
    metric_names = []
    for evaluation in authored(config, "evaluations") or []:
        metric_names += [str(m) for m in get_field(evaluation, "metrics") or []]
    for metric in dict.fromkeys(metric_names):
        definition = METRIC_TERMS.get(metric.lower().replace(" ", "_").replace("-", "_"))
        if definition:
            entries.append((text(metric), definition))
            where.append("config.bioimageio.evaluations")
    tensors = written.tensors(raw, "inputs") + written.tensors(raw, "outputs")
    if any(axis.halo for tensor in tensors for axis in tensor.axes):
        entries += [("Halo", GLOSSARY_TERMS["halo"]), ("Tiling", GLOSSARY_TERMS["tiling"])]
        where.append("outputs[*].halo")
    for axis_type in dict.fromkeys(axis.type for tensor in tensors for axis in tensor.axes):
        if axis_type in GLOSSARY_TERMS:
            entries.append((f"{axis_type} axis", GLOSSARY_TERMS[axis_type]))
            where.append("inputs[*].axes")
    if entries:
        facts.add(Fact("glossary", bullets(f"**{term}:** {definition}" for term, definition in entries),
                       tuple(Provenance("rdf", w) for w in dict.fromkeys(where))))
