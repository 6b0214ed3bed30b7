"""Evaluation sanity, links and media, and environmental impact rules on small cards."""

from __future__ import annotations

from bmzcard.carbon import estimate
from bmzcard.lint.results import parse_value
from bmzcard.lint.rules.impact import parse_hardware, parse_hours

from .conftest import check_text, pairs

RESULTS = """# Model

Summary.

### Quantitative Results

| Metric | Overall | Confocal |
|--------|---------|----------|
| Dice   | 0.80 ± 0.05 | 91.2 |
| IoU    | 0.88 ± 0.04 | 0.5 |
| PSNR   | 120 | 28.1 ± 1.2 |
| SSIM   | -0.2 | 1.2 |
"""


def test_metric_ranges():
    found = [(f.line, f.column, f.code) for f in check_text(RESULTS, select=["E001"]).findings]
    # Dice 91.2 without %, PSNR 120 dB, SSIM 1.2; SSIM -0.2 is in [-1, 1].
    assert found == [(9, 26, "E001"), (11, 12, "E001"), (12, 19, "E001")]


def test_percentages_are_read_as_such():
    text = RESULTS.replace("91.2", "91.2%")
    assert (9, "E001") not in pairs(check_text(text, select=["E001"]))


def test_spread_and_sample_count():
    found = pairs(check_text(RESULTS, select=["E002", "E003"]))
    assert found == [(7, "E003"), (9, "E002")]
    counted = RESULTS.replace("Summary.", "Summary.") + "\nMeasured on n = 24 images.\n"
    assert pairs(check_text(counted.replace("### Quantitative", "## Results\n\n### Quantitative"), select=["E003"])) == []


def test_counts_are_read_as_results_and_need_no_spread():
    """bmzcard evaluate's `TP`, `FP@0.75` rows are totals: read for --verify, never asked for a ± sd."""
    from bmzcard.lint.results import results_tables
    from bmzcard.sources.readme import parse_card

    text = ("# M\n\nx\n\n| Metric | Overall | batch=a |\n|---|---|---|\n| F1 | 0.80 ± 0.05 | 0.7 ± 0.1 |\n"
            "| TP | 123 | 80 |\n| FP@0.75 | 7 | 3 |\n")
    values = results_tables(parse_card(text))[0].values
    assert [(v.metric, v.metric_label, v.condition, v.mean) for v in values if v.metric != "f1"] == [
        ("tp", "TP", "Overall", 123), ("tp", "TP", "batch=a", 80),
        ("fp", "FP@0.75", "Overall", 7), ("fp", "FP@0.75", "batch=a", 3)]
    assert pairs(check_text(text, select=["E001", "E002"])) == []
    assert pairs(check_text(text.replace("0.80 ± 0.05", "0.80"), select=["E002"])) == [(7, "E002")]


def test_iou_above_dice_for_the_same_condition():
    found = check_text(RESULTS, select=["E004"]).findings
    assert [(f.line, f.code) for f in found] == [(10, "E004")]
    assert "'Overall'" in found[0].message


def test_metrics_as_columns():
    text = "# M\n\nx\n\n| Dataset | Dice | IoU |\n|---|---|---|\n| A | 0.7 | 0.9 |\n| B | 1.7 | 0.5 |\n"
    assert pairs(check_text(text, select=["E001", "E004"])) == [(7, "E004"), (8, "E001")]


def test_parse_value_forms():
    assert parse_value("0.91 ± 0.03") == (0.91, 0.03, False)
    assert parse_value("87.5% +/- 2%") == (87.5, 2.0, True)
    assert parse_value("**0.9** (0.02)") == (0.9, 0.02, False)
    assert parse_value("n/a") is None


LINKS = """# Model

Summary [paper] (https://doi.org/10.1/x) and [data](https://zenodo.org/records/1
and [empty]() and [ok](https://example.org/a_(b)) and [spaced](my file.md).

![](cover.png)
![Cover](missing.png)
<img src="figs/arch.png">
[notebook](notebooks/train.ipynb) [top](#model) [gone](#training-details)
"""


def test_links_and_images(tmp_path):
    (tmp_path / "cover.png").write_bytes(b"png")
    report = check_text(LINKS, root=tmp_path, select=["L"])
    assert [(f.line, f.column, f.code) for f in report.findings] == [
        (3, 9, "L001"),  # `] (`
        (3, 46, "L001"),  # no closing `)`
        (4, 5, "L001"),  # empty target
        (4, 55, "L001"),  # a space in the target
        (6, 1, "L003"),  # no alt text
        (7, 1, "L002"),  # missing.png
        (8, 1, "L002"),  # figs/arch.png
        (8, 1, "L003"),  # <img> without alt
        (9, 1, "L002"),  # notebooks/train.ipynb
        (9, 1, "L004"),  # #training-details
    ]
    severities = {(f.line, f.code): f.severity.label for f in report.findings}
    assert severities[(7, "L002")] == "error" and severities[(9, "L002")] == "warning"


def test_without_a_folder_local_files_are_not_judged():
    assert pairs(check_text(LINKS, select=["L002"])) == []


def test_unreachable_links_only_with_online():
    report = check_text("# M\n\n[x](http://127.0.0.1:9/nothing)\n", select=["L005"])
    assert report.findings == []


def impact(**values: str) -> str:
    labels = {"hardware": "Hardware Type", "hours": "Hours used", "provider": "Cloud Provider",
              "region": "Compute Region", "carbon": "Carbon Emitted"}
    fields = [f"- **{labels[k]}:** {v}" for k, v in values.items()]
    return "\n".join(["# Model", "", "Summary.", "", "# Environmental Impact", "", *fields, ""])


def test_carbon_without_hardware_and_hours():
    found = check_text(impact(carbon="3 kg CO2eq"), select=["I001"]).findings
    assert [(f.line, f.code) for f in found] == [(7, "I001")]
    assert "Hardware Type and Hours used" in found[0].message


def test_carbon_without_unit():
    assert pairs(check_text(impact(carbon="12.5"), select=["I002"])) == [(7, "I002")]
    assert pairs(check_text(impact(carbon="12.5 kg CO2eq"), select=["I002"])) == []


def test_carbon_against_the_ml_co2_impact_estimate():
    expected = estimate("Tesla V100-SXM2-16GB", 100, provider="gcp", region="us-central1").co2_kg
    base = dict(hardware="Tesla V100-SXM2-16GB", hours="100 hours", provider="gcp", region="us-central1")
    assert pairs(check_text(impact(**base, carbon=f"{expected} kg CO2eq"), select=["I003"])) == []
    found = check_text(impact(**base, carbon=f"{expected * 1000:g} g"), select=["I003"]).findings
    assert found == []  # the same amount in grams
    found = check_text(impact(**base, carbon="30 kg CO2eq"), select=["I003"]).findings
    assert [(f.line, f.code) for f in found] == [(11, "I003")]
    assert f"{expected:g} kg" in found[0].message


def test_carbon_with_several_devices():
    one = estimate("Tesla V100-SXM2-16GB", 25, provider="gcp", region="us-central1", devices=4).co2_kg
    text = impact(hardware="4x Tesla V100-SXM2-16GB", hours="100 hours", provider="gcp", region="us-central1",
                  carbon=f"{one} kg")
    assert pairs(check_text(text, select=["I003"])) == []


def test_unknown_hardware_is_not_compared():
    text = impact(hardware="My Laptop", hours="2 h", provider="gcp", region="us-central1", carbon="9 kg")
    assert pairs(check_text(text, select=["I003"])) == []


def test_impact_parsers():
    assert parse_hours("3 days") == 72 and parse_hours("90 min") == 1.5 and parse_hours("a while") is None
    assert parse_hardware("four NVIDIA RTX 2080 Ti GPUs") == ("NVIDIA RTX 2080 Ti", 4)
    assert parse_hardware("2 x A100") == ("A100", 2)
