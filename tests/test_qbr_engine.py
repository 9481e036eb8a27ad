"""The QBR figures of SPEC v1.1 §4 on a whole realistic portfolio (the
sample, both languages): everything the dashboard and the headlines state
is consistent with the accounts it is computed from, and summary.json with
these keys validates against its schema. The rules themselves are pinned
against hand-computed numbers in test_evaluate.py and test_summary.py."""
import json
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files

import jsonschema
import pytest

from kamreport.engine import evaluate as E
from kamreport.outputs import summary as SM
from kamreport.engine.core import compute
from kamreport.sample.workbooks import sample_dataset
from kamreport.texts import sentences

SCHEMA = json.loads(files("kamreport.outputs").joinpath("summary.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def built(lang):
    d = sample_dataset(lang, 150, 1)
    return d, compute(d)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sample_summary_validates_with_the_v1_1_keys(lang):
    d, r = built(lang)
    out = SM.summary_dict(r, d, [], {})
    jsonschema.validate(out, SCHEMA)
    assert 1 <= len(out["headlines"]) <= 5
    assert all(r["action"] for a in out["accounts"] for r in a["risks"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_customer_we_know_little_about_is_shown_healthy(lang):
    _, r = built(lang)
    for a in r.accounts:
        if a.tier in ("key", "ordinary"):
            present = sum(Decimal(repr(h.weight)) for h in a.health_components if h.value is not None)
            assert Decimal(repr(a.health_coverage)) == present
            if present < Decimal("0.5"):
                assert a.health is None and a.health_band == "insufficient"
            # a customer without growth and satisfaction evidence never gets a health
            g = {h.name: h.value for h in a.health_components}
            if g["growth"] is None and g["satisfaction"] is None:
                assert a.health_band == "insufficient"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_key_account_with_a_high_risk_has_a_plan_or_the_risk_says_so(lang):
    d, r = built(lang)
    plans = E.group_by_customer(d.plans)
    for a in r.accounts:
        high = any(x.severity == "high" for x in a.risks if x.code != "NO_ACTION_PLAN")
        in_force = E.open_actions(plans.get(a.customer_id, ()), r.period.as_of)
        flagged = any(x.code == "NO_ACTION_PLAN" for x in a.risks)
        assert flagged == (a.tier == "key" and high and in_force == 0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headlines_agree_with_the_accounts(lang):
    _, r = built(lang)
    by_id = {a.customer_id: a for a in r.accounts}
    p = r.portfolio
    codes = [h.code for h in r.headlines]
    assert codes == [c for c in E.HEADLINE_ORDER if c in codes]           # most important first
    for h in r.headlines:
        assert sentences.headline(h.code, h.params, lang, r.settings.currency)
        assert all(c in by_id for c in h.customers)
        named = [by_id[c] for c in h.customers]
        if h.code == "REVENUE_AT_RISK":
            assert h.figure == pytest.approx(p.revenue_at_risk)
            assert {a.customer_id for a in r.accounts if a.tier == "key" and E.has_high_risk(a)} == set(h.customers)
        elif h.code == "NO_ACTION_PLAN":
            assert h.figure == len(named) and all(any(x.code == "NO_ACTION_PLAN" for x in a.risks) for a in named)
        elif h.code == "LARGEST_DROP":
            assert h.customers == (p.movers_down[0].customer_id,) and h.figure == p.movers_down[0].change
        elif h.code == "KEY_ACCOUNTS_LOST":
            assert all(a.tier_prev == "key" and a.tier != "key" for a in named)
            assert h.figure == sum(1 for a in r.accounts if a.tier_prev == "key" and a.tier != "key")
        elif h.code == "RENEWALS_DUE":
            assert all(any(x.code == "CONTRACT_EXPIRING" for x in a.risks) for a in named)
        elif h.code in ("PYRAMID_OFF_TARGET", "TIME_OFF_TARGET"):
            assert abs(h.figure) > 0.1 and h.group in ("key", "ordinary", "other")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_history_and_quarters_agree_with_the_period_figures(lang):
    _, r = built(lang)
    p = r.portfolio
    assert p.revenue_by_quarter[-1].revenue == pytest.approx(p.revenue_q)
    assert p.revenue_by_quarter[-2].revenue == pytest.approx(p.revenue_pq)
    assert p.revenue_by_quarter[-5].revenue == pytest.approx(p.revenue_yq)
    for a in r.accounts:
        assert [h.revenue_q for h in a.history[:2]] == pytest.approx([a.revenue_q, a.revenue_pq])
        assert a.history[1].tier == a.tier_prev
        # an account's own 8-quarter trend holds the same windows, oldest first
        assert [q.revenue for q in a.revenue_by_quarter[::-1][:4]] == pytest.approx([h.revenue_q for h in a.history])
