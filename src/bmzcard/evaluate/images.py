"""Read evaluation images: ``.npy``, ``.tif``/``.tiff``, ``.png`` and (OME-)Zarr.

Two entry points: :func:`image_shape` reads only the header, so the whole
manifest is checked in seconds before any model runs; :func:`read_image`
loads the pixels and refuses NaN and infinite values, naming the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bmzcard.errors import BmzcardError

SUFFIXES = (".npy", ".tif", ".tiff", ".png", ".zarr")
#: Largest image decoded into memory from a compressed file (PNG, compressed TIFF), judged
#: from its header before decoding: a 1 MB file can claim gigabytes of pixels.
MAX_DECODED_BYTES = 4 * 1024**3
_PNG_BYTES = {"I": 4, "F": 4}  # bytes per band of Pillow's modes beyond 8 bits (I;16 reads as I)


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BmzcardError(f"unsupported image format {suffix or '(no extension)'!r}; "
                           f"use one of {', '.join(SUFFIXES)}", path=path)
    return ".tif" if suffix == ".tiff" else suffix


def _check_npy(path: Path) -> None:
    """numpy reports a non-.npy file as "pickled data"; say what is actually wrong."""
    with open(path, "rb") as stream:
        if stream.read(6) != b"\x93NUMPY":
            raise BmzcardError("not a .npy file (no NumPy header)", path=path)


def image_shape(path: Path) -> tuple[int, ...]:
    """The array shape of an image file, reading its header only.

    Raises
    ------
    BmzcardError
        If the file cannot be read as an image, has no pixels, or would decode
        to more than `MAX_DECODED_BYTES`.
    """
    return _header(path)[0]


def _header(path: Path) -> tuple[tuple[int, ...], bool]:
    """Shape from the header, and whether reading the pixels means decoding them all into memory."""
    kind = _kind(path)
    try:
        if kind == ".npy":  # read as stored: the file's size is the memory's
            _check_npy(path)
            shape, itemsize, decoded = tuple(np.load(path, mmap_mode="r", allow_pickle=False).shape), 1, False
        elif kind == ".tif":
            import tifffile

            with tifffile.TiffFile(path) as tif:
                series = tif.series[0]
                shape, itemsize = tuple(series.shape), series.dtype.itemsize
                decoded = series.dataoffset is None  # compressed, tiled or scattered: decoded whole
        elif kind == ".png":
            from PIL import Image

            with Image.open(path) as image:
                bands = len(image.getbands())
                shape = (image.height, image.width) + ((bands,) if bands > 1 else ())
                itemsize, decoded = _PNG_BYTES.get(image.mode.split(";")[0] if image.mode.startswith("I;") else image.mode, 1), True
        else:
            shape, itemsize, decoded = tuple(_zarr_array(path).shape), 1, False  # read chunk by chunk
    except BmzcardError:
        raise
    except Exception as error:  # noqa: BLE001 - every reader has its own exception types
        raise BmzcardError(f"cannot read the image: {_reason(error)}", path=path) from None
    if not shape or 0 in shape:
        raise BmzcardError(f"the image has no pixels (shape {shape})", path=path)
    size = int(np.prod(shape, dtype=np.float64)) * itemsize
    if decoded and size > MAX_DECODED_BYTES:
        raise BmzcardError(f"its header says {size:,} bytes of pixels, more than the {MAX_DECODED_BYTES:,} bmzcard "
                           "decodes from a compressed file; store it as .npy, uncompressed TIFF or Zarr (read in "
                           "slabs)", path=path)
    return shape, decoded


def read_image(path: Path) -> np.ndarray:
    """Load an image's pixels as a numpy array.

    Raises
    ------
    BmzcardError
        If the file cannot be read, has no pixels, would decode to more than
        `MAX_DECODED_BYTES`, or holds NaN or infinite values.
    """
    kind = _kind(path)
    _header(path)  # no pixels, or too many to decode: refused before decoding
    try:
        if kind == ".npy":
            _check_npy(path)
            array = np.load(path, allow_pickle=False)
        elif kind == ".tif":
            import tifffile

            array = tifffile.imread(path)
        elif kind == ".png":
            from PIL import Image

            with Image.open(path) as image:
                array = np.asarray(image)
        else:
            array = np.asarray(_zarr_array(path))
    except BmzcardError:
        raise
    except Exception as error:  # noqa: BLE001 - every reader has its own exception types
        raise BmzcardError(f"cannot read the image: {_reason(error)}", path=path) from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise BmzcardError(f"not a numeric image (dtype {array.dtype})", path=path)
    if np.issubdtype(array.dtype, np.inexact):
        bad = ~np.isfinite(array)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise BmzcardError(f"{int(bad.sum())} NaN or infinite values, the first at index {where}",
                               path=path)
    return array


def open_lazy(path: Path):
    """The image as an array read only where sliced: a memory-mapped ``.npy``
    or uncompressed TIFF, or a Zarr array; None for files that must be read
    whole (compressed or tiled TIFF, PNG).

    Raises
    ------
    BmzcardError
        If the file cannot be opened, or is not numeric.
    """
    kind = _kind(path)
    if kind not in (".npy", ".zarr", ".tif"):
        return None
    try:
        if kind == ".npy":
            _check_npy(path)
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        elif kind == ".tif":
            array = _tiff_memmap(path)
            if array is None:
                return None
        else:
            array = _zarr_array(path)
    except BmzcardError:
        raise
    except Exception as error:  # noqa: BLE001 - every reader has its own exception types
        raise BmzcardError(f"cannot read the image: {_reason(error)}", path=path) from None
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise BmzcardError(f"not a numeric image (dtype {array.dtype})", path=path)
    return array


def _tiff_memmap(path: Path):
    """The first series of a TIFF file mapped into memory, or None where its
    pixels are not stored uncompressed in one contiguous block."""
    import tifffile

    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        if series.dataoffset is None:  # compressed, tiled or scattered pages
            return None
        shape, dtype = series.shape, series.dtype
    array = tifffile.memmap(path, mode="r")
    return array if array.shape == shape and array.dtype == dtype else None


def _zarr_array(path: Path):
    """The full-resolution array of a Zarr array or OME-Zarr image group."""
    try:
        import zarr
    except ImportError:
        raise BmzcardError("reading Zarr needs the zarr package: pip install 'bmzcard[zarr]'", path=path) from None
    node = zarr.open(str(path), mode="r")
    if hasattr(node, "shape"):
        return node
    attributes = dict(node.attrs)
    multiscales = attributes.get("multiscales") or attributes.get("ome", {}).get("multiscales")
    if not multiscales:
        raise BmzcardError("a Zarr group without OME 'multiscales' metadata; point to the array itself",
                           path=path)
    return node[multiscales[0]["datasets"][0]["path"]]


def _reason(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__
