"""Restoration metrics against scikit-image and hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.metrics import (
    normalized_root_mse,
    peak_signal_noise_ratio,
    structural_similarity,
)

from bmzcard.metrics import MetricInputError
from bmzcard.metrics.restoration import care_normalize, nrmse, psnr, ssim


def skimage_ssim(gt, pred, data_range):
    return structural_similarity(
        gt, pred, data_range=data_range, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )


def test_ssim_identical_to_skimage_on_unet_tensors(unet_tensors):
    x, y = unet_tensors
    gt, pred = care_normalize(y, x)  # real model output vs its (rescaled) input
    ours = ssim(gt, pred, data_range=1.0)
    assert ours == pytest.approx(skimage_ssim(gt, pred, 1.0), rel=1e-12, abs=1e-14)
    raw = ssim(y, x / 4095, data_range=1.0)
    assert raw == pytest.approx(skimage_ssim(y, x / 4095, 1.0), rel=1e-12, abs=1e-14)


def test_ssim_identical_to_skimage_3d(nuclei3d_image):
    img = nuclei3d_image.astype(np.float64)
    noisy = img + np.random.default_rng(0).normal(0, 20, img.shape)
    data_range = float(img.max() - img.min())
    assert ssim(img, noisy, data_range=data_range) == pytest.approx(
        skimage_ssim(img, noisy, data_range), rel=1e-12
    )


def test_ssim_float32_within_single_precision(unet_tensors):
    _, y = unet_tensors
    y32 = y.astype(np.float32)
    p32 = np.clip(y32 + 0.05, 0, 1).astype(np.float32)
    assert ssim(y32, p32, data_range=1.0) == pytest.approx(skimage_ssim(y32, p32, 1.0), rel=1e-6)


def test_uniform_window_gives_another_number(unet_tensors):
    _, y = unet_tensors
    pred = y + np.random.default_rng(0).normal(0, 0.1, y.shape)
    uniform = structural_similarity(y, pred, data_range=1.0)  # 7x7 uniform
    assert abs(ssim(y, pred, data_range=1.0) - uniform) > 1e-2


def test_ssim_of_identical_images_is_one(unet_tensors):
    _, y = unet_tensors
    assert ssim(y, y, data_range=1.0) == pytest.approx(1.0, abs=1e-12)


def test_psnr_and_nrmse(unet_tensors):
    _, y = unet_tensors
    pred = y + np.random.default_rng(1).normal(0, 0.1, y.shape)
    assert psnr(y, pred, data_range=1.0) == pytest.approx(
        peak_signal_noise_ratio(y, pred, data_range=1.0), rel=1e-12
    )
    span = float(y.max() - y.min())
    assert nrmse(y, pred, data_range=span) == pytest.approx(
        normalized_root_mse(y, pred, normalization="min-max"), rel=1e-12
    )


def test_hand_computed_psnr_nrmse():
    gt = np.zeros((4, 4))
    pred = np.full((4, 4), 0.1)
    assert psnr(gt, pred, data_range=1.0) == pytest.approx(20.0)
    assert nrmse(gt, pred, data_range=2.0) == pytest.approx(0.05)
    assert psnr(gt, gt, data_range=1.0) == math.inf
    assert nrmse(gt, gt, data_range=1.0) == 0.0


def test_care_normalization_removes_affine_differences(unet_tensors):
    _, y = unet_tensors
    g1, p1 = care_normalize(y, 3.0 * y + 7.0)
    np.testing.assert_allclose(p1, g1, atol=1e-12)
    lo, hi = np.percentile(y, [0.1, 99.9])
    np.testing.assert_allclose(g1, (y - lo) / (hi - lo))
    # the fit is least squares: residual orthogonal to the prediction
    noisy = y + np.random.default_rng(2).normal(0, 0.2, y.shape)
    g2, p2 = care_normalize(y, noisy)
    resid = g2 - p2
    assert abs(np.mean(resid)) < 1e-10
    assert abs(np.mean(resid * (p2 - p2.mean()))) < 1e-10


def test_care_normalization_constant_prediction():
    gt = np.arange(16.0).reshape(4, 4)
    g, p = care_normalize(gt, np.ones((4, 4)))
    np.testing.assert_allclose(p, g.mean())


def test_data_range_is_required_and_checked():
    a = np.zeros((16, 16))
    with pytest.raises(MetricInputError) as err:
        psnr(a, a, data_range=None)
    assert err.value.parameter == "data_range"
    with pytest.raises(MetricInputError) as err:
        ssim(a, a, data_range=-1)
    assert err.value.parameter == "data_range"
    with pytest.raises(MetricInputError) as err:
        ssim(np.zeros((5, 5)), np.zeros((5, 5)), data_range=1)
    assert "11 pixels" in str(err.value)
    with pytest.raises(MetricInputError) as err:
        psnr(a, np.full((16, 16), np.nan), data_range=1)
    assert err.value.parameter == "prediction"
