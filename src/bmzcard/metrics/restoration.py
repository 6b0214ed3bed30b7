"""Image restoration metrics: PSNR, SSIM, NRMSE and CARE normalization.

Every metric takes an explicit ``data_range`` (the value span the images
are meant to cover); guessing it from the dtype or from the data makes the
numbers incomparable between models. :func:`care_normalize` brings ground
truth and prediction to a common scale first, as CARE's evaluation does;
after it a ``data_range`` of 1.0 is appropriate.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from . import _threads
from ._checks import MetricInputError, check_pair, check_positive

__all__ = [
    "care_normalize",
    "mean_squared_error",
    "nrmse",
    "psnr",
    "ssim",
]


def _check_range(data_range) -> float:
    if data_range is None:
        raise MetricInputError(
            "data_range",
            "data_range is required (the span of values the images cover, e.g. 1.0 "
            "after care_normalize, 255 for 8-bit data); it is never guessed",
        )
    return check_positive(data_range, "data_range")


def mean_squared_error(ground_truth, prediction) -> float:
    """Mean of the squared differences, in float64."""
    gt, pred = check_pair(ground_truth, prediction, kind="intensity")
    diff = gt.astype(np.float64) - pred.astype(np.float64)
    return float(np.mean(diff * diff))


def psnr(ground_truth, prediction, *, data_range) -> float:
    """Peak signal-to-noise ratio in dB.

    Parameters
    ----------
    ground_truth, prediction : array_like
        Images of the same shape.
    data_range : float
        The span of the values (e.g. 1.0 after :func:`care_normalize`).

    Returns
    -------
    float
        ``10 log10(data_range² / MSE)``; ``inf`` for identical images.

    Raises
    ------
    MetricInputError
        If shapes differ, values are not finite, or ``data_range`` is
        missing or not positive.

    Notes
    -----
    Same formula as :func:`skimage.metrics.peak_signal_noise_ratio`.
    """
    gt, pred = check_pair(ground_truth, prediction, kind="intensity")
    data_range = _check_range(data_range)
    mse = mean_squared_error(gt, pred)
    if mse == 0:
        return float("inf")
    return float(10 * np.log10(data_range**2 / mse))


def nrmse(ground_truth, prediction, *, data_range) -> float:
    """Root-mean-square error divided by ``data_range``.

    Returns
    -------
    float
        ``sqrt(MSE) / data_range``; 0.0 for identical images.

    Notes
    -----
    Equals :func:`skimage.metrics.normalized_root_mse` with
    ``normalization="min-max"`` when ``data_range`` is the ground truth's
    max - min (scikit-image's default, ``"euclidean"``, divides by the
    ground truth's root mean square instead).
    """
    gt, pred = check_pair(ground_truth, prediction, kind="intensity")
    data_range = _check_range(data_range)
    return float(np.sqrt(mean_squared_error(gt, pred)) / data_range)


def care_normalize(ground_truth, prediction, *, low: float = 0.1, high: float = 99.9):
    """CARE-style normalization of a ground truth / prediction pair.

    Parameters
    ----------
    ground_truth, prediction : array_like
        Images of the same shape.
    low, high : float
        Percentiles mapped to 0 and 1; default 0.1 and 99.9.

    Returns
    -------
    ground_truth, prediction : ndarray of float64
        The ground truth percentile-normalized; the prediction
        percentile-normalized and then affinely fitted to it.

    Raises
    ------
    MetricInputError
        If shapes differ, values are not finite, or the percentiles are not
        ``0 <= low < high <= 100``.

    Notes
    -----
    ``n(x) = (x - P_low(x)) / (P_high(x) - P_low(x))``; then the prediction
    becomes ``α n(p) + β`` with the least-squares fit
    ``α = cov(n(p), n(g)) / var(n(p))``, ``β = mean(n(g)) - α mean(n(p))``
    (population moments). A constant image (``P_high == P_low``) is only
    shifted to 0; a constant prediction gets ``α = 0`` (it becomes the mean
    of the normalized ground truth).

    References
    ----------
    .. [1] Weigert, M. et al. (2018). Content-aware image restoration:
       pushing the limits of fluorescence microscopy. Nature Methods 15,
       1090-1097. :doi:`10.1038/s41592-018-0216-7`
    """
    gt, pred = check_pair(ground_truth, prediction, kind="intensity")
    low = float(low)
    high = float(high)
    if not (0 <= low < high <= 100):
        raise MetricInputError("low", f"need 0 <= low < high <= 100, got low={low}, high={high}")

    def percentile_normalize(x):
        x = x.astype(np.float64)
        lo, hi = np.percentile(x, [low, high])
        scale = hi - lo
        return (x - lo) / scale if scale > 0 else x - lo

    g = percentile_normalize(gt)
    p = percentile_normalize(pred)
    pm = p.mean()
    gm = g.mean()
    pc = p - pm
    var = float(np.mean(pc * pc))
    alpha = float(np.mean(pc * (g - gm)) / var) if var > 0 else 0.0
    beta = gm - alpha * pm
    return g, alpha * p + beta


_ROWS = 32
_FORMULA_ELEMENTS = 1 << 15


def _gaussian_weights(sigma: float, radius: int) -> np.ndarray:
    # the kernel of scipy.ndimage.gaussian_filter1d (order 0)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    phi = np.exp(-0.5 / (sigma * sigma) * x**2)
    return phi / phi.sum()


def _smooth_interior(image: np.ndarray, weights: np.ndarray, radius: int) -> np.ndarray:
    """Gaussian filter of ``image``, only at pixels >= radius from the border.

    Only the interior enters the mean SSIM (as scikit-image crops it), and
    there the result does not depend on the border mode. The first axis is
    filtered here on blocks of whole rows (contiguous, symmetric kernel),
    the others with :func:`scipy.ndimage.correlate1d`.
    """
    r = radius
    n0 = image.shape[0] - 2 * r
    out = np.empty((n0,) + image.shape[1:], dtype=np.float64)
    tmp = np.empty((_ROWS,) + image.shape[1:], dtype=np.float64)
    for s in range(0, n0, _ROWS):
        e = min(s + _ROWS, n0)
        acc = out[s:e]
        t = tmp[: e - s]
        np.multiply(image[s + r : e + r], weights[r], out=acc)
        for k in range(1, r + 1):
            np.add(image[s + r - k : e + r - k], image[s + r + k : e + r + k], out=t)
            t *= weights[r + k]
            acc += t
    for axis in range(1, image.ndim):
        out = ndi.correlate1d(out, weights, axis=axis, mode="reflect")
        out = out[(slice(None),) * axis + (slice(r, out.shape[axis] - r),)]
    return out


def ssim(
    ground_truth,
    prediction,
    *,
    data_range,
    sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
) -> float:
    """Mean structural similarity (SSIM) with a Gaussian window.

    Parameters
    ----------
    ground_truth, prediction : array_like
        Grayscale images of the same shape (2D or 3D).
    data_range : float
        The span of the values, ``L`` in the formula.
    sigma : float, optional
        Standard deviation of the Gaussian window; default 1.5 (Wang et al.),
        truncated at 3.5 sigma (an 11-pixel window for 1.5).
    k1, k2 : float, optional
        Stabilizing constants; default 0.01 and 0.03.

    Returns
    -------
    float
        Mean of the SSIM map over pixels at least the window radius away
        from the border.

    Raises
    ------
    MetricInputError
        If shapes differ, values are not finite, an axis is shorter than the
        window, or ``data_range`` is missing.

    Notes
    -----
    With Gaussian-weighted local means μ, variances σ² and covariance
    σ_gp (population moments),

    ``SSIM = (2 μ_g μ_p + C1)(2 σ_gp + C2) / ((μ_g² + μ_p² + C1)(σ_g² + σ_p² + C2))``,
    ``C1 = (k1 L)²``, ``C2 = (k2 L)²``.

    Identical to ``skimage.metrics.structural_similarity(ground_truth,
    prediction, data_range=L, gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False)``; scikit-image's default 7x7 uniform
    window gives a different number. Computed in float64 (scikit-image keeps
    float32 inputs in float32, so there results differ by ~1e-7). Only the
    interior that enters the mean is filtered, the five local filters run
    in parallel threads and the map is formed in place.

    References
    ----------
    .. [1] Wang, Z., Bovik, A. C., Sheikh, H. R., Simoncelli, E. P. (2004).
       Image quality assessment: from error visibility to structural
       similarity. IEEE TIP 13(4), 600-612. :doi:`10.1109/TIP.2003.819861`
    """
    gt, pred = check_pair(ground_truth, prediction, kind="intensity")
    data_range = _check_range(data_range)
    sigma = check_positive(sigma, "sigma")
    truncate = 3.5
    radius = int(truncate * sigma + 0.5)
    win = 2 * radius + 1
    if any(s < win for s in gt.shape):
        raise MetricInputError(
            "ground_truth",
            f"every axis must be at least {win} pixels long for sigma={sigma}, got shape {gt.shape}",
        )
    x = gt.astype(np.float64, copy=False)
    y = pred.astype(np.float64, copy=False)
    weights = _gaussian_weights(sigma, radius)

    def smooth(a, b=None):
        return _smooth_interior(a if b is None else a * b, weights, radius)

    ux, uy, uxx, uyy, uxy = _threads.map_parts(
        lambda pair: smooth(*pair), [(x, None), (y, None), (x, x), (y, y), (x, y)]
    )
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    # the map, block by block so that its temporaries stay in cache; the
    # blocks are summed in float64 (scikit-image: mean of the cropped map)
    n0 = ux.shape[0]
    step = max(1, _FORMULA_ELEMENTS // max(1, ux[0].size))
    blocks = [(i, min(i + step, n0)) for i in range(0, n0, step)]
    total = sum(_threads.map_parts(lambda b: _ssim_block_sum(ux, uy, uxx, uyy, uxy, c1, c2, *b), blocks))
    return float(total / ux.size)


def _ssim_block_sum(ux, uy, uxx, uyy, uxy, c1, c2, start, stop) -> float:
    """Sum of the SSIM map over rows [start, stop), formed in place (the
    smoothed moments are not used afterwards)."""
    ux, uy, uxx, uyy, uxy = (a[start:stop] for a in (ux, uy, uxx, uyy, uxy))
    # same operations and order as scikit-image, without temporaries
    uxuy = ux * uy
    np.subtract(uxx, ux * ux, out=uxx)  # vx
    np.subtract(uyy, uy * uy, out=uyy)  # vy
    np.subtract(uxy, uxuy, out=uxy)  # vxy
    a1 = np.multiply(uxuy, 2, out=uxuy)
    a1 += c1
    a2 = np.multiply(uxy, 2, out=uxy)
    a2 += c2
    np.multiply(ux, ux, out=ux)
    np.multiply(uy, uy, out=uy)
    b1 = np.add(ux, uy, out=ux)
    b1 += c1
    b2 = np.add(uxx, uyy, out=uxx)
    b2 += c2
    np.multiply(b1, b2, out=b1)  # D
    np.multiply(a1, a2, out=a1)
    np.divide(a1, b1, out=a1)
    return float(a1.sum(dtype=np.float64))
