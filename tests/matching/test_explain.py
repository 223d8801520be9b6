"""Explanations: French strings an SME director reads, and the points adding up."""

from __future__ import annotations

import pytest

from marketplace.domain import WorkMode
from marketplace.formatting import NBSP, NNBSP, euros, weekdays_fr
from marketplace.matching.index import ProfileIndex
from marketplace.matching.ranking import rank_missions


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (48_000, f"480{NBSP}€"),
        (123_456, f"1{NNBSP}234,56{NBSP}€"),
        (100_000_000, f"1{NNBSP}000{NNBSP}000{NBSP}€"),
        (5, f"0,05{NBSP}€"),
    ],
)
def test_euros_the_french_way(cents, text):
    assert euros(cents) == text


def test_weekdays_in_week_order():
    assert weekdays_fr(["thu", "tue"]) == "mardi et jeudi"
    assert weekdays_fr(["fri", "mon", "wed"]) == "lundi, mercredi et vendredi"


@pytest.fixture
def explained(make_freelancer, make_mission, shipped_model):
    f = make_freelancer(tools=("Notion", "Payfit"), years_experience=11)
    m = make_mission()
    (match,) = ProfileIndex.build([f], shipped_model).top_k(m, 5)
    return match


def test_sme_breakdown_strings(explained):
    lines = explained.explanation.lines()
    assert "+ Compétences finance & achats 4/5 pour 4 demandés" in lines
    assert "+ Déjà mené : déménagement et notes de frais" in lines
    assert "+ Disponible mardi et jeudi (jusqu'à 3 jours par semaine)" in lines
    assert "+ 11 ans d'expérience (minimum : 7 ans)" in lines
    assert "+ TJM 460\u00a0€ pour 480\u00a0€ de budget" in lines
    assert "+ Outils : Notion et PayFit" in lines
    assert "− Ne mentionne pas : HubSpot" in lines


def test_negatives_are_explained(make_freelancer, make_mission, shipped_model):
    f = make_freelancer(
        skills={"finance_procurement": 2},
        years_experience=4,
        daily_rate_cents=52_000,
        bio="J'ai géré la newsletter interne.",
        work_mode=WorkMode.ONSITE,
    )
    (match,) = ProfileIndex.build([f], shipped_model).top_k(make_mission(), 5)
    negatives = [i.label for i in match.explanation.negatives]
    assert "Compétences finance & achats 2/5 pour 4 demandés" in negatives
    assert "Pas encore d'expérience visible en déménagement et notes de frais" in negatives
    assert "4 ans d'expérience (minimum : 7 ans)" in negatives
    assert "TJM 520\u00a0€ pour 480\u00a0€ de budget (+8\u00a0%)" in negatives
    assert any(label.startswith("Travaille sur site") and "(mission hybride)" in label for label in negatives)
    assert match.score < 50


def test_points_add_up_to_the_score(explained):
    expl = explained.explanation
    total = expl.base + sum(item.points for item in expl.items)
    assert total == pytest.approx(expl.score, abs=1.0)  # points are rounded to 0.1, score to 1
    assert 0 <= expl.score <= 100


def test_points_add_up_when_nothing_is_asked(make_freelancer, make_mission, shipped_model):
    m = make_mission(tools=(), description="Renfort administratif deux jours par semaine.")
    (match,) = ProfileIndex.build([make_freelancer()], shipped_model).top_k(m, 5)
    expl = match.explanation
    assert expl.base + sum(i.points for i in expl.items) == pytest.approx(expl.score, abs=1.0)
    assert any(i.label == "Aucun outil imposé par la mission" for i in expl.items)


def test_items_are_structured_for_the_pages(explained):
    data = explained.explanation.to_dict()
    kinds = {item["kind"] for item in data["items"]}
    assert {"skills", "needs", "availability", "experience", "rate", "tools", "work_mode"} <= kinds
    assert all(set(item) == {"kind", "label", "positive", "points", "code", "params"} for item in data["items"])
    assert data["lines"] == explained.explanation.lines()


def test_a_better_candidate_scores_higher(make_freelancer, make_mission, shipped_model):
    strong = make_freelancer(id="strong")
    weak = make_freelancer(id="weak", skills={"finance_procurement": 2}, bio="Accueil physique.", tools=())
    matches = ProfileIndex.build([weak, strong], shipped_model).top_k(make_mission(), 5)
    assert [m.id for m in matches] == ["strong", "weak"]
    assert matches[0].score > matches[1].score


def test_freelancer_side_wording(make_freelancer, make_mission, shipped_model):
    f = make_freelancer()
    (match,) = rank_missions(f, [make_mission()], model=shipped_model)
    lines = match.explanation.lines()
    assert "+ Vos compétences finance & achats 4/5 pour 4 demandés" in lines
    assert "+ Projets que vous avez déjà menés : déménagement et notes de frais" in lines
    assert "+ Mission le mardi et jeudi : vous êtes libre ces jours-là" in lines
    assert "+ Budget 480\u00a0€ par jour pour votre TJM de 460\u00a0€" in lines
    assert "− Outils demandés à découvrir : HubSpot" in lines


def test_reasons_carry_a_code_and_params_that_render_the_same_text(explained):
    """The pages translate a reason from its code and parameters: the French rendering is the label."""
    from marketplace.matching.reasons import render

    for item in explained.explanation.items:
        assert item.code and render(item.code, item.params) == item.label


def test_exclusions_are_worded_for_the_freelancer(make_freelancer, make_mission):
    from marketplace.matching.constraints import exclusion

    far = make_freelancer(mobility_km=10, lat=45.76, lon=4.84)  # Lyon, for a mission in Paris
    reason = exclusion(make_mission(), far, you=True)
    assert reason.code == "radius.you" and "au-delà de votre rayon de 10 km" in reason
