"""`check --verify` re-computes the evaluation recorded beside a card and finds numbers that differ."""

from __future__ import annotations

import json
import re
import shutil

from typer.testing import CliRunner

from bmzcard.cli.app import app
from bmzcard.demo import evaluate_example
from bmzcard.example import package_path
from bmzcard.outputs.card import generate_card

runner = CliRunner()


def _evaluated_example(tmp_path):
    package = tmp_path / "package"
    shutil.copytree(package_path(), package)
    generate_card(package, force=True)
    evaluate_example(package)
    return package / "README.md"


def test_verify_confirms_an_untouched_card_and_catches_an_edited_number(tmp_path):
    card = _evaluated_example(tmp_path)
    clean = runner.invoke(app, ["check", str(card), "--verify", "--select", "V001", "--format", "json"])
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.output)["files"][0]["findings"] == []

    text = card.read_text()
    dice_row = next(line for line in text.splitlines() if line.startswith("| Dice |"))
    overall = dice_row.split("|")[2].strip()  # e.g. "0.91 ± 0.02"
    mean = float(overall.split()[0])
    tampered_cell = f"{mean + 0.05:.2f} ± {overall.split()[-1]}"
    card.write_text(text.replace(dice_row, dice_row.replace(overall, tampered_cell, 1)))
    result = runner.invoke(app, ["check", str(card), "--verify", "--select", "V001", "--format", "json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["files"][0]["findings"]
    assert [f["code"] for f in findings] == ["V001"], findings
    assert re.search(rf"Dice / Overall: the card says {re.escape(tampered_cell)}, re-computed {re.escape(overall)}",
                     findings[0]["message"])
    assert findings[0]["line"] == text.splitlines().index(dice_row) + 1
