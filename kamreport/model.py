"""Records produced by the reader (SPEC §1) and consumed by the engine.

Every record is a frozen dataclass with slots (no per-record __dict__: a
full Activities sheet is a million records), Sale a named tuple (see
there), with already-parsed values:
dates are `datetime.date`, months are `date` on day 1, money is `float`,
percents are fractions (8 % -> 0.08), enums are their keys
("preferred_supplier"), blanks are `None`. Each record remembers where it came from (`Loc`) so that the
engine and the reports can point back at the workbook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

FATAL, ERROR, WARNING, INFO = "fatal", "error", "warning", "info"


@dataclass(frozen=True, slots=True)
class Loc:
    file: str          # path as given on the command line
    sheet: str         # sheet name as in the workbook
    row: int           # Excel row number, 1-based
    # Column letter, only where a record stands for one cell: a Settings
    # row's value, so that its problems point at `Settings!B7`.
    column: str = ""


@dataclass(frozen=True)
class Problem:
    severity: str      # fatal | error | warning | info
    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""   # column letter, "C"
    header: str = ""   # header text as written in the workbook
    value: str = ""    # offending value, as text
    message: str = ""  # in the report language

    def location(self) -> str:
        """`file:Sheet!C17`, as printed by `kamreport validate`."""
        where = self.file
        if self.sheet:
            where += f":{self.sheet}"
            if self.row is not None:
                where += f"!{self.column}{self.row}"
        return where


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str
    name: str
    loc: Loc
    industry: str | None = None
    region: str | None = None
    account_manager: str | None = None
    executive_sponsor: str | None = None
    sales_manager: str | None = None
    since: date | None = None
    long_term_agreement: bool = False
    contract_end: date | None = None
    designated_key: bool = False
    market_size: float | None = None
    market_growth: float | None = None      # fraction
    strategic_fit: int | None = None
    industry_position: int | None = None
    relationship_stage: str | None = None
    relationship_type: str | None = None
    notes: str | None = None                # markdown source


class Sale(NamedTuple):
    """One month's sales of a customer (a Sales row, or a wide sheet's cell).

    A named tuple, not a frozen slots dataclass like the other records: a
    wide sheet of 10,000 customers × 36 months is 360,000 Sales, and making
    a tuple from its fields costs a third of setting eight slots (the read
    of such a sheet was half record building). Read-only and compared by
    value like the others; a changed copy is `sale._replace(...)`."""
    customer_id: str
    month: date                             # first day of the month
    revenue: float
    loc: Loc
    gross_profit: float | None = None
    product: str | None = None
    overdue_amount: float | None = None
    target: float | None = None             # the month's target, when the row has one


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A Targets sheet row as written: its period is a month, quarter or year."""
    customer_id: str
    period: str
    target: float
    loc: Loc


@dataclass(frozen=True, slots=True)
class Target:
    """A target value for one customer and month (SPEC §4 Targets)."""
    customer_id: str
    month: date
    target: float
    loc: Loc


@dataclass(frozen=True, slots=True)
class Activity:
    customer_id: str
    date: date
    type: str
    loc: Loc
    owner: str | None = None
    contact: str | None = None
    minutes: float = 0.0
    resolved_on: date | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Birthday:
    month: int
    day: int
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    customer_id: str
    name: str
    loc: Loc
    title: str | None = None
    role: str | None = None
    attitude: str | None = None
    influence: int | None = None
    birthday: Birthday | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Survey:
    customer_id: str
    date: date
    score: float
    loc: Loc
    nps: int | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    customer_id: str
    objective: str
    action: str
    loc: Loc
    owner: str | None = None
    due: date | None = None
    status: str = "open"
    completed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Competitor:
    customer_id: str
    competitor: str
    loc: Loc
    share: float | None = None              # fraction
    strengths: str | None = None
    weaknesses: str | None = None


@dataclass(frozen=True, slots=True)
class Staff:
    """A Staff row: the person behind an account_manager name."""
    name: str
    loc: Loc
    email: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class SheetCount:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0        # void rows, totals and footers, copies from another file (SPEC §1)


@dataclass(frozen=True)
class SheetInfo:
    """How the reader understood one sheet (`kamreport validate` prints it)."""
    file: str
    sheet: str
    kind: str                                   # Customers, Sales, …
    header_row: int
    layout: str = "long"                        # long | wide
    months: tuple[str, ...] = ()                # wide: the months found, "2026-07"
    columns: tuple[tuple[str, str, str, str], ...] = ()   # (letter, header, field, unit)
    skipped: tuple[tuple[str, int], ...] = ()   # (why, rows): void, stage, totals, footers, copies
    match: str = "id"                           # id | name: how rows find their customer


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str


@dataclass(frozen=True)
class Dataset:
    """Everything read from the workbooks, merged in command-line order."""
    inputs: tuple[InputFile, ...]
    customers: tuple[Customer, ...] = ()
    sales: tuple[Sale, ...] = ()
    activities: tuple[Activity, ...] = ()
    contacts: tuple[Contact, ...] = ()
    surveys: tuple[Survey, ...] = ()
    plans: tuple[Plan, ...] = ()
    competitors: tuple[Competitor, ...] = ()
    targets: tuple[Target, ...] = ()
    staff: tuple[Staff, ...] = ()
    sheets: tuple[SheetInfo, ...] = ()      # how each sheet was understood
    # Settings sheet rows as written: (key, value-as-text, Loc); the engine's
    # settings stage validates them.
    settings: tuple[tuple[str, str, Loc], ...] = ()
    rows: dict[str, SheetCount] = field(default_factory=dict)   # by sheet key, "Customers"
    problems: tuple[Problem, ...] = ()
    has_gross_profit: bool = False      # a gross_profit column exists somewhere
    language: str = "en"                # zh when the Customers headers are Chinese

    @property
    def fatal(self) -> bool:
        return any(p.severity == FATAL for p in self.problems)
