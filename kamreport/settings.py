"""Settings of SPEC §5: defaults, the Settings sheet, command-line overrides.

The `Settings` dataclass is the settings in force; the booklet's methodology
page prints it. Parsing of the Settings sheet lives here too (engine stage).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    company: str = ""
    report_title: str = ""          # blank: a default title in the report language
    language: str = "en"            # zh | en
    currency: str = "CNY"
    abc_basis: str = "gross_profit"  # gross_profit | revenue
    abc_a_cut: float = 0.70
    abc_b_cut: float = 0.90
    weight_value: float = 0.5
    weight_potential: float = 0.3
    weight_strategic: float = 0.2
    attractive_high: float = 70
    attractive_medium: float = 40
    high_potential: float = 80
    cadence_key: int = 30
    cadence_ordinary: int = 90
    cadence_prospect: int = 180
    revenue_drop: float = 0.20
    satisfaction_floor: float = 6
    complaint_days: int = 14
    contract_days: int = 90
    concentration: float = 0.20
    mail_to: tuple[str, ...] = ()
    mail_subject: str = ""
    brand_color: str = "#1f4e79"
    logo: str | None = None          # absolute path, resolved against the workbook
