"""Run a package's model on one image through ``bioimageio.core``.

The package's own pre- and postprocessing run as the RDF describes them. No
network is used and no Python code from the package is executed: weights must
be files inside the package, and ``pytorch_state_dict`` weights whose
architecture is a ``.py`` file of the package are refused unless the user
passes ``--allow-code``.

How an image is fed is decided per image and recorded: the whole image when
its size suits the model (padded by the output halo where that still fits),
otherwise tiles (``bioimageio.core``'s blocking); ``--tile N`` forces tiles.
A model whose output has no space or time axis (class scores) is never tiled:
the image is refused instead, as one tile's scores are not the image's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bmzcard.errors import BmzcardError
from bmzcard.sources.rdf_facts.tables import EVALUATED_FORMATS

#: Images with more pixels than this are tiled even when their size suits the model.
MAX_WHOLE_IMAGE_PIXELS = 4096 * 4096
_TASK_WORDS = ("instance-segmentation", "semantic-segmentation", "segmentation", "classification",
               "detection", "restoration", "denoising")


@dataclass(frozen=True)
class ModelSettings:
    """How to run the model; every field is recorded in the provenance.

    Attributes
    ----------
    package : str
        Package folder, RDF file or zip.
    weight_format : str or None
        A weight format of the package; None picks the first the package has of
        ``bmzcard.sources.rdf_facts.tables.EVALUATED_FORMATS`` (ONNX first).
    device : str
        ``"auto"`` (a GPU when bioimageio.core finds one), ``"cpu"`` or ``"cuda"``.
    tile : int or None
        bioimageio.core's block size parameter ``n``; None tiles only when needed.
    allow_code : bool
        Allow running an architecture's Python file from the package.
    """

    package: str
    weight_format: str | None = None
    device: str = "auto"
    tile: int | None = None
    allow_code: bool = False


def load_description(package_source: str | Path):
    """The package and its validated model description (no io, no network)."""
    from bmzcard.sources.package import open_package
    from bmzcard.sources.rdf import load_rdf

    package = open_package(package_source)
    loaded = load_rdf(package)
    if getattr(loaded.description, "type", None) != "model":
        raise BmzcardError("this RDF does not describe a model", path=package.display(), field="type")
    return package, loaded


def default_task(description: Any) -> str | None:
    """The task named by ``config.bioimageio.task`` or, failing that, the tags."""
    config = getattr(description, "config", None)
    bioimageio = getattr(config, "bioimageio", None) if config is not None else None
    if isinstance(config, dict):
        bioimageio = config.get("bioimageio")
    task = bioimageio.get("task") if isinstance(bioimageio, dict) else getattr(bioimageio, "task", None)
    candidates = [str(task)] if task else []
    candidates += [str(t) for t in getattr(description, "tags", None) or []]
    for candidate in candidates:
        word = "-".join(candidate.lower().replace("_", " ").split())
        if word in _TASK_WORDS:
            return word
    return None


class ModelRunner:
    """One loaded model; :meth:`predict` maps an image array to the output array.

    Parameters
    ----------
    settings : ModelSettings
    """

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings
        self.package, loaded = load_description(settings.package)
        self.description = loaded.description
        if str(getattr(self.description, "format_version", "")).split(".")[:2] != ["0", "5"]:
            raise BmzcardError("running the model needs an RDF that bioimageio.spec can read as format 0.5",
                               path=self.package.display())
        if len(self.description.inputs) != 1:
            raise BmzcardError(f"the model has {len(self.description.inputs)} inputs; evaluate supports "
                               "one input tensor", path=self.package.display(), field="inputs")
        self.input = self.description.inputs[0]
        self.output = self.description.outputs[0]
        self.weight_format = self._pick_weights()
        self._pipeline = None

    def channel_names(self) -> tuple[str, ...] | None:
        """Names of the output's channel axis (class names of a classifier), or None without one."""
        for axis in self.output.axes:
            if axis.type == "channel":
                return tuple(str(name) for name in axis.channel_names)
        return None

    # -- checks ---------------------------------------------------------------
    def _pick_weights(self) -> str:
        weights = self.description.weights
        present = [f for f in EVALUATED_FORMATS if getattr(weights, f, None) is not None]
        wanted = self.settings.weight_format
        if wanted is not None and wanted not in present:
            raise BmzcardError(f"the package has no {wanted} weights; it has {', '.join(present)}",
                               path=self.package.display(), field="weights")
        if wanted is None:
            runnable = [f for f in present if f != "pytorch_state_dict" or self._state_dict_allowed()]
            if not runnable:
                raise BmzcardError(self._code_refusal(), path=self.package.display(),
                                   field="weights.pytorch_state_dict.architecture")
            wanted = runnable[0]
        if wanted == "pytorch_state_dict" and not self._state_dict_allowed():
            raise BmzcardError(self._code_refusal(), path=self.package.display(),
                               field="weights.pytorch_state_dict.architecture")
        source = str(getattr(getattr(weights, wanted), "source", ""))
        if source.startswith(("http://", "https://")):
            raise BmzcardError(f"the {wanted} weights are a URL ({source}); evaluate uses no network: "
                               "download the package first", path=self.package.display(), field=f"weights.{wanted}")
        return wanted

    def _state_dict_allowed(self) -> bool:
        from bmzcard.sources.rdf import package_code

        return self.settings.allow_code or package_code(self.description, "pytorch_state_dict") is None

    @staticmethod
    def _code_refusal() -> str:
        from bmzcard.sources.rdf import CODE_CONSENT

        return f"the pytorch_state_dict architecture is Python code from the package; {CODE_CONSENT} (or choose other weights)"

    # -- running --------------------------------------------------------------
    @property
    def pipeline(self):
        """The bioimageio.core prediction pipeline, created on first use."""
        if self._pipeline is None:
            from bioimageio.core import create_prediction_pipeline

            devices = self.devices()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._pipeline = create_prediction_pipeline(
                        self.description, weight_format=self.weight_format, devices=devices)
            except Exception as error:  # noqa: BLE001 - backends raise their own types
                raise BmzcardError(f"cannot load the {self.weight_format} weights: "
                                   f"{' '.join(str(error).split())}", path=self.package.display()) from None
        return self._pipeline

    def devices(self) -> list[str] | None:
        """The device list bioimageio.core expects for these weights; None lets it choose.

        ONNX Runtime names devices by execution provider, so ``cpu`` must
        become ``CPUExecutionProvider``; otherwise bioimageio.core falls back
        to every available provider, a GPU included.
        """
        if self.settings.device == "auto":
            return None
        if self.weight_format == "onnx":
            return [{"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}[self.settings.device]]
        return [self.settings.device]

    def as_input(self, image: np.ndarray, where: Path) -> np.ndarray:
        """Arrange an image's axes as the model's input axes (batch and channel added)."""
        axes = list(self.input.axes)
        kinds = [a.type for a in axes]
        n_data = sum(k not in ("batch", "channel") for k in kinds)
        channels = next((a.size for a in axes if a.type == "channel"), None)
        array = np.asarray(image)
        if array.ndim == len(axes):  # already in the model's layout (e.g. a package's test tensor)
            return array
        if array.ndim == n_data + 1 and channels is not None:
            if array.shape[0] != channels and array.shape[-1] == channels:
                array = np.moveaxis(array, -1, 0)  # channel-last files (RGB PNG, most TIFFs)
            if array.shape[0] != channels:
                raise BmzcardError(f"image shape {image.shape} does not have the model's {channels} channel(s) "
                                   "first or last", path=where)
        elif array.ndim == n_data and (channels in (None, 1)):
            array = array[None] if channels == 1 else array
        else:
            raise BmzcardError(f"image shape {image.shape} does not fit the model input "
                               f"{''.join(a.type[0] for a in axes)} ({n_data} data axes"
                               f"{f', {channels} channel(s)' if channels else ''})", path=where)
        if "batch" in kinds:
            array = array[None]
        # the array's axes are now (batch, channel, data...): the model axis index of each, then reorder
        model_index = ([i for i, k in enumerate(kinds) if k == "batch"] + [i for i, k in enumerate(kinds) if k == "channel"]
                       + [i for i, k in enumerate(kinds) if k not in ("batch", "channel")])
        return np.transpose(array, np.argsort(model_index))

    def mode_for(self, shape: tuple[int, ...]) -> str:
        """``"whole"``, ``"whole-unpadded"`` or ``"tiled"`` for an input of this shape."""
        if self.settings.tile is not None:
            return "tiled"
        data = [(a, n) for a, n in zip(self.input.axes, shape) if a.type not in ("batch", "channel")]
        if int(np.prod([n for _, n in data])) > MAX_WHOLE_IMAGE_PIXELS:
            return "tiled"
        halo = self._input_halo()
        if all(_size_fits(a, n + 2 * halo.get(str(a.id), 0)) for a, n in data):
            return "whole"
        if all(_size_fits(a, n) for a, n in data):
            return "whole-unpadded"
        return "tiled"

    def _input_halo(self) -> dict[str, int]:
        halo: dict[str, int] = {}
        for axis in self.output.axes:
            size = getattr(axis, "size", None)
            if getattr(axis, "halo", 0) and str(getattr(size, "tensor_id", "")) == str(self.input.id):
                halo[str(size.axis_id)] = max(halo.get(str(size.axis_id), 0), int(axis.halo))
        return halo

    def predict(self, image: np.ndarray, where: Path) -> tuple[np.ndarray, str]:
        """The model output for one image, batch axis removed, and how it was fed.

        Returns
        -------
        output : ndarray
            The first output tensor without its batch axis; a channel axis of
            size 1 is removed too, larger ones stay first.
        mode : str
            See :meth:`mode_for`.
        """
        from bioimageio.core.digest_spec import create_sample_for_model

        array = self.as_input(image, where)
        mode = self.mode_for(array.shape)
        if mode == "tiled" and not any(a.type in ("space", "time") for a in self.output.axes):
            # bioimageio.core would return one tile's values (class scores of part of the image)
            reason = ("--tile was given" if self.settings.tile is not None else
                      f"the input shape {array.shape} does not suit the model or exceeds "
                      f"{MAX_WHOLE_IMAGE_PIXELS} pixels")
            raise BmzcardError(f"the model output {self.output.id} has no space or time axis, so the image "
                               f"cannot be run in tiles; {reason}", path=where)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sample = create_sample_for_model(self.description, inputs={self.input.id: array})
                if mode == "tiled":
                    result = self.pipeline.predict_sample_with_blocking(sample, ns=self.settings.tile)
                else:
                    unpadded = mode == "whole-unpadded"
                    result = self.pipeline.predict_sample_without_blocking(
                        sample, skip_input_padding=unpadded, skip_output_cropping=unpadded)
        except BmzcardError:
            raise
        except Exception as error:  # noqa: BLE001 - any backend failure is reported for this image
            raise BmzcardError(f"the model failed on this image ({mode}): {' '.join(str(error).split())}",
                               path=where) from None
        tensor = result.members[self.output.id]
        dims = [str(d) for d in tensor.dims]
        data = np.asarray(tensor.data)
        for name in ("batch", "channel"):
            if name in dims and data.shape[dims.index(name)] == 1:
                data = np.take(data, 0, axis=dims.index(name))
                dims.remove(name)
        if "batch" in dims:
            raise BmzcardError("the model returned several batch entries for one image", path=where)
        if "channel" in dims:
            data = np.moveaxis(data, dims.index("channel"), 0)
        return data, mode


def _size_fits(axis: Any, n: int) -> bool:
    size = getattr(axis, "size", None)
    if isinstance(size, int):
        return n == size
    if hasattr(size, "min") and hasattr(size, "step"):
        return n >= size.min and (n - size.min) % max(size.step, 1) == 0
    return True
