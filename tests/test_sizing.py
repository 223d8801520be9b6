"""The sizing rules against the field figures of DESIGN.md ("Rules taken from the field")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.errors import DomainError
from marketplace.formatting import money, percent
from marketplace.services.missions import sizing
from marketplace.services.missions.sizing import CostInputs, InvalidInput, TaskLine

# --- cost simulator --------------------------------------------------------------

def test_the_default_inputs_reproduce_the_ile_de_france_example_exactly():
    result = sizing.compare_costs(CostInputs())
    assert result.employer_charges_cents == 1_440_000  # 45 % of 32 000 €
    assert result.salaried_cents == 4_890_000          # 32 000 + 14 400 + 2 500
    assert result.days_per_year == Decimal(94)         # 2 days × 47 weeks
    assert result.freelance_cents == 4_230_000         # 450 € × 94
    assert result.saving_cents == 660_000
    assert percent(result.saving_rate) == "13,5\u00a0%"
    assert money(result.salaried_cents, with_cents=False) == "48\u202f900\u00a0€"


def test_every_input_is_editable_and_half_days_are_exact():
    result = sizing.compare_costs(CostInputs(
        gross_salary_cents=3_600_000, employer_rate=Decimal("0.42"), extras_cents=0,
        daily_rate_cents=48_050, days_per_week=Decimal("1.5"), weeks_per_year=45,
    ))
    assert result.salaried_cents == 3_600_000 + 1_512_000
    assert result.days_per_year == Decimal("67.5")
    assert result.freelance_cents == 3_243_375  # 480,50 € × 67,5 days
    assert result.saving_cents == 5_112_000 - 3_243_375


def test_a_freelance_dearer_than_the_salaried_gives_a_negative_saving():
    result = sizing.compare_costs(CostInputs(daily_rate_cents=60_000, days_per_week=Decimal(4)))
    assert result.saving_cents < 0 and result.saving_rate < 0
    assert not result.freelance_cheaper


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"gross_salary_cents": -100}, "gross_salary", "Le salaire brut annuel doit être supérieur à 0 € (jamais négatif)."),
        ({"gross_salary_cents": 0}, "gross_salary", "Le salaire brut annuel doit être supérieur à 0 € (jamais négatif)."),
        ({"employer_rate": Decimal("-0.01")}, "employer_rate", "Le taux de charges patronales doit être compris entre 0 et 100 %."),
        ({"extras_cents": -1}, "extras", "Les frais annexes ne peuvent pas être négatifs (0 € si aucun)."),
        ({"daily_rate_cents": 0}, "daily_rate", "Le TJM doit être supérieur à 0 €."),
        ({"days_per_week": Decimal("0.25")}, "days_per_week", "Le nombre de jours par semaine doit être compris entre 0,5 et 5."),
        ({"days_per_week": Decimal("5.5")}, "days_per_week", "Le nombre de jours par semaine doit être compris entre 0,5 et 5."),
        ({"weeks_per_year": 0}, "weeks_per_year", "Le nombre de semaines travaillées doit être compris entre 1 et 52."),
        ({"weeks_per_year": 53}, "weeks_per_year", "Le nombre de semaines travaillées doit être compris entre 1 et 52."),
    ],
)
def test_each_input_is_validated_with_a_french_message(changes, field, message):
    with pytest.raises(InvalidInput) as caught:
        sizing.compare_costs(CostInputs(**changes))
    assert [(e.field, e.message) for e in caught.value.errors] == [(field, message)]


def test_all_wrong_inputs_are_reported_together():
    with pytest.raises(InvalidInput) as caught:
        sizing.compare_costs(CostInputs(gross_salary_cents=-1, days_per_week=Decimal(6), weeks_per_year=60))
    assert [e.field for e in caught.value.errors] == ["gross_salary", "days_per_week", "weeks_per_year"]


def test_the_limits_themselves_are_accepted():
    assert sizing.compare_costs(CostInputs(days_per_week=Decimal("0.5"), weeks_per_year=1)).days_per_year == Decimal("0.5")
    assert sizing.compare_costs(CostInputs(days_per_week=Decimal(5), weeks_per_year=52)).days_per_year == 260


def test_days_per_week_go_by_half_days():
    assert sizing.compare_costs(CostInputs(days_per_week=Decimal("1.5"))).days_per_year == Decimal("70.5")
    with pytest.raises(InvalidInput) as caught:
        sizing.compare_costs(CostInputs(days_per_week=Decimal("1.3")))
    assert caught.value.message == "Indiquez des jours entiers ou des demi-journées (par exemple 1,5 ou 2)."


# --- diagnostic --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("ticked", "code", "title"),
    [
        (0, "healthy", "Peut-être trop petit ou déjà bien organisé"),
        (2, "healthy", "Peut-être trop petit ou déjà bien organisé"),
        (3, "energy", "Vous tenez grâce à l'énergie"),
        (5, "energy", "Vous tenez grâce à l'énergie"),
        (6, "structural", "Problème structurel"),
        (8, "structural", "Problème structurel"),
        (9, "urgent", "Urgent"),
        (10, "urgent", "Urgent"),
    ],
)
def test_the_four_bands_of_the_ten_signals(ticked, code, title):
    result = sizing.diagnose(sizing.SIGNAL_CODES[:ticked])
    assert result.score == ticked
    assert (result.band.code, result.band.title) == (code, title)


def test_the_ten_signals_of_the_field():
    labels = [s.label for s in sizing.SIGNALS]
    assert len(labels) == 10
    assert labels[0] == "Le dirigeant consacre 40\u202f% ou plus de son temps à l'opérationnel"  # never broken before « % »
    assert "Un turnover supérieur à 20\u202f%" in labels
    assert "Les nouveaux arrivants sont perdus pendant trois semaines" in labels


def test_the_hidden_cost_adds_one_explained_line_per_ticked_signal():
    result = sizing.diagnose(["admin_questions", "legal_unknown", "suppliers_expensive"], headcount=20)
    lines = {line.signal.code: line for line in result.lines}
    # 20 questions × 5 minutes × 218 days = 363,33 h at the junior's 30,43 € an hour (48 900 € / 1 607 h)
    assert sizing.STAFF_HOURLY_CENTS == 3043
    assert lines["admin_questions"].cents == 1_105_623
    assert "20 questions de 5 minutes" in lines["admin_questions"].assumption
    assert lines["legal_unknown"].cents == 150_000
    assert lines["suppliers_expensive"].cents == 20 * 25_000  # 10 % of 2 500 € per person
    assert result.hidden_cost_cents == 1_105_623 + 150_000 + 500_000
    assert result.hidden_cost_rounded_cents == 1_760_000


def test_the_hidden_cost_grows_with_the_headcount_and_defaults_to_twenty_people():
    small = sizing.diagnose(["undocumented_processes"], headcount=10)
    default = sizing.diagnose(["undocumented_processes"])
    large = sizing.diagnose(["undocumented_processes"], headcount=80)
    assert default.headcount == 20
    assert small.hidden_cost_cents < default.hidden_cost_cents < large.hidden_cost_cents
    assert default.volume.label == "1 à 1,5 jour par semaine"


def test_no_signal_means_no_hidden_cost():
    result = sizing.diagnose([])
    assert result.hidden_cost_cents == 0 and result.suggested_tasks == []


def test_ticked_signals_point_to_catalogue_tasks_for_the_perimeter():
    result = sizing.diagnose(["onboarding_lost", "legal_unknown", "undocumented_processes", "admin_questions"])
    assert result.suggested_tasks == ["onboarding", "documentation", "internal_comms", "process_mapping", "safety_registers"]


def test_unknown_signals_are_refused_or_dropped():
    with pytest.raises(DomainError):
        sizing.diagnose(["nope"])
    assert sizing.parse_signal_codes("legal_unknown,nope,director_ops") == ["director_ops", "legal_unknown"]


# --- volume ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("people", "low", "high"),
    [(5, 1, 2), (10, 2, 3), (20, 2, 3), (25, 2, 3), (26, 4, 4), (50, 4, 4), (51, 5, 6), (80, 5, 6),
     (81, 6, 10), (120, 6, 10), (121, 8, 10)],
)
def test_headcount_table(people, low, high):
    band = sizing.headcount_band(people)
    assert (band.low_half_days, band.high_half_days) == (low, high)


def test_the_headcount_table_reads_as_in_the_field():
    assert [b.label for b in sizing.HEADCOUNT_TABLE[1:5]] == [
        "1 à 1,5 jour par semaine",
        "2 jours par semaine",
        "2,5 à 3 jours par semaine",
        "3 à 4 jours par semaine, voire un temps plein",
    ]


def test_the_field_example_perimeter_recommends_one_and_a_half_days():
    lines = sizing.field_example()
    assert len(lines) == 8 and sum(line.minutes_per_month for line in lines) == 24 * 60
    volume = sizing.recommend_volume(lines, headcount=20)
    assert volume.perimeter_half_days == 3
    assert volume.recommended_half_days == 3
    assert volume.recommended_days == Decimal("1.5")
    assert volume.reasoning[0] == (
        "Votre périmètre compte 8 tâches pour 24 h par mois, soit environ 6 h par semaine."
    )
    assert volume.reasoning[1].endswith("arrondi à la demi-journée supérieure : 1,5 jour par semaine.")
    assert volume.reasoning[2] == (
        "Avec 20 personnes, les PME de 10 à 25 personnes prennent habituellement 1 à 1,5 jour par semaine."
    )
    assert volume.reasoning[3] == "Les deux approches concordent : nous recommandons 1,5 jour par semaine au minimum."


def test_a_light_perimeter_for_a_large_company_takes_the_usual_volume_and_says_so():
    volume = sizing.recommend_volume([TaskLine("Onboarding", 240)], headcount=60)
    assert volume.perimeter_half_days == 1
    assert volume.recommended_half_days == 5  # 2,5 days, bottom of the 50–80 band
    assert "paraît léger" in volume.reasoning[-1]


def test_a_heavy_perimeter_is_followed_beyond_the_usual_volume():
    volume = sizing.recommend_volume([TaskLine("Déménagement", 80 * 60)], headcount=15)
    assert volume.perimeter_half_days == 8  # 80 h/month ≈ 18,5 h/week ÷ 5 h = 3,7 → 4 days
    assert volume.recommended_half_days == 8
    assert "nous suivons le périmètre" in volume.reasoning[-1]


def test_the_recommendation_never_exceeds_full_time():
    assert sizing.recommend_volume([TaskLine("Tout", 150 * 60)], headcount=200).recommended_half_days == 10


def test_an_empty_perimeter_is_refused():
    with pytest.raises(DomainError) as caught:
        sizing.recommend_volume([], headcount=20)
    assert caught.value.field == "perimeter"


def test_required_levels_come_from_the_perimeter_dimensions_and_criticality():
    lines = [
        sizing.catalogue_line("onboarding", criticality=5),
        sizing.catalogue_line("suppliers"),
        TaskLine("Rituels du lundi", 60, 2, dimension="communication_coordination"),
    ]
    assert sizing.suggested_levels(lines) == {
        "people_culture": 4, "finance_procurement": 3, "communication_coordination": 3,
    }


def test_volume_breakdown_by_dimension_and_critical_tasks():
    lines = [sizing.catalogue_line("onboarding", criticality=4), sizing.catalogue_line("events"),
             sizing.catalogue_line("budget")]
    volume = sizing.recommend_volume(lines, headcount=20)
    assert volume.minutes_by_dimension == {"people_culture": 360, "finance_procurement": 180}
    assert volume.critical_tasks == ("Intégration des nouveaux (onboarding)",)


def test_freelance_yearly_cost_matches_the_simulator():
    assert sizing.freelance_yearly_cents(4) == sizing.compare_costs(CostInputs()).freelance_cents
    assert sizing.freelance_yearly_cents(3) == 3_172_500
