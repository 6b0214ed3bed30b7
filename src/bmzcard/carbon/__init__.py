"""Offline carbon estimates with the ML CO2 Impact calculator's data and arithmetic.

`estimate` reproduces https://mlco2.github.io/impact#compute exactly (or, with
``precise=True``, without its rounding); `estimate_facts` turns the result into
card facts. The data and its license and citation are in `data/`.
"""

from bmzcard.carbon.calculator import Estimate, estimate, find_hardware, find_region, js_to_fixed
from bmzcard.carbon.facts import estimate_facts

__all__ = ["Estimate", "estimate", "estimate_facts", "find_hardware", "find_region", "js_to_fixed"]
