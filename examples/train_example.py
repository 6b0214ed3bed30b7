"""Train and export bmzcard's bundled example model package.

The example is a tiny 2D U-Net that segments nucleus-like blobs (foreground
probability) in synthetic widefield fluorescence images. Everything is made
here from fixed seeds: the training data, the weights, the test tensors, the
cover, the ``rdf.yaml`` and ``README.md`` of the package
(``src/bmzcard/example/package/``) and the small evaluation data set
(``src/bmzcard/example/eval_data/``) that ``bmzcard evaluate`` uses in the demo.
The script is not installed with bmzcard; only the files it makes are.

How to rerun
------------
Torch lives in its own virtual environment (not in the project's dev venv)::

    python -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 onnx onnxruntime numpy scipy pillow
    PYTHONPATH=src /tmp/torchvenv/bin/python examples/train_example.py

``torch==2.13.0`` is pinned on purpose: it is the CPU build on this project's
machines (other versions pull several GB). The script overwrites the files
it writes in ``package/`` and ``eval_data/``. Training runs on the CPU with
one thread, so reruns on the same machine give the same weights; the measured
``training_duration`` and the ``timestamp`` in the rdf change between reruns.
Then validate the package::

    PYTHONPATH=src /tmp/venv0/bin/python -m pytest tests/test_example_package.py
"""

from __future__ import annotations

import csv
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from PIL import Image
from scipy import ndimage
from torch import nn

from bmzcard.example import eval_manifest_path, package_path
from bmzcard.measure.timing import cpu_model

# The files it makes are bmzcard's package data (src/bmzcard/example/), written in place.
PACKAGE_DIR = package_path()
EVAL_DIR = eval_manifest_path().parent

SEED = 2024
IMAGE_SIZE = 128
# One thread keeps CPU float reductions in a fixed order, hence reproducible.
TORCH_THREADS = 1
ONNX_OPSET = 17

BASE_CHANNELS = 16
TRAIN_IMAGES = 256
BATCH_SIZE = 8
EPOCHS = 8
INITIAL_LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1e-4
# Pixel size written to the rdf; the synthetic nuclei radii assume it.
PIXEL_SIZE_UM = 0.5
# The network's receptive field reaches 8 px from an output pixel (see
# ``TinyUNet``), so 8 px at each border see the zero padding.
OUTPUT_HALO = 8

# Peak photons: the mean count above background inside a nucleus of full
# brightness, per evaluation condition (it sets the SNR); training draws it
# log-uniformly from a range around both.
PEAK_PHOTONS = {"high": 200.0, "low": 12.0}
TRAIN_PEAK_PHOTONS = (8.0, 300.0)
READ_NOISE_SIGMA = 2.0
BACKGROUND_PHOTON_FRACTION = 0.08
EVAL_IMAGES_PER_SNR = 4


@dataclass(frozen=True)
class SyntheticImage:
    """One synthetic fluorescence image with its foreground mask.

    Attributes
    ----------
    image : numpy.ndarray
        Raw photon counts with read noise, float32, shape (y, x).
    mask : numpy.ndarray
        Nucleus foreground, uint8 0/1, shape (y, x).
    """

    image: np.ndarray
    mask: np.ndarray


def synthesize_image(rng: np.random.Generator, peak_photons: float) -> SyntheticImage:
    """Draw one image of nucleus-like ellipses under shot and read noise.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness; the caller seeds it.
    peak_photons : float
        Mean photons above background inside a nucleus of full brightness;
        sets the SNR.

    Returns
    -------
    SyntheticImage
        The noisy image and its binary mask.
    """
    yy, xx = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float32)
    mask = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=bool)
    brightness = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    for _ in range(rng.integers(6, 16)):
        center_y, center_x = rng.uniform(-4, IMAGE_SIZE + 4, size=2)
        # Semi-axes of 3-7 um at 0.5 um pixels: nucleus-sized.
        radius_a, radius_b = rng.uniform(6, 14, size=2)
        angle = rng.uniform(0, np.pi)
        cos, sin = np.cos(angle), np.sin(angle)
        along = (xx - center_x) * cos + (yy - center_y) * sin
        across = -(xx - center_x) * sin + (yy - center_y) * cos
        inside = (along / radius_a) ** 2 + (across / radius_b) ** 2 <= 1.0
        # Nuclei differ in DNA content and staining: dim ones are the hard case.
        brightness[inside] = np.maximum(brightness[inside], rng.uniform(0.25, 1.0))
        mask |= inside
    # Chromatin texture inside nuclei, then the microscope's blur.
    texture = ndimage.gaussian_filter(rng.normal(size=mask.shape), 2.0)
    signal = brightness * (1.0 + 0.8 * texture / (texture.std() + 1e-6))
    signal = ndimage.gaussian_filter(np.clip(signal, 0, None), 1.5)
    expected = peak_photons * (BACKGROUND_PHOTON_FRACTION + signal)
    noisy = rng.poisson(expected) + rng.normal(0.0, READ_NOISE_SIGMA, size=mask.shape)
    return SyntheticImage(noisy.astype(np.float32), mask.astype(np.uint8))


def normalize(image: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance per image, as the rdf's preprocessing does.

    Parameters
    ----------
    image : numpy.ndarray
        Raw image, any shape.

    Returns
    -------
    numpy.ndarray
        float32 image; the epsilon matches bioimageio.core's default.
    """
    image = image.astype(np.float32)
    return (image - image.mean()) / (image.std() + 1e-6)


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convolutions with ReLU, keeping the spatial size."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1),
        nn.ReLU(inplace=True),
    )


class TinyUNet(nn.Module):
    """A two-level 2D U-Net returning foreground logits.

    One 2x downsampling step: encoder at full resolution, bottleneck at half
    resolution, decoder with a skip connection. The receptive field is 17 px
    wide (8 px on each side of the output pixel). The sigmoid is left to the
    rdf's postprocessing.

    Parameters
    ----------
    base_channels : int
        Feature channels at full resolution; the bottleneck has twice as many.
    """

    def __init__(self, base_channels: int) -> None:
        super().__init__()
        self.encoder = conv_block(1, base_channels)
        self.bottleneck = conv_block(base_channels, 2 * base_channels)
        self.upsample = nn.ConvTranspose2d(
            2 * base_channels, base_channels, kernel_size=2, stride=2
        )
        self.decoder = conv_block(2 * base_channels, base_channels)
        self.head = nn.Conv2d(base_channels, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a (b, 1, y, x) image with even y, x to (b, 1, y, x) logits."""
        skip = self.encoder(x)
        deep = self.bottleneck(nn.functional.max_pool2d(skip, 2))
        merged = torch.cat([skip, self.upsample(deep)], dim=1)
        return self.head(self.decoder(merged))


def dice_bce_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy plus soft Dice loss (Dice counters class imbalance)."""
    bce = nn.functional.binary_cross_entropy_with_logits(logits, target)
    probability = torch.sigmoid(logits)
    overlap = (probability * target).sum()
    dice = (2 * overlap + 1.0) / (probability.sum() + target.sum() + 1.0)
    return bce + (1.0 - dice)


def make_training_set(rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Synthesize normalized training images over the whole SNR range.

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded source of randomness.

    Returns
    -------
    tuple of torch.Tensor
        Images (n, 1, y, x) float32 and masks (n, 1, y, x) float32.
    """
    log_low, log_high = np.log(TRAIN_PEAK_PHOTONS)
    images, masks = [], []
    for _ in range(TRAIN_IMAGES):
        # Log-uniform photon counts so low and high SNR are equally represented.
        peak = float(np.exp(rng.uniform(log_low, log_high)))
        sample = synthesize_image(rng, peak)
        images.append(normalize(sample.image))
        masks.append(sample.mask.astype(np.float32))
    return (
        torch.from_numpy(np.stack(images)[:, None]),
        torch.from_numpy(np.stack(masks)[:, None]),
    )


def augment(images: torch.Tensor, masks: torch.Tensor, rng: np.random.Generator):
    """Random flips and 90 degree rotations, the same for image and mask."""
    k = int(rng.integers(4))
    images, masks = torch.rot90(images, k, (2, 3)), torch.rot90(masks, k, (2, 3))
    if rng.random() < 0.5:
        images, masks = torch.flip(images, (3,)), torch.flip(masks, (3,))
    return images, masks


@dataclass(frozen=True)
class TrainingTime:
    """How long training took, data synthesis included.

    Attributes
    ----------
    wall_seconds : float
        Elapsed time; this is what the rdf's ``training_duration`` reports.
    cpu_seconds : float
        CPU time of this process; with one thread it tells how much of the
        wall time other processes on a shared machine took.
    """

    wall_seconds: float
    cpu_seconds: float


def train(model: TinyUNet, rng: np.random.Generator) -> TrainingTime:
    """Train the model in place on fresh synthetic data.

    Parameters
    ----------
    model : TinyUNet
        The network to train.
    rng : numpy.random.Generator
        Seeded source of data, shuffling and augmentation.

    Returns
    -------
    TrainingTime
        Measured wall-clock and CPU time.
    """
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    images, masks = make_training_set(rng)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=INITIAL_LEARNING_RATE, weight_decay=WEIGHT_DECAY
    )
    steps_per_epoch = TRAIN_IMAGES // BATCH_SIZE
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=EPOCHS * steps_per_epoch
    )
    model.train()
    for epoch in range(EPOCHS):
        order = rng.permutation(TRAIN_IMAGES)
        epoch_loss = 0.0
        for step in range(steps_per_epoch):
            batch = order[step * BATCH_SIZE : (step + 1) * BATCH_SIZE]
            batch_images, batch_masks = augment(images[batch], masks[batch], rng)
            loss = dice_bce_loss(model(batch_images), batch_masks)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            epoch_loss += loss.item()
        print(f"epoch {epoch + 1:2d}/{EPOCHS}: loss {epoch_loss / steps_per_epoch:.4f}")
    model.eval()
    return TrainingTime(
        time.perf_counter() - start_wall, time.process_time() - start_cpu
    )


def export_weights(model: TinyUNet) -> None:
    """Write TorchScript and ONNX weights into the package folder."""
    example = torch.zeros(1, 1, IMAGE_SIZE, IMAGE_SIZE)
    with torch.no_grad():
        torch.jit.script(model).save(str(PACKAGE_DIR / "weights.pt"))
        # dynamo=False: the TorchScript-based exporter needs no onnxscript.
        torch.onnx.export(
            model,
            (example,),
            str(PACKAGE_DIR / "weights.onnx"),
            input_names=["raw"],
            output_names=["foreground_logits"],
            dynamic_axes={"raw": {0: "b", 2: "y", 3: "x"}},
            opset_version=ONNX_OPSET,
            dynamo=False,
        )


def predict_with_onnx(image: np.ndarray) -> np.ndarray:
    """Run the package's whole pipeline with its exported ONNX weights.

    Parameters
    ----------
    image : numpy.ndarray
        Raw image, shape (y, x).

    Returns
    -------
    numpy.ndarray
        Foreground probability, float32, shape (1, 1, y, x).
    """
    session = onnxruntime.InferenceSession(
        str(PACKAGE_DIR / "weights.onnx"), providers=["CPUExecutionProvider"]
    )
    (logits,) = session.run(None, {"raw": normalize(image)[None, None]})
    return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Stretch an image between its 1st and 99.8th percentile to 0-255."""
    low, high = np.percentile(image, [1.0, 99.8])
    return (np.clip((image - low) / (high - low + 1e-6), 0, 1) * 255).astype(np.uint8)


def write_sample_images(image: np.ndarray, probability: np.ndarray) -> None:
    """Save 8-bit PNGs of the test input and output for people to look at."""
    Image.fromarray(to_uint8(image)).save(PACKAGE_DIR / "sample_input.png")
    Image.fromarray((np.clip(probability, 0, 1) * 255).round().astype(np.uint8)).save(
        PACKAGE_DIR / "sample_output.png"
    )


def write_cover(image: np.ndarray, probability: np.ndarray) -> None:
    """Save input | output side by side (2:1, as bioimage.io covers like).

    The input is shown in a green fluorescence look, the probability in
    magenta over a dimmed copy of the input.
    """
    raw = to_uint8(image).astype(np.float32) / 255
    prob = np.clip(probability, 0, 1)
    left = np.stack([0.1 * raw, raw, 0.1 * raw], axis=-1)
    dimmed = 0.35 * raw * (1 - prob)
    right = np.stack([prob + dimmed, dimmed, prob + dimmed], axis=-1)
    gap = np.ones((IMAGE_SIZE, 2, 3), dtype=np.float32)
    panel = np.concatenate([left, gap, right], axis=1)
    pixels = Image.fromarray((np.clip(panel, 0, 1) * 255).astype(np.uint8))
    pixels.resize((2 * IMAGE_SIZE * 3, IMAGE_SIZE * 3), Image.NEAREST).save(
        PACKAGE_DIR / "cover.png", optimize=True
    )


def write_eval_data(rng: np.random.Generator) -> None:
    """Write held-out images, masks and a manifest with two SNR levels."""
    EVAL_DIR.mkdir(exist_ok=True)
    rows = []
    for snr, peak in PEAK_PHOTONS.items():
        for _ in range(EVAL_IMAGES_PER_SNR):
            index = len(rows)
            sample = synthesize_image(rng, peak)
            np.save(EVAL_DIR / f"img_{index:02d}.npy", sample.image)
            np.save(EVAL_DIR / f"gt_{index:02d}.npy", sample.mask)
            rows.append((f"img_{index:02d}.npy", f"gt_{index:02d}.npy", snr))
    with open(EVAL_DIR / "manifest.csv", "w", newline="") as manifest:
        writer = csv.writer(manifest, lineterminator="\n")
        writer.writerow(["image", "ground_truth", "snr"])
        writer.writerows(rows)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, for the rdf's integrity fields."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


README = """\
# Example nuclei U-Net (bmzcard)

A tiny 2D U-Net that segments nucleus-like blobs in synthetic fluorescence
images. It is bmzcard's bundled example model package, trained by
`examples/train_example.py`.

This file is a placeholder: the model card of this package is generated by
`bmzcard generate` from `rdf.yaml` (run `make demo`).

# Validation

The package's test tensors are reproduced by `bioimageio test rdf.yaml`.
Its evaluation on held-out synthetic images at two SNR levels is measured by
`bmzcard evaluate` and written into the generated card.
"""


# Written by ``write_rdf``; the comments are part of the package (later bmzcard
# commands edit rdf.yaml with ruamel.yaml, which keeps them).
RDF_TEMPLATE = """\
# bmzcard's bundled example model package.
# Generated by examples/train_example.py: rerun it instead of editing by hand.
# `bmzcard generate` turns this file into the model card; `bmzcard evaluate`
# adds `evaluations` under config.bioimageio. The training location is not
# recorded, so the card's Compute Region and Carbon Emitted stay for the author.
type: model
format_version: 0.5.12
name: bmzcard Example Nuclei U-Net
description: >-
  A tiny 2D U-Net that predicts the foreground probability of nuclei in
  widefield fluorescence images. Trained on synthetic data only; it is the
  example package bundled with bmzcard, not a model for real experiments.
version: 0.1.0
timestamp: '{timestamp}'  # when train.py wrote this package
authors:
  - name: bmzcard developers
cite:
  - text: 'Ronneberger, O., Fischer, P. and Brox, T. U-Net: Convolutional Networks
      for Biomedical Image Segmentation. MICCAI 2015.'
    doi: 10.1007/978-3-319-24574-4_28
license: MIT
tags:
  - unet2d
  - pytorch
  - onnx
  - 2d
  - fluorescence-light-microscopy
  - nuclei
  - semantic-segmentation
  - synthetic-data
  - example
# No sha256 for the documentation: `bmzcard generate` may replace the
# placeholder README.md with the generated card.
documentation:
  source: README.md
covers:
  - source: cover.png  # test input | predicted probability
    sha256: {sha256_cover_png}

inputs:
  - id: raw
    description: >-
      Widefield fluorescence image of a nuclear stain (photon counts), one
      channel.
    axes:
      - type: batch
      - type: channel
        channel_names:
          - nuclear_stain
      # Any size from 32 px in steps of 16 px (the network halves once).
      - type: space
        id: y
        size:
          min: 32
          step: 16
        scale: {pixel_size}
        unit: micrometer
      - type: space
        id: x
        size:
          min: 32
          step: 16
        scale: {pixel_size}
        unit: micrometer
    test_tensor:
      source: test_input.npy
      sha256: {sha256_test_input_npy}
    sample_tensor:  # test input, contrast-stretched to 8 bit for display
      source: sample_input.png
      sha256: {sha256_sample_input_png}
    data:
      type: float32
    preprocessing:
      - id: ensure_dtype
        kwargs:
          dtype: float32
      # Per image and channel, as in training.
      - id: zero_mean_unit_variance
        kwargs:
          axes:
            - y
            - x

outputs:
  - id: probability
    description: Probability that a pixel belongs to a nucleus, in [0, 1].
    axes:
      - type: batch
      - type: channel
        channel_names:
          - nucleus_probability
      # Same size as the input; the receptive field reaches {halo} px, so
      # {halo} px at each border see padding and are best cropped when tiling.
      - type: space
        id: y
        size:
          tensor_id: raw
          axis_id: y
        halo: {halo}
        scale: {pixel_size}
        unit: micrometer
      - type: space
        id: x
        size:
          tensor_id: raw
          axis_id: x
        halo: {halo}
        scale: {pixel_size}
        unit: micrometer
    test_tensor:
      source: test_output.npy
      sha256: {sha256_test_output_npy}
    sample_tensor:  # test output scaled to 0-255
      source: sample_output.png
      sha256: {sha256_sample_output_png}
    data:
      type: float32
      range:
        - 0.0
        - 1.0
    postprocessing:
      - id: sigmoid  # the network outputs logits

weights:
  torchscript:
    source: weights.pt
    sha256: {sha256_weights_pt}
    pytorch_version: {pytorch_version}
    comment: Exported with torch.jit.script by train.py.
  onnx:
    source: weights.onnx
    sha256: {sha256_weights_onnx}
    opset_version: {opset}
    parent: torchscript
    comment: Exported with torch.onnx.export (TorchScript-based exporter) by train.py.

# Described inline: the synthetic training set is regenerated by train.py.
training_data:
  type: dataset
  format_version: 0.3.4
  name: bmzcard Synthetic Nuclei
  description: >-
    {train_images} synthetic {image_size}x{image_size} widefield fluorescence
    images of 6 to 15 nucleus-like ellipses each (semi-axes 3 to 7 micrometer,
    brightness 25 to 100 percent, chromatin-like texture, Gaussian blur of
    0.75 micrometer) on a background of {background_percent} percent of the
    peak, under Poisson shot noise and Gaussian read noise (sigma
    {read_noise} photons). The peak (mean photons above background in a
    nucleus of full brightness) is drawn log-uniformly from {train_peak_low}
    to {train_peak_high} photons per image. Binary nucleus masks as labels.
    Seed {seed}.
  authors:
    - name: bmzcard developers
  license: MIT
  tags:
    - synthetic-data
    - nuclei
    - fluorescence-light-microscopy

config:
  bioimageio:
    architecture_type: 2D U-Net
    architecture_description: >-
      A two-level 2D U-Net: an encoder block at full resolution ({base_channels}
      channels), 2x2 max pooling, a bottleneck block ({base_channels} x 2
      channels), a 2x2 transposed convolution, concatenation with the encoder
      features and a decoder block ({base_channels} channels), then a 1x1
      convolution to one logit channel. Each block is two 3x3 convolutions
      with ReLU and zero padding; no normalization layers. Receptive field
      17 x 17 pixels.
    modality: widefield fluorescence microscopy (synthetic)
    target_structure:
      - nuclei
    task: semantic segmentation
    out_of_scope_use: >-
      Do not use this model to analyse real microscopy data or to draw
      biological conclusions: it has only seen synthetic images. It does not
      separate touching nuclei (use an instance segmentation model), and it is
      not meant for other modalities (brightfield, electron microscopy), 3D
      stacks or multi-channel images.
    bias_risks_limitations:
      known_biases: >-
        Trained only on synthetic nucleus-like ellipses with a single
        simulated noise model, pixel size (0.5 micrometer) and nucleus size
        range (6 to 14 micrometer across). Real nuclei with irregular shapes,
        mitotic figures, or apoptotic fragments are not represented.
      risks: >-
        Results on real data may look plausible while being wrong; trusting
        them without checking against annotations would mislead analyses.
      limitations: >-
        Dim nuclei at low signal-to-noise ratio are partly missed. Touching
        nuclei merge in the foreground mask. Input sizes must be at least 32
        pixels and a multiple of 16 pixels; {halo} pixels at each border
        see zero padding. Images with a very different pixel size need
        rescaling to 0.5 micrometer first.
      recommendations: >-
        Use the package to try bmzcard and bioimage.io tools. For real data,
        train or fine-tune a model on annotated images from your own
        microscope and validate it on held-out annotations.
    model_parameter_count: {parameter_count}
    training:
      training_preprocessing: >-
        Each image normalized to zero mean and unit variance (as the
        preprocessing of this package); random 90 degree rotations and
        horizontal flips, the same for image and mask; no resizing.
      training_epochs: {epochs}
      training_batch_size: {batch_size}
      initial_learning_rate: {learning_rate}
      learning_rate_schedule: >-
        Cosine annealing to zero over all {steps} steps
        (torch.optim.lr_scheduler.CosineAnnealingLR), stepped per batch.
      loss_function: binary cross-entropy with logits plus soft Dice loss
      loss_function_kwargs:
        dice_smoothing: 1.0
      optimizer: torch.optim.AdamW
      optimizer_kwargs:
        lr: {learning_rate}
        weight_decay: {weight_decay}
      regularization: >-
        Weight decay {weight_decay} (AdamW) and flip/rotation augmentation.
      # Measured wall-clock time ({training_seconds} s) on a CPU with
      # {threads} torch thread, data synthesis included; the process used
      # {cpu_seconds} s of CPU time.
      training_duration: {training_hours}
    environmental_impact:
      hardware_type: {threads} thread on {cpu_model}, CPU only (no GPU)
      hours_used: {training_hours}
"""


def write_rdf(parameter_count: int, training_time: TrainingTime) -> None:
    """Fill ``RDF_TEMPLATE`` and write it as the package's ``rdf.yaml``.

    Parameters
    ----------
    parameter_count : int
        Number of trainable parameters of the exported network.
    training_time : TrainingTime
        Measured training time.
    """
    fields = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "pixel_size": PIXEL_SIZE_UM,
        "halo": OUTPUT_HALO,
        "opset": ONNX_OPSET,
        "pytorch_version": torch.__version__.split("+")[0],
        "parameter_count": parameter_count,
        "base_channels": BASE_CHANNELS,
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "steps": EPOCHS * (TRAIN_IMAGES // BATCH_SIZE),
        "learning_rate": INITIAL_LEARNING_RATE,
        "weight_decay": WEIGHT_DECAY,
        "train_images": TRAIN_IMAGES,
        "image_size": IMAGE_SIZE,
        "train_peak_low": TRAIN_PEAK_PHOTONS[0],
        "train_peak_high": TRAIN_PEAK_PHOTONS[1],
        "read_noise": READ_NOISE_SIGMA,
        "background_percent": round(100 * BACKGROUND_PHOTON_FRACTION),
        "seed": SEED,
        "threads": TORCH_THREADS,
        "training_hours": round(training_time.wall_seconds / 3600, 5),
        "training_seconds": round(training_time.wall_seconds),
        "cpu_seconds": round(training_time.cpu_seconds),
    }
    for name in (
        "weights.onnx",
        "weights.pt",
        "test_input.npy",
        "test_output.npy",
        "sample_input.png",
        "sample_output.png",
        "cover.png",
    ):
        fields["sha256_" + name.replace(".", "_")] = sha256_of(PACKAGE_DIR / name)
    (PACKAGE_DIR / "rdf.yaml").write_text(RDF_TEMPLATE.format(**fields))


def main() -> None:
    """Synthesize data, train, export and describe the example package."""
    torch.manual_seed(SEED)
    torch.set_num_threads(TORCH_THREADS)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(SEED)
    PACKAGE_DIR.mkdir(exist_ok=True)

    model = TinyUNet(BASE_CHANNELS)
    parameter_count = sum(p.numel() for p in model.parameters())
    training_time = train(model, rng)
    print(
        f"{parameter_count} parameters, trained in {training_time.wall_seconds:.1f} s"
        f" ({training_time.cpu_seconds:.1f} s CPU)"
    )
    export_weights(model)

    # A high-SNR test image, drawn after training so it is never trained on.
    test = synthesize_image(rng, PEAK_PHOTONS["high"])
    test_output = predict_with_onnx(test.image)
    np.save(PACKAGE_DIR / "test_input.npy", test.image[None, None])
    np.save(PACKAGE_DIR / "test_output.npy", test_output)
    write_sample_images(test.image, test_output[0, 0])
    write_cover(test.image, test_output[0, 0])
    (PACKAGE_DIR / "README.md").write_text(README)
    write_eval_data(rng)
    write_rdf(parameter_count, training_time)


if __name__ == "__main__":
    main()
