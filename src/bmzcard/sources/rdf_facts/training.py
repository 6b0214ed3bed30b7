"""Training: data, hyperparameters (the author's and tools' own configs), preprocessing, architecture."""

from __future__ import annotations

from typing import Any

from bmzcard.facts import Fact, FactSet, Provenance, from_rdf, md_code, md_prose
from bmzcard.sources.rdf_facts.common import authored, hours, kwargs_text, link, number, text
from bmzcard.sources.rdf_facts import written
from bmzcard.sources.rdf_facts.written import get

# Training settings that tools write under `config.<tool>`: card field -> paths tried in order.
TOOL_CONFIGS: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "stardist": {
        "epochs": (("config", "train_epochs"),),
        "batch_size": (("config", "train_batch_size"),),
        "learning_rate": (("config", "train_learning_rate"),),
        "loss_function": (("config", "train_dist_loss"),),
    },
    "careamics": {
        "epochs": (("training_config", "num_epochs"), ("training_config", "lightning_trainer_config", "max_epochs")),
        "batch_size": (("data_config", "batch_size"),),
        "learning_rate": (("algorithm_config", "optimizer", "parameters", "lr"),),
        "loss_function": (("algorithm_config", "loss"),),
        "optimizer": (("algorithm_config", "optimizer", "name"),),
    },
    "fiji": {
        "epochs": (("numEpochs",),),
        "batch_size": (("batchSize",),),
    },
    "cellpose": {
        "epochs": (("n_epochs",), ("train", "n_epochs")),
        "batch_size": (("batch_size",), ("train", "batch_size")),
        "learning_rate": (("learning_rate",), ("train", "learning_rate")),
    },
}
# Further settings of a tool worth naming in the card (StarDist's rays, grid, thresholds).
TOOL_DETAILS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "stardist": (("rays", ("config", "n_rays")), ("grid", ("config", "grid")),
                 ("patch size", ("config", "train_patch_size")),
                 ("probability threshold", ("thresholds", "prob")), ("NMS threshold", ("thresholds", "nms"))),
    "fiji": (("N2V neighborhood radius", ("neighborhoodRadius",)), ("patch size", ("patchDimLength",)),
             ("steps per epoch", ("numStepsPerEpoch",))),
    "careamics": (("algorithm", ("algorithm_config", "algorithm")), ("model", ("algorithm_config", "model", "architecture")),
                  ("patch size", ("data_config", "patch_size"))),
    "cellpose": (("diameter", ("diam_mean",)), ("model type", ("model_type",))),
    "deepimagej": (("tiling allowed", ("allow_tiling",)), ("pyramidal model", ("pyramidal_model",))),
}


def training_facts(description: Any, config, raw: dict, facts: FactSet) -> None:
    data = written.training_data(raw)
    if data is not None:
        if data.id:
            value = f"bioimage.io dataset {md_code(data.id)}"
        else:
            value = text(data.name or "inline dataset description") + (f", {link(data.source)}" if data.source else "")
        facts.add(from_rdf("training_data.source", value, "training_data"))
    settings = _tool_configs(raw, facts)
    training = authored(config, "training") or {}
    for key, name in (("epochs", "training_epochs"), ("batch_size", "training_batch_size"),
                      ("regularization", "regularization")):
        value = authored(training, name)
        if value is not None:
            facts.add(from_rdf(f"training_hyperparameters.{key}", number(value), f"config.bioimageio.training.{name}"))
    rate = authored(training, "initial_learning_rate")
    schedule = authored(training, "learning_rate_schedule")
    if rate is not None or schedule:
        value = ", ".join(filter(None, [f"initial {number(rate)}" if rate is not None else "", text(schedule)]))
        facts.add(from_rdf("training_hyperparameters.learning_rate", value,
                           "config.bioimageio.training.initial_learning_rate"))
    for name in ("loss_function", "optimizer"):
        value = authored(training, name)
        if value:
            kwargs = kwargs_text(authored(training, f"{name}_kwargs"))
            value_text = md_code(value) + (f" with {kwargs}" if kwargs else "")
            facts.add(from_rdf(f"training_hyperparameters.{name}", value_text, f"config.bioimageio.training.{name}"))
            if name == "loss_function":
                facts.add(from_rdf("model_architecture_and_objective.objective_function", value_text,
                                   "config.bioimageio.training.loss_function"))
    duration = authored(training, "training_duration")
    if duration is not None:
        facts.add(from_rdf("speeds_sizes_times.training_time", hours(duration),
                           "config.bioimageio.training.training_duration"))
    # Only the author's own words describe training data preparation; inference-time
    # steps (`ensure_dtype`, normalisation) are listed with the tensors instead.
    training_preprocessing = authored(training, "training_preprocessing")
    if training_preprocessing:
        facts.add(from_rdf("preprocessing", md_prose(training_preprocessing),
                           "config.bioimageio.training.training_preprocessing"))
    _architecture(description, config, settings, facts)


def _tool_configs(raw: dict, facts: FactSet) -> list[tuple[str, str]]:
    """Hyperparameters from tools' configs into their fields; other settings returned as (text, RDF path)."""
    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    for tool, fields in TOOL_CONFIGS.items():
        node = config.get(tool)
        if not isinstance(node, dict):
            continue
        for key, paths in fields.items():
            for path in paths:
                value = get(node, *path)
                if value is not None and not isinstance(value, (dict, list)):
                    facts.add(from_rdf(f"training_hyperparameters.{key}", f"{number(value)} ({tool} configuration)",
                                       f"config.{tool}." + ".".join(path)))
                    break
    details = []
    for tool, named in TOOL_DETAILS.items():
        node = config.get(tool)
        if not isinstance(node, dict):
            continue
        for label, path in named:
            value = get(node, *path)
            if value is not None and value != "":
                details.append((f"{label} {_value_text(value)} ({tool})", f"config.{tool}." + ".".join(path)))
    return details


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return "×".join(number(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return number(value)


def _architecture(description, config, settings: list[tuple[str, str]], facts: FactSet) -> None:
    architecture = authored(config, "architecture_description")
    architecture_type = authored(config, "architecture_type")
    implementation = _architecture_callable(description)
    parts = [text(architecture_type), text(architecture),
             f"implemented by the Python callable {md_code(implementation)}" if implementation else ""]
    sources = tuple(Provenance("rdf", path) for path in (
        "config.bioimageio.architecture_type" if architecture_type else "",
        "config.bioimageio.architecture_description" if architecture else "",
        "weights.pytorch_state_dict.architecture" if implementation else "") if path)
    value = "; ".join(p for p in parts if p)
    if value:
        facts.add(Fact("training_hyperparameters.architecture", value, sources))
    if settings:
        value = "; ".join(filter(None, [value, "settings: " + "; ".join(t for t, _ in settings)]))
        sources += tuple(Provenance("rdf", path) for _, path in settings)
    if value:
        facts.add(Fact("model_architecture_and_objective.architecture", value, sources))


def _architecture_callable(description) -> str | None:
    weights = getattr(description.weights, "pytorch_state_dict", None)
    if weights is None:
        return None
    architecture = getattr(weights, "architecture", None)
    name = getattr(architecture, "callable", None)
    if name is None:
        return " ".join(str(architecture).split()) or None
    module = getattr(architecture, "import_from", None)
    return f"{module}.{name}" if module else str(name)
