"""The offline ML CO2 Impact calculator: arithmetic, rounding, matching, CLI.

Expected values are worked out by hand from the CSV rows quoted in each test,
following the calculator's steps (energy, intensity and emissions each rounded
with JavaScript's toFixed(2) on the binary double).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmzcard.carbon import Estimate, estimate, estimate_facts, js_to_fixed
from bmzcard.carbon import data
from bmzcard.errors import BmzcardError

SHARED = Path(os.environ.get("BMZCARD_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
MLCO2 = SHARED / "carbon" / "mlco2"
BUNDLED = Path(data.__file__).parent / "data"


def test_bundled_data_is_the_upstream_data_unchanged():
    assert MLCO2.is_dir(), f"shared data missing: {MLCO2} (set BMZCARD_SHARED)"
    for name in ("gpus.csv", "impact.csv", "LICENSE"):
        source = MLCO2 / ("data" if name.endswith(".csv") else "") / name
        assert (BUNDLED / name).read_bytes() == source.read_bytes(), name
    notice = (BUNDLED / "NOTICE.md").read_text()
    assert "arXiv:1910.09700" in notice and "d0d3ee5a71ea222ac344a94900642ed2ce649af4" in notice


def test_tables_have_every_row():
    assert len(data.hardware()) == 48
    assert sum(len(rows) for rows in data.regions().values()) == 82
    # The A10G row has a field too few; its TDP is still read.
    assert data.hardware()["A10G"].tdp_text == "150"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.105, 0.10),  # stored as 0.10499999999999999611... -> down
        (1.005, 1.00),  # stored as 1.00499999999999989341... -> down
        (2.675, 2.67),  # stored as 2.67499999999999982236... -> down
        (0.125, 0.13),  # exact tie -> the larger integer, as toFixed does
        (0.1665000000000000091, 0.17),
        (14.25, 14.25),
    ],
)
def test_rounding_is_javascript_to_fixed(value, expected):
    assert js_to_fixed(value) == expected


def test_worked_example_v100_gcp_us_central1():
    # Tesla V100-SXM2-16GB,gpu,250 / gcp,...,100,us-central1,...,566.3
    # 250 W x 100 h / 1000 = 25.0 kWh; int(566.3) = 566 -> 0.566 -> 0.57 kg/kWh
    # 25.0 x 0.57 = 14.25 kg; offset 14.25 x 100 / 100 = 14.25
    result = estimate("Tesla V100-SXM2-16GB", 100, provider="gcp", region="us-central1")
    assert (result.energy_kwh, result.intensity_kg_per_kwh) == (25.0, 0.57)
    assert (result.co2_kg, result.offset_kg) == (14.25, 14.25)


def test_worked_example_t4_aws_eu_west_3():
    # T4,gpu,70 / aws,...,0,eu-west-3,EU (Paris),...,105
    # 70 x 10 / 1000 = 0.7 kWh; 105 / 1000 = 0.105 -> toFixed 0.10 (binary below the tie)
    # 0.7 x 0.10 = 0.07 kg; offset ratio 0 -> 0
    result = estimate("T4", 10, provider="aws", region="eu-west-3")
    assert (result.energy_kwh, result.intensity_kg_per_kwh) == (0.7, 0.10)
    assert (result.co2_kg, result.offset_kg) == (0.07, 0.0)


def test_devices_multiply_hours_before_the_formula():
    # A100 SXM4 80 GB,gpu,400 / coreweave,...,0,ORD1,US Central,...,424.5
    # 2.5 h x 8 devices = 20 device-hours; 400 x 20 / 1000 = 8.0 kWh
    # int(424.5) = 424 -> 0.424 -> 0.42; 8.0 x 0.42 = 3.36 kg; offset 0
    result = estimate("A100 SXM4 80 GB", 2.5, devices=8, provider="coreweave", region="ORD1")
    assert result.hours == 20
    assert (result.energy_kwh, result.intensity_kg_per_kwh, result.co2_kg) == (8.0, 0.42, 3.36)
    assert result.offset_kg == 0.0


def test_short_a10g_row_and_rounding_of_emissions():
    # A10G,gpu,150 (row with a field too few) / aws,...,0,us-east-1,...,367.8
    # 150 x 3 / 1000 = 0.45 kWh; int(367.8) = 367 -> 0.367 -> 0.37
    # 0.45 x 0.37 = 0.16650000000000000910 (binary) -> 0.17
    result = estimate("A10G", 3, provider="aws", region="us-east-1")
    assert (result.energy_kwh, result.intensity_kg_per_kwh, result.co2_kg) == (0.45, 0.37, 0.17)


def test_integer_truncation_of_intensity_and_precise_mode():
    # T4,gpu,70 / gcp,...,100,northamerica-northeast1,...,34.5
    # calculator: 7.0 kWh x (int(34.5) = 34 -> 0.034 -> 0.03) = 0.21 kg, all offset
    # precise: 7.0 kWh x 0.0345 = 0.2415 kg; with PUE 1.1: 7.7 kWh x 0.0345 = 0.26565
    result = estimate("T4", 100, provider="gcp", region="northamerica-northeast1")
    assert (result.co2_kg, result.offset_kg) == (0.21, 0.21)
    precise = estimate("T4", 100, provider="gcp", region="northamerica-northeast1", precise=True)
    assert precise.co2_kg == pytest.approx(0.2415)
    assert precise.offset_kg == pytest.approx(0.2415)
    with_pue = estimate("T4", 100, provider="gcp", region="northamerica-northeast1", precise=True, pue=1.1)
    assert with_pue.energy_kwh == pytest.approx(7.7)
    assert with_pue.co2_kg == pytest.approx(0.26565)
    assert "precise" in with_pue.method and "PUE 1.1" in with_pue.method


def test_custom_intensity_is_used_as_given_without_offset():
    # 70 x 10 / 1000 = 0.7 kWh x 0.3 = 0.21 kg; private infrastructure, nothing offset
    result = estimate("T4", 10, intensity_kg_per_kwh=0.3)
    assert (result.co2_kg, result.offset_kg, result.provider, result.region) == (0.21, 0.0, None, None)


def test_zero_carbon_region_and_region_without_code():
    # seeweb,...,fro2,...,0 -> 0 kg; scaleway has no region code, only the name "Paris" (105)
    assert estimate("T4", 10, provider="seeweb", region="fro2").co2_kg == 0.0
    paris = estimate("T4", 10, provider="Scaleway", region="paris")
    assert (paris.region, paris.co2_kg, paris.offset_kg) == ("Paris", 0.07, 0.07)


@pytest.mark.parametrize(
    ("hardware", "provider", "region"),
    [
        ("tesla v100 sxm2 16gb", "GCP", "US-Central1"),
        ("V100-SXM2-16GB", "Google Cloud Platform", "us central1"),
        ("NVIDIA Tesla V100-SXM2-16GB", "google", "uscentral1"),
    ],
)
def test_names_are_matched_forgivingly(hardware, provider, region):
    result = estimate(hardware, 100, provider=provider, region=region)
    assert (result.hardware, result.provider, result.region) == ("Tesla V100-SXM2-16GB", "gcp", "us-central1")


def test_region_by_display_name():
    assert estimate("T4", 1, provider="aws", region="EU (Paris)").region == "eu-west-3"
    assert estimate("T4", 1, provider="azure", region="France Central").region == "francecentral"


def test_ambiguous_hardware_lists_candidates():
    with pytest.raises(BmzcardError) as error:
        estimate("V100", 1, provider="gcp", region="us-central1")
    message = str(error.value)
    assert "ambiguous" in message
    for name in ("Tesla V100-PCIE-16GB", "Tesla V100-SXM2-16GB", "Tesla V100-SXM2-32GB"):
        assert name in message
    assert error.value.exit_code == 2


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"hardware": "Tesla V10O SXM2 16G"}, "did you mean 'Tesla V100-SXM2-16GB'"),
        ({"region": "us-centrl1"}, "did you mean 'us-central1'"),
        ({"provider": "amazn web services"}, "did you mean 'aws'"),
        ({"hours": -1}, "hours must be"),
        ({"pue": 1.2}, "--pue needs --precise"),
        ({"region": None}, "give --provider and --region"),
        ({"intensity_kg_per_kwh": 0.2}, "either --intensity or --provider/--region"),
    ],
)
def test_errors_name_the_problem(kwargs, expected):
    arguments = {"hardware": "T4", "hours": 1, "provider": "gcp", "region": "us-central1", **kwargs}
    with pytest.raises(BmzcardError) as error:
        estimate(arguments.pop("hardware"), arguments.pop("hours"), **arguments)
    assert expected in str(error.value)


def test_facts_and_json_round_trip():
    result = estimate("Tesla V100-SXM2-16GB", 50, devices=2, provider="gcp", region="us-central1")
    assert Estimate.from_json(json.loads(json.dumps(result.to_json()))) == result
    facts = {fact.key: fact for fact in estimate_facts(result)}
    assert set(facts) == {
        "environmental_impact.hardware_type",
        "environmental_impact.hours_used",
        "environmental_impact.cloud_provider",
        "environmental_impact.compute_region",
        "environmental_impact.carbon_emitted",
    }
    assert "14.25 kg CO2eq" in facts["environmental_impact.carbon_emitted"].value
    assert "100 device-hours" in facts["environmental_impact.hours_used"].value
    assert all(f.sources[0].kind == "computed" for f in facts.values())


def _run(*args: str):
    from bmzcard.cli.app import app

    return CliRunner().invoke(app, ["carbon", *args])


def test_cli_writes_json_with_the_documented_keys(tmp_path):
    out = tmp_path / "carbon.json"
    result = _run("--hardware", "T4", "--hours", "10", "--provider", "aws", "--region", "eu-west-3", "--json", str(out))
    assert result.exit_code == 0, result.output
    content = json.loads(out.read_text())
    for key in ("hardware", "tdp_w", "hours", "provider", "region", "energy_kwh",
                "intensity_kg_per_kwh", "co2_kg", "offset_kg", "method"):  # fmt: skip
        assert key in content
    assert (content["co2_kg"], content["offset_kg"], content["hours"]) == (0.07, 0.0, 10.0)
    assert "0.07" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--hardware", "V100", "--hours", "1", "--intensity", "0.2"), "ambiguous"),
        (("--hardware", "T4", "--hours", "-3", "--intensity", "0.2"), "hours must be"),
        (("--hardware", "T4", "--hours", "1", "--provider", "gcp", "--region", "mars-1"), "unknown region"),
    ],
)
def test_cli_errors_exit_2(args, expected):
    result = _run(*args)
    assert result.exit_code == 2
    assert expected in result.output


def test_cli_lists_and_teaches():
    listing = _run("--list", "hardware")
    assert listing.exit_code == 0 and "A10G" in listing.output
    regions = _run("--list", "regions")
    assert regions.exit_code == 0 and "us-central1" in regions.output
    helped = _run("--help")
    assert helped.exit_code == 0 and "Examples" in helped.output and "--intensity" in helped.output
