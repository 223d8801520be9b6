"""Matches are shown as calibrated bands with a per-criterion chart, on the application's own terms."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from scipy.special import expit

from marketplace.matching.model import packaged_model
from marketplace.services.matching import bands
from marketplace.services.matching import facade as matching
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    FreelancerProfileFactory,
    MissionFactory,
    PerimeterLineFactory,
)


def plain(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("\u202f", " ").replace("\xa0", " ").split())


def test_the_expected_grade_is_the_sum_of_grade_times_its_probability():
    model = packaged_model()
    ordinal = model.pipeline.named_steps["ordinal"]
    eta = model.raw_scores(model.training.X[:500])
    reach = expit(np.add.outer(eta, ordinal.thresholds_))  # P(grade ≥ 1), P(≥ 2), P(≥ 3)
    cumulative = np.hstack([np.ones((len(eta), 1)), reach, np.zeros((len(eta), 1))])
    probability = cumulative[:, :-1] - cumulative[:, 1:]  # P(grade = 0 … 3)
    expected = probability @ ordinal.levels_
    assert np.allclose(model.expected_grade(eta), expected)
    # The 0–100 score the ranking keeps is that grade as a share of the top one.
    assert np.allclose(model.to_points_float(eta), 100 * expected / 3)


def test_the_bands_are_calibrated_on_the_judged_pairs():
    model = packaged_model()
    grade = model.expected_grade(model.raw_scores(model.training.X))
    judged = model.training.y
    shown = np.array([bands.band_for(g).code for g in grade])
    for truth, code in ((3, "excellent"), (2, "good"), (1, "possible"), (0, "basic")):
        assert (shown[judged == truth] == code).mean() >= 0.8, (truth, code)
    # Higher bands hold better outcomes: the mean judged grade falls band after band.
    means = [judged[shown == band.code].mean() for band in bands.BANDS]
    assert means == sorted(means, reverse=True)


@pytest.mark.parametrize("grade, code", [(3.0, "excellent"), (2.5, "excellent"), (2.49, "good"), (1.5, "good"),
                                         (1.2, "possible"), (0.5, "possible"), (0.49, "basic"), (0.0, "basic")])
def test_band_thresholds(grade, code):
    assert bands.band_for(grade).code == code
    assert bands.band_for(None) is None


@pytest.fixture()
def mission(sme_user):
    found = MissionFactory(company=sme_user.company, tools=["Notion"], max_daily_rate_cents=48_000)
    PerimeterLineFactory(mission=found)
    return found


def test_an_application_is_explained_with_its_own_rate_and_weekdays(app_ctx, client, sme_user, mission, db_session):
    profile = FreelancerProfileFactory(daily_rate_cents=48_000)
    application = ApplicationFactory(mission=mission, freelancer=profile, proposed_rate_cents=47_000)
    result = matching.score_application(db_session, application)
    rate = next(r for r in result.reasons if r.kind == "rate")
    assert rate.params["rate"] == 47_000
    assert result.band == bands.band_for(result.grade)
    # A proposed rate under the profile's scores at least as well as the profile's own.
    assert result.score >= matching.score_pair(db_session, mission, profile).score

    login(client, sme_user.email, PASSWORD)
    for url in (f"/entreprise/missions/{mission.id}/candidatures", f"/entreprise/candidatures/{application.id}"):
        page = plain(client.get(url))
        assert "TJM 470 € pour 480 € de budget" in page and "TJM 480 € pour" not in page
        assert f"{result.band.label}" in page and "/ 100" not in page and "sur 100" not in page
        assert "Ce qui joue, critère par critère" in page and "Tarif" in page

    matching.snapshot_application(db_session, application)
    assert next(r for r in application.score_breakdown if r["kind"] == "rate")["params"]["rate"] == 47_000


def test_the_recommendations_and_the_freelancer_pages_show_bands(app, client, sme_user, mission, db_session):
    profile = FreelancerProfileFactory()
    with app.app_context():  # not for the whole test: each client's requests need their own
        result = matching.score_pair(db_session, mission, profile)
        mine = matching.score_pair(db_session, mission, profile, for_freelancer=True)
    login(client, sme_user.email, PASSWORD)
    page = client.get(f"/entreprise/missions/{mission.id}").get_data(as_text=True)
    assert f'data-band="{result.band.code}"' in page and "sur 100" not in page
    assert 'class="match-chart"' in page

    freelancer = app.test_client()
    login(freelancer, profile.user.email, PASSWORD)
    for url in ("/freelance/", "/freelance/missions", f"/freelance/missions/{mission.id}"):
        page = freelancer.get(url).get_data(as_text=True)
        assert f'data-band="{mine.band.code}"' in page, url
        assert "/ 100" not in page and "sur 100" not in page, url
