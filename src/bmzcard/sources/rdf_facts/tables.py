"""What bmzcard knows about RDF vocabularies: one table per kind of knowledge.

`generate` (writing facts) and `check` (comparing a card with its RDF) read
these same tables, so both give one answer to "which framework is this?",
"is this axis time?" or "which modality does this tag name?".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class WeightFormat:
    """A weight format of the RDF's `weights` mapping."""

    label: str  # as the card names it
    framework: str  # the family that runs it: pytorch, tensorflow, onnx
    version_field: str | None  # the entry's version field
    version_of: str  # what that version is the version of
    hub_library: str  # the Hugging Face Hub's `library_name` of the library that loads it
    evaluated: bool = False  # bioimageio.core runs it, so `evaluate` can
    measured: bool = False  # bmzcard counts its parameters from the file and `measure` times it


# Every weight format of format 0.3-0.5, with the framework its version field belongs to, in the
# order bmzcard runs them when the user chooses none: ONNX needs neither torch nor package code.
# Keras HDF5 entries carry `tensorflow_version`: the version is TensorFlow's, not Keras'.
WEIGHT_FORMATS: dict[str, WeightFormat] = {
    "onnx": WeightFormat("ONNX", "onnx", "opset_version", "ONNX opset", "onnx", evaluated=True, measured=True),
    "torchscript": WeightFormat("PyTorch (TorchScript)", "pytorch", "pytorch_version", "PyTorch", "pytorch",
                                evaluated=True, measured=True),
    "pytorch_state_dict": WeightFormat("PyTorch (state dict)", "pytorch", "pytorch_version", "PyTorch", "pytorch",
                                       evaluated=True, measured=True),
    "tensorflow_saved_model_bundle": WeightFormat("TensorFlow (SavedModel)", "tensorflow", "tensorflow_version",
                                                  "TensorFlow", "tf", evaluated=True),
    "keras_v3": WeightFormat("Keras 3", "tensorflow", "keras_version", "Keras", "keras", evaluated=True),
    "keras_hdf5": WeightFormat("Keras (HDF5)", "tensorflow", "tensorflow_version", "TensorFlow", "keras",
                               evaluated=True),
    "tensorflow_js": WeightFormat("TensorFlow.js", "tensorflow", "tensorflow_version", "TensorFlow", "tfjs"),
    "pytorch_script": WeightFormat("PyTorch (TorchScript)", "pytorch", "pytorch_version", "PyTorch",  # format 0.3
                                   "pytorch"),
}
# The formats `evaluate` and `measure` can run, most preferred first.
EVALUATED_FORMATS = tuple(name for name, known in WEIGHT_FORMATS.items() if known.evaluated)
MEASURED_FORMATS = tuple(name for name, known in WEIGHT_FORMATS.items() if known.measured)


def weight_format_label(name: str) -> str:
    """The card's name of a weight format; the format's own key where bmzcard does not know it."""
    known = WEIGHT_FORMATS.get(name)
    return known.label if known else name


@dataclass(frozen=True)
class SpdxLicense:
    id: str  # as SPDX spells it: `CC-BY-4.0`
    name: str  # `Creative Commons Attribution 4.0 International`
    reference: str  # its SPDX page


@lru_cache(maxsize=1)
def spdx_licenses() -> dict[str, SpdxLicense]:
    """SPDX licenses by lower-case id, from bioimageio.spec's offline copy (the list the spec checks `license` with)."""
    from bioimageio.spec.utils import get_spdx_licenses

    return {entry["licenseId"].lower(): SpdxLicense(entry["licenseId"], entry["name"], entry["reference"])
            for entry in get_spdx_licenses()["licenses"]}


# Framework families as a card names them.
FRAMEWORK_NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "onnx": "ONNX"}

# Format 0.3/0.4 writes axes as letters ("bcyx"); format 0.5 names their types.
AXIS_LETTER_TYPES = {"b": "batch", "c": "channel", "i": "index", "t": "time", "x": "space", "y": "space", "z": "space"}
# Format 0.5's default axis id per axis type, where the RDF leaves `id` out.
AXIS_DEFAULT_IDS = {"batch": "batch", "channel": "channel", "index": "index", "time": "time", "space": "x"}
AXIS_TYPES = ("batch", "channel", "index", "space", "time")

# Length units of axis scales -> micrometres per unit.
LENGTH_UNITS_UM = {
    "nanometer": 1e-3, "nm": 1e-3,
    "micrometer": 1.0, "micron": 1.0, "µm": 1.0, "μm": 1.0, "um": 1.0,
    "millimeter": 1e3, "mm": 1e3,
    "angstrom": 1e-4, "å": 1e-4,
    "centimeter": 1e4, "meter": 1e6,
}

# --- tag vocabularies: tag (lower case) -> the term a card writes ---------------

ARCHITECTURE_TAGS = {
    "unet": "U-Net", "u-net": "U-Net", "unet2d": "2D U-Net", "unet3d": "3D U-Net", "3d-unet": "3D U-Net",
    "3d unet": "3D U-Net", "stardist": "StarDist", "cellpose": "Cellpose", "resnet": "ResNet",
    "transformer": "Transformer", "vit": "Vision Transformer", "care": "CARE", "n2v": "Noise2Void",
    "noise2void": "Noise2Void", "deepstorm": "Deep-STORM", "mask-rcnn": "Mask R-CNN", "yolo": "YOLO",
    "inception": "Inception", "densenet": "DenseNet", "efficientnet": "EfficientNet", "hovernet": "HoVer-Net",
    "fru-net": "FRU-Net", "pix2pix": "pix2pix", "gan": "GAN", "cyclegan": "CycleGAN", "sam": "Segment Anything",
    "segment-anything": "Segment Anything", "efficientsam": "EfficientSAM", "plantseg": "PlantSeg U-Net",
    "hpa-densenet": "DenseNet", "deepbacs": "DeepBacs", "splinedist": "SplineDist", "fnet": "F-Net",
    "resunet": "Residual U-Net", "resunet++": "ResUNet++", "resunet-se": "Residual U-Net with SE blocks",
    "unetr": "UNETR", "attention-unet": "Attention U-Net", "multiresunet": "MultiResUNet", "seunet": "SE U-Net",
    "maskrcnn": "Mask R-CNN", "resnet-18": "ResNet-18", "inception-v3": "Inception-v3", "densenet-121": "DenseNet-121",
    "3dunet": "3D U-Net", "unext-v1": "U-NeXt", "unext-v2": "U-NeXt v2", "hrnet48": "HRNet-48", "wgan": "Wasserstein GAN",
    "deepwater": "DeepWater", "usiigaci": "Usiigaci", "n2v2": "Noise2Void 2", "structn2v": "StructN2V",
    "frunet": "FRU-Net", "detectron2": "Detectron2", "hylfm": "HyLFM-Net",
}
TASK_TAGS = {
    "instance-segmentation": "instance segmentation", "semantic-segmentation": "semantic segmentation",
    "segmentation": "segmentation", "classification": "classification", "image-classification": "classification",
    "detection": "detection", "object-detection": "object detection", "denoising": "denoising",
    "restoration": "image restoration", "image-restoration": "image restoration",
    "super-resolution": "super-resolution", "deconvolution": "deconvolution",
    "image-reconstruction": "image reconstruction", "image-translation": "image-to-image translation",
    "virtual-staining": "virtual staining", "boundary-prediction": "boundary prediction",
    "pixel-classification": "pixel classification", "regression": "regression", "tracking": "tracking",
    "localization": "localization", "smlm": "single-molecule localization",
    "cell-segmentation": "cell segmentation", "nucleus-segmentation": "nucleus segmentation",
    "nuclei-segmentation": "nucleus segmentation", "affinity-prediction": "affinity prediction",
    "boundary-segmentation": "boundary segmentation", "2d-segmentation": "segmentation",
    "image-segmentation": "segmentation", "image-to-image": "image-to-image translation",
    "spot-detection": "spot detection", "upsampling": "upsampling",
}
STRUCTURE_TAGS = {
    "nuclei": "nuclei", "nucleus": "nuclei", "cells": "cells", "cell": "cells", "membrane": "membranes",
    "membranes": "membranes", "cell-membrane": "membranes", "mitochondria": "mitochondria",
    "organelles": "organelles", "vesicles": "vesicles", "neurons": "neurons", "axons": "axons",
    "synapses": "synapses", "tissue": "tissue", "blood vessels": "blood vessels", "vessels": "blood vessels",
    "cytoplasm": "cytoplasm", "chromosomes": "chromosomes", "actin": "actin", "microtubules": "microtubules",
    "endoplasmic-reticulum": "endoplasmic reticulum", "er": "endoplasmic reticulum", "golgi": "Golgi apparatus",
    "lysosomes": "lysosomes", "peroxisomes": "peroxisomes", "nucleoli": "nucleoli", "cilia": "cilia",
    "extracellular-vesicles": "extracellular vesicles", "bacteria": "bacteria", "glioblastoma": "glioblastoma cells",
    "skin-lesion": "skin lesions", "boundaries": "cell boundaries", "cell-boundaries": "cell boundaries",
    "skin-lesions": "skin lesions", "glioblastoma-cells": "glioblastoma cells", "ovules": "ovules",
    "exosomes": "exosomes", "stem-cells": "stem cells", "pancreatic-stem-cells": "pancreatic stem cells",
    "neurites": "neurites", "embryo": "embryos", "lateral-root": "lateral roots", "macrophage": "macrophages",
    "fibroblasts": "fibroblasts", "epithelial-cells": "epithelial cells", "diffraction-limited-spots": "spots",
    "hela-cells": "HeLa cells", "hela": "HeLa cells", "cyst": "cysts", "brain": "brain tissue",
}
ORGANISM_TAGS = {
    "arabidopsis": "Arabidopsis thaliana", "arabidopsis-thaliana": "Arabidopsis thaliana",
    "platynereis": "Platynereis dumerilii", "mouse": "mouse", "human": "human", "drosophila": "Drosophila",
    "zebrafish": "zebrafish", "c-elegans": "C. elegans", "c.elegans": "C. elegans", "yeast": "yeast",
    "e-coli": "E. coli", "e.coli": "E. coli", "plant": "plants", "plants": "plants", "rat": "rat",
    "bacillus-subtilis": "Bacillus subtilis", "mouse-embryo": "mouse",
}
# Modality tag -> (the card's term, its group; "" for a generic term that agrees with any). Two groups in one model's tags or
# between tags and description are a disagreement the author must settle.
MODALITY_TAGS = {
    "fluorescence": ("fluorescence microscopy", "fluorescence"),
    "fluorescence-light-microscopy": ("fluorescence light microscopy", "fluorescence"),
    "fluorescence-microscopy": ("fluorescence microscopy", "fluorescence"),
    "electron-microscopy": ("electron microscopy", "electron"), "em": ("electron microscopy", "electron"),
    "sem": ("scanning electron microscopy", "electron"), "tem": ("transmission electron microscopy", "electron"),
    "fib-sem": ("FIB-SEM", "electron"), "fibsem": ("FIB-SEM", "electron"), "sbem": ("serial block-face EM", "electron"),
    "serial-block-face-em": ("serial block-face EM", "electron"), "cryo-em": ("cryo-electron microscopy", "electron"),
    "cryo-et": ("cryo-electron tomography", "electron"), "sstem": ("serial-section TEM", "electron"),
    "brightfield": ("brightfield microscopy", "brightfield"), "bright-field": ("brightfield microscopy", "brightfield"),
    "phase-contrast": ("phase contrast microscopy", "phase contrast"),
    "dic": ("differential interference contrast", "DIC"),
    "histology": ("histology", "histology"), "histopathology": ("histopathology", "histology"),
    "he": ("H&E histology", "histology"), "h&e": ("H&E histology", "histology"),
    "light-microscopy": ("light microscopy", ""), "x-ray": ("X-ray imaging", "X-ray"),
    "mri": ("MRI", "MRI"), "ct": ("CT", "CT"), "dermoscopy": ("dermoscopy", "dermoscopy"),
    "immunofluorescence": ("immunofluorescence microscopy", "fluorescence"),
    "light-sheet-fluorescence-microscopy": ("light-sheet fluorescence microscopy", "fluorescence"),
    "transmission-light-microscopy": ("transmitted light microscopy", "transmitted"),
    "whole-slide-imaging": ("whole-slide imaging", "histology"), "digital-pathology": ("digital pathology", "histology"),
    "pathology": ("pathology", "histology"), "hne": ("H&E histology", "histology"),
}
TECHNIQUE_TAGS = {
    "confocal": "confocal", "widefield": "widefield", "light-sheet": "light-sheet", "lightsheet": "light-sheet",
    "light-sheet-microscopy": "light-sheet", "super-resolution microscopy": "super-resolution microscopy",
    "smlm": "single-molecule localization microscopy", "sted": "STED", "two-photon": "two-photon",
    "spinning-disk": "spinning disk", "tirf": "TIRF", "serial-section": "serial section", "airyscan": "Airyscan",
    "sim": "structured illumination", "expansion-microscopy": "expansion microscopy",
    "confocal-microscopy": "confocal", "light-field-microscopy": "light-field",
    "super-resolution-microscopy": "super-resolution microscopy", "light-sheet-fluorescence-microscopy": "light-sheet",
    "label-free": "label-free",
}


def tag_key(tag: object) -> str:
    """A tag as the vocabularies spell it: lower case, words joined by `-` ("Instance Segmentation")."""
    return "-".join(str(tag).lower().replace("_", " ").split())


# Words of a model's name or description that name a modality group, to catch
# tags and description disagreeing ("fluorescence" tags on a brightfield model).
MODALITY_WORDS = {
    "fluorescence": ("fluorescence", "fluorescent"),
    "electron": ("electron microscopy", " em ", "fib-sem", "sem ", "tem ", "sbem"),
    "brightfield": ("brightfield", "bright-field", "bright field"),
    "phase contrast": ("phase contrast", "phase-contrast"),
    "DIC": ("differential interference contrast",),
    "histology": ("histology", "histopatholog", "h&e", "hematoxylin"),
    "transmitted": ("transmitted light", "transmission light"),
}
# Groups that describe one kind of image: no disagreement between them.
COMPATIBLE_MODALITIES = ({"brightfield", "transmitted"}, {"phase contrast", "transmitted"}, {"DIC", "transmitted"})
