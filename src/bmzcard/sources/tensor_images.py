"""A package's test tensors as PNG images, for a card whose package shows no sample images.

bioimageio.spec's Hugging Face card writer does the same for its cards; this one
reads the axes as the RDF wrote them (`rdf_facts.written`), so the slice is
chosen by axis type, not guessed from the shape:

- the image plane is the last two space axes (`y`, `x`), every pixel, strided
  down to at most `MAX_SIDE` pixels a side;
- another space axis (`z`) at its middle; batch, time and index axes at 0;
- one image per channel, up to `MAX_CHANNELS` (the first ones), of a tensor with several;
- values min-max scaled to 0..255 over the slice's finite values (a constant
  slice is black), NaN and infinities black.

The bytes depend on the tensor only (Pillow writes no time stamp): an unchanged
package gives byte-identical images, which the output stage then leaves alone.
Tensors are read from package folders only, memory-mapped, without pickles.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np

from bmzcard.sources.package import Package
from bmzcard.sources.rdf_facts.written import Tensor

MAX_SIDE = 1024
MAX_CHANNELS = 3


@dataclass(frozen=True)
class TensorImage:
    """One rendered image of a test tensor."""

    name: str  # file name beside the card
    alt: str  # what it shows, plain text
    data: bytes  # PNG


def tensor_images(tensor: Tensor, package: Package, stem: str, index: int) -> list[TensorImage]:
    """PNG images of a tensor's test tensor; [] when it has none, it is not a readable `.npy`
    of the package, or its axes have no 2D image plane.

    `stem` is the card's file name without suffix: the images are `<stem>.test_<kind><index>_<id>[_c<n>].png`.
    """
    array = _read(tensor, package)
    if array is None or array.ndim != len(tensor.axes):
        return []
    planes = _planes(tensor, array.shape)
    if not planes:
        return []
    base = f"{_safe(stem)}.test_{tensor.kind}{index}_{_safe(tensor.id)}"
    channels = next((array.shape[i] for i, a in enumerate(tensor.axes) if a.type == "channel"), 1)
    images = []
    for channel, selection in planes:
        suffix = f"_c{channel}" if channel is not None else ""
        where = f", channel {channel} of {channels}" if channel is not None else ""
        images.append(TensorImage(f"{base}{suffix}.png", f"test {tensor.kind} {tensor.id}{where}",
                                  png_bytes(scaled_uint8(np.asarray(array[selection])))))
    return images


def _safe(name: str) -> str:
    """A name as file-name characters that need no escaping in a Markdown link."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:40]


def _read(tensor: Tensor, package: Package) -> np.ndarray | None:
    if tensor.test is None or package.is_zip or not tensor.test.lower().endswith(".npy"):
        return None
    path = (package.root / tensor.test).resolve()
    if not path.is_relative_to(package.root.resolve()) or not path.is_file():  # `../`, or a link out
        return None
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):  # not an .npy, or an object array
        return None
    return array if array.dtype.kind in "biuf" else None


def _planes(tensor: Tensor, shape: tuple[int, ...]) -> list[tuple[int | None, tuple]]:
    """(channel or None, index) of each 2D image to render."""
    space = [i for i, axis in enumerate(tensor.axes) if axis.type == "space"]
    if len(space) < 2 or any(shape[i] == 0 for i in range(len(shape))):
        return []
    plane = space[-2:]
    stride = max(1, -(-max(shape[i] for i in plane) // MAX_SIDE))
    channel_axis = next((i for i, a in enumerate(tensor.axes) if a.type == "channel"), None)
    several = channel_axis is not None and shape[channel_axis] > 1
    channels = list(range(min(shape[channel_axis], MAX_CHANNELS))) if several else [None]
    planes = []
    for channel in channels:
        selection = []
        for i, axis in enumerate(tensor.axes):
            if i in plane:
                selection.append(slice(None, None, stride))
            elif axis.type == "space":
                selection.append(shape[i] // 2)
            elif i == channel_axis:
                selection.append(channel or 0)
            else:
                selection.append(0)
        planes.append((channel, tuple(selection)))
    return planes


def scaled_uint8(values: np.ndarray) -> np.ndarray:
    """Min-max scaled to 0..255 over the finite values, rounded; non-finite values and a constant image 0."""
    values = values.astype(np.float64)
    finite = np.isfinite(values)
    result = np.zeros(values.shape, dtype=np.uint8)
    if not finite.any():
        return result
    low, high = values[finite].min(), values[finite].max()
    if high > low:
        result[finite] = np.rint((values[finite] - low) / (high - low) * 255).astype(np.uint8)
    return result


def png_bytes(image: np.ndarray) -> bytes:
    """A grey-level PNG of a 2D uint8 array."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG")
    return buffer.getvalue()
