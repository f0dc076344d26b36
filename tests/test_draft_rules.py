"""The drafter's rules, one at a time, on sentences of our own writing (never an article's):
how figures are read, which metric, entity, period and status each gets, one claim per figure,
quotes, summaries and headlines. The corpus is made here: a few companies, a group, the
industry and a small registry of quantities."""

from __future__ import annotations

import pytest

from tui.draft import draft
from tui.draft.page import from_text, headline
from tui.store.model import Corpus, Entity, Metric, Topic
from tui.store.numbers import find_figures

ENTITIES = [
    Entity("meta", "Meta Platforms", "company", ["Meta"]),
    Entity("microsoft", "Microsoft", "company", []),
    Entity("amazon", "Amazon", "company", ["AWS"]),
    Entity("alphabet", "Alphabet", "company", ["Google"]),
    Entity(
        "big-tech",
        "Meta, Amazon, Microsoft and Alphabet",
        "group",
        ["Big Tech", "hyperscalers"],
        ["meta", "amazon", "microsoft", "alphabet"],
    ),
    Entity("meta-microsoft", "Meta and Microsoft", "group", [], ["meta", "microsoft"]),
    Entity("tech-industry", "Tech industry", "industry", ["industry"]),
]
TOPICS = [
    Topic(t, t.replace("-", " "), i)
    for i, t in enumerate(["job-cuts", "ai-capex", "hiring", "severance", "losses", "market-context", "financial-pressure"])
]
METRICS = [
    Metric("employees-cut", "Employees cut", "employees", "jobs cut", ["employees laid off", "job cuts", "layoffs", "jobs eliminated"], ["workforce-cut-pct"], "job-cuts"),
    Metric("ai-team-employees-cut", "Employees cut from AI teams", "employees", "", ["AI team employees laid off"], [], "job-cuts"),
    Metric("workforce-cut-pct", "Share of the workforce cut", "percent", "", ["share of the workforce cut", "headcount reduced"], [], "job-cuts"),
    Metric("open-roles-cancelled", "Open roles cancelled", "roles", "", ["open roles cancelled"], [], "job-cuts"),
    Metric("ai-job-openings", "AI job openings", "roles", "", ["AI job openings"], ["open-roles-cancelled"], "hiring"),
    Metric("retirement-eligible-pct", "Share offered voluntary retirement", "percent", "", ["workforce offered voluntary retirement", "workforce offered buyouts"], [], "job-cuts"),
    Metric("severance-weeks", "Severance (weeks of pay)", "weeks", "", ["weeks of pay", "weeks of severance"], [], "severance"),
    Metric("capex-usd", "Capital expenditure (USD)", "USD", "", ["capital expenditure", "capex"], ["ai-capex-usd"], "ai-capex"),
    Metric("ai-capex-usd", "AI infrastructure investment (USD)", "USD", "", ["AI capex", "spending on AI infrastructure"], ["capex-usd"], "ai-capex"),
]  # fmt: skip
CORPUS = Corpus(ENTITIES, TOPICS, [], metrics=METRICS)


def drafted(text: str, published: str | None = None):
    page = from_text(text, "page.txt")
    page.published = published
    return draft(page, CORPUS, "t")


def only(text: str, published: str | None = None):
    d = drafted(text, published)
    assert len(d.claims) == 1, [(c.value, c.quote) for c in d.claims]
    return d.claims[0]


def only_value(d, value):
    [c] = [c for c in d.claims if c.value == value]
    return c


def value_of(text: str):
    [f] = find_figures(text)
    return (f.low if f.low == f.high else [f.low, f.high]), f.unit, f.bound


# --- numbers, as pages print them -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Northwind will spend $145 Billion.", (145_000_000_000, "USD", "exact")),
        ("Northwind will spend US$145 BILLION.", (145_000_000_000, "USD", "exact")),
        ("Northwind will spend $145 bn.", (145_000_000_000, "USD", "exact")),
        ("Northwind will spend USD 1.8 billion.", (1_800_000_000, "USD", "exact")),
        ("Capex is set at $120bn-$140bn.", ([120_000_000_000, 140_000_000_000], "USD", "exact")),
        ("Capex is set at $25 to $35 billion.", ([25_000_000_000, 35_000_000_000], "USD", "exact")),
        ("Capex is between $3 billion and $4 billion.", ([3_000_000_000, 4_000_000_000], "USD", "exact")),
        ("Northwind is cutting 8.000 jobs.", (8000, "employees", "exact")),
        ("Northwind is cutting 8 000 jobs.", (8000, "employees", "exact")),
        ("The app has ~750M monthly users.", (750_000_000, "users", "approx")),
        ("Trackers count 275k job postings.", (275_000, "job postings", "exact")),
        ("Roughly 4,000–5,000 roles were reduced.", ([4000, 5000], "roles", "approx")),
        ("It spent two hundred ten to two hundred twenty billion dollars.", ([210_000_000_000, 220_000_000_000], "USD", "exact")),
        ("Spending rose forty-two percent.", (42, "percent", "exact")),
        ("It closed more than one-third of its offices.", (33.3, "percent", "at-least")),
        ("The firm cut its sales team in half.", (50, "percent", "approx")),
        ("Its cloud spending nearly doubled.", (2, "times", "approx")),
        ("Demand outpaces supply roughly 4.5 to 1.", (4.5, "ratio", "approx")),
        ("Based on a headcount of ~52,000 at year end.", (52_000, "employees", "approx")),
        ("Trackers counted 410 a day.", None),
        ("Staff get one week of pay for every six months served.", (1, "weeks per 6 months", "exact")),
    ],
)
def test_numbers_in_every_way_pages_print_them(text: str, expected) -> None:
    if expected is None:  # a rate needs a count before it
        assert find_figures(text) == [] or all(f.unit is None for f in find_figures(text))
        return
    assert value_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The H100 and B200 chips and GPT-4 ship in 2026.",
        "Take advantage of Premium at 55% off!",
        "It happened in four months, in its 51-year history.",
        "Staff were told on March 3, 2026.",
    ],
)
def test_what_is_not_a_figure(text: str) -> None:
    assert [f.surface for f in find_figures(text) if f.unit] == []


# --- metric by meaning --------------------------------------------------------------------------


def test_a_layoff_amid_ai_spending_is_a_cut_of_employees_not_of_ai_teams() -> None:
    c = only("Meta said it will lay off 2,000 workers amid heavy AI spending.")
    assert c.metric == "employees-cut"


def test_a_cut_from_ai_teams_is_the_ai_team_metric() -> None:
    c = only("Meta laid off 300 employees from its artificial intelligence research teams.")
    assert c.metric == "ai-team-employees-cut"


def test_hiring_ai_researchers_is_no_cut_and_gets_a_new_metric_named_after_the_quantity() -> None:
    c = only("Meta will hire 500 AI researchers next year.")
    assert c.metric not in {m.id for m in METRICS}
    assert "researchers" in c.metric and c.metric.endswith("hired")
    assert any("metric:" in x and "is new" in x for x in c.checks)


def test_buyouts_to_a_share_of_staff_are_retirement_offers_not_cuts() -> None:
    c = only("Microsoft offered voluntary buyouts to about 6% of its staff.")
    assert c.metric == "retirement-eligible-pct"


def test_a_rise_in_spending_is_no_share_of_the_workforce() -> None:
    c = only("Microsoft reported a 40 percent increase in compute spending.")
    assert c.metric not in {m.id for m in METRICS} and c.metric.endswith("pct")


def test_money_for_a_retirement_programme_is_no_capital_expenditure() -> None:
    c = only("Microsoft set aside $700 million for its early retirement programme.")
    assert c.metric not in ("capex-usd", "ai-capex-usd")


def test_a_headline_verb_builds_no_metric() -> None:
    c = only("Meta Firing 3,000 People as Costs Mount\n\nThe article text follows without figures.")
    assert c.metric == "employees-cut"


def test_weeks_of_pay_are_severance() -> None:
    assert only("Departing Meta staff will receive up to 12 weeks of base pay.").metric == "severance-weeks"


def test_a_count_of_days_is_named_after_days_not_after_its_verb() -> None:
    c = only("Eligible staff at Microsoft were given 45 days to decide.")
    assert c.metric.startswith("days") or c.metric.endswith("days"), c.metric
    assert "given" not in c.metric


def test_capex_concentrated_on_ai_compute_is_capex_and_ai_capex_needs_ai_on_the_noun() -> None:
    assert only("Amazon set capex at about $200 billion, concentrated on AI compute.").metric == "capex-usd"
    assert only("Amazon set its AI capex at about $150 billion.").metric == "ai-capex-usd"


def test_openings_related_to_ai_are_ai_openings() -> None:
    assert only("Meta lists over 900 open job openings related to AI and robotics.").metric == "ai-job-openings"
    assert only("Meta lists over 900 job openings in its sales offices.").metric != "ai-job-openings"


def test_a_figure_named_as_a_figure_is_what_its_sentence_says_it_is() -> None:
    c = only("The widely quoted $500 billion figure for Meta may be a sum of multi-year investment projections, not a budget.")
    assert c.metric == "investment-usd" and c.status == "projected"
    assert only("The $500 billion figure for Meta is a rough estimate of its spending.").status == "estimated"


def test_a_raise_of_capex_is_another_quantity_than_capex() -> None:
    d = drafted("Meta raised capex guidance by as much as $10 billion to as high as $145 billion.")
    by_value = {c.value: c for c in d.claims}
    assert by_value[145_000_000_000].metric == "capex-usd"
    assert by_value[10_000_000_000].metric != "capex-usd" and "change" in by_value[10_000_000_000].metric


# --- entity from the clause ---------------------------------------------------------------------


def test_an_industry_figure_goes_to_the_industry_not_to_the_company_named_before() -> None:
    d = drafted("Meta cut 5,000 jobs in 2026. Across the industry, 120,000 tech workers lost their jobs that year.")
    assert {c.value: c.entity for c in d.claims} == {5000: "meta", 120_000: "tech-industry"}


def test_in_big_tech_is_the_sector_not_the_companies_named_before() -> None:
    d = drafted(
        "Google and Amazon have both trimmed teams.\n\n"
        "With AI spending set to top $300 billion a year, discipline is the new rule in Big Tech.\n"
    )
    assert only_value(d, 300_000_000_000).entity == "tech-industry"
    owner = drafted("Big Tech will spend $300 billion on capex in 2027.")
    assert only_value(owner, 300_000_000_000).entity == "big-tech"


def test_a_figure_for_a_kind_of_thing_is_the_industry_s_and_an_estimate() -> None:
    d = drafted(
        "Microsoft and Google signal more spending.\n\nA single frontier training run can cost over $150 million in chips alone.\n"
    )
    c = only_value(d, 150_000_000)
    assert (c.entity, c.status) == ("tech-industry", "estimated")
    assert any("a kind of thing" in x for x in c.checks)
    owned = drafted("Microsoft said a single training run of its new model cost $150 million.")
    assert only_value(owned, 150_000_000).entity == "microsoft"


def test_a_figure_only_supposed_in_an_if_clause_is_no_claim_unless_stated_elsewhere() -> None:
    d = drafted("If two companies control the market, prices will rise. Meta could cut 20% of its staff in 2027.")
    assert [c.value for c in d.claims] == [20]
    repeat = drafted("Meta could cut 20% of its staff in 2027. If Meta makes a 20% cut, rivals will follow.")
    [c] = repeat.claims
    assert c.quote.startswith("Meta could cut") and "also printed as" in (c.note or "")


def test_companies_named_together_are_their_group() -> None:
    c = only("Meta, Amazon, Microsoft and Alphabet will spend a combined $500 billion on capex in 2027.")
    assert c.entity == "big-tech"


def test_two_companies_sharing_a_figure_are_their_group() -> None:
    c = only("Shares of Microsoft and Meta fell roughly 8% for the week.")
    assert c.entity == "meta-microsoft"


def test_it_and_the_company_are_the_last_subject() -> None:
    d = drafted("Microsoft is under pressure. The company will cut 6,000 jobs, and it plans to spend $80 billion on capex.")
    assert {c.entity for c in d.claims} == {"microsoft"}


def test_an_organisation_the_corpus_lacks_is_proposed_when_it_owns_a_figure() -> None:
    d = drafted("Contoso reduced its workforce by 1,200 in 2025.")
    assert d.claims[0].entity == "contoso"
    assert [p.line.strip() for p in d.new_entities] == ["- {id: contoso, name: Contoso, kind: company}"]


def test_a_capitalised_common_word_is_never_proposed() -> None:
    d = drafted("Big Tech Sheds Jobs to Fund $700B of AI\n\nThe fund manager said to fund it all, Meta cut 2,000 jobs.")
    assert "fund" not in {p.id for p in d.new_entities}


def test_a_person_is_never_proposed_as_an_organisation() -> None:
    d = drafted("Chief Executive Dana Ortiz said Meta would cut 900 jobs.")
    assert d.new_entities == [] and d.claims[0].entity == "meta"


# --- period -------------------------------------------------------------------------------------


def test_the_period_of_the_figure_s_own_words_not_of_a_neighbour() -> None:
    d = drafted("Based on Meta's year-end 2025 headcount of 70,000, this would affect over 14,000 employees.")
    by_value = {c.value: c for c in d.claims}
    assert by_value[70_000].period == "2025" and by_value[14_000].period is None


def test_no_period_stays_null_with_a_check_naming_the_presumed_year() -> None:
    c = only("Meta will cut 4,000 jobs.", published="2026-05-02")
    assert c.period is None
    assert any("presumes 2026" in x for x in c.checks)


def test_this_year_is_resolved_against_the_page_s_date() -> None:
    c = only("Meta will cut 4,000 jobs this year.", published="2026-05-02")
    assert c.period == "2026" and any("page's date" in x for x in c.checks)
    undated = only("Meta will cut 4,000 jobs this year.")
    assert undated.period is None and any("no date" in x for x in undated.checks)


def test_a_year_compared_with_is_not_the_period() -> None:
    c = only("In a filing, Meta said its budgets rose by 30% compared to 2024.")
    assert c.period != "2024"


def test_a_horizon_and_a_quarter_without_a_year() -> None:
    assert only("Meta plans to invest $600 billion in data centers by 2028.").period == "by 2028"
    c = only("Amazon's Q4 revenue was $210 billion.")
    assert c.period == "Q4" and any("of which year" in x for x in c.checks)


def test_a_period_stated_once_carries_to_the_same_quantity_that_follows() -> None:
    d = drafted("Amazon's fourth-quarter results came out on Thursday. Revenue was $210 billion, and ads brought in $20 billion.")
    assert {c.period for c in d.claims} == {"Q4"}


def test_a_heading_without_a_period_ends_the_last_heading_s_period() -> None:
    d = drafted("Outlook for 2027\n\nMeta will spend $70 billion on capex.\n\nHiring Plans\n\nMeta will hire 2,000 engineers.\n")
    assert {c.value: c.period for c in d.claims} == {70_000_000_000: "2027", 2000: None}


def test_a_sentence_opening_with_this_outlay_is_set_in_the_outlay_s_period() -> None:
    d = drafted("Meta will spend $70 billion on capex in 2027. This outlay is tied to its plan to cut 4,000 jobs.")
    assert {c.value: c.period for c in d.claims}[4000] == "2027"
    unlinked = drafted("Meta will spend $70 billion on capex in 2027. Separately, it will cut 4,000 jobs.")
    assert {c.value: c.period for c in unlinked.claims}[4000] is None


def test_a_period_stated_with_a_repeat_beats_one_carried_to_the_figure() -> None:
    d = drafted(
        "Microsoft cut 15,000 jobs in 2025. Its new voluntary retirement programme targets 7% of its staff.\n\n"
        "Staff were told the programme, which targets 7% of its staff, opens in 2027.\n"
    )
    [share] = [c for c in d.claims if c.unit == "percent"]
    assert share.period == "2027" and "also printed as" in (share.note or "")


def test_a_period_carried_into_a_sentence_is_its_other_figures_too() -> None:
    d = drafted(
        "Meta, Amazon, Microsoft and Alphabet guided 2027 capex to a combined $600 billion. "
        "The tally first crossed $550 billion in midweek; by Friday it had settled near $600 billion "
        "as Meta raised its capex guide to $120 billion and Amazon its capex guide to $180 billion."
    )
    got = {c.value: c.period for c in d.claims}
    assert got[120_000_000_000] == "2027" and got[180_000_000_000] == "2027"


def test_a_restatement_in_brackets_shares_the_period_written_after_it() -> None:
    d = drafted("Microsoft's programme targets 7% of its US staff (about 8,750 employees) in 2027.")
    assert {c.value: c.period for c in d.claims} == {7: "2027", 8750: "2027"}


# --- status -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Meta announced 3,000 job cuts.", "confirmed"),
        ("Meta confirmed it cut 3,000 jobs.", "confirmed"),
        ("Meta could cut 3,000 jobs.", "possible"),
        ("Meta may cut 3,000 jobs.", "possible"),
        ("Meta expects to spend $90 billion on capex.", "projected"),
        ("Meta's guidance puts capex at $90 billion.", "projected"),
        ("Meta plans to cut 3,000 jobs.", "planned"),
        ("Analysts estimated Meta's capex at $90 billion.", "estimated"),
        ("Meta cut 3,000 jobs.", "reported"),
        ("Meta is projected to spend an estimated $90 billion on capex.", "projected"),
    ],
)
def test_status_words_as_a_person_reads_them(text: str, status: str) -> None:
    assert only(text).status == status


# --- tables -------------------------------------------------------------------------------------


def test_a_flattened_table_s_column_headers_give_each_cell_its_entity_and_period() -> None:
    text = (
        "How the two compare on spending:\n\n"
        "Measure Meta Microsoft\n"
        "Capital expenditure Guided at $70 billion in 2027. About $90 billion for now.\n"
        "Layoffs 3,600 employees 10,000 employees\n\n"
        "Investors were not told more.\n"
    )
    d = drafted(text)
    got = {c.value: (c.entity, c.period, c.status, c.bound) for c in d.claims}
    assert got[70_000_000_000] == ("meta", "2027", "projected", "exact")
    assert got[90_000_000_000] == ("microsoft", None, "reported", "approx")  # no period carried into a cell
    assert got[3600][0] == "meta" and got[10_000][0] == "microsoft"
    placed = {c.value: c.checks for c in d.claims}[90_000_000_000]
    assert any("placed under the column 'Microsoft' by its order" in x for x in placed)


def test_a_table_copied_with_tabs_places_each_figure_by_its_cell() -> None:
    d = drafted("Metric\tMeta\tMicrosoft\nCapital expenditure\t$70 billion\t$90 billion\nLayoffs\t3,600 jobs\t10,000 jobs\n")
    assert {c.value: c.entity for c in d.claims} == {
        70_000_000_000: "meta",
        90_000_000_000: "microsoft",
        3600: "meta",
        10_000: "microsoft",
    }


def test_years_as_column_headers_date_the_cells_and_the_lead_in_says_what_a_bare_row_counts() -> None:
    text = (
        "Meta's planned 12% cut would be its deepest, so compare it with the last round.\n\n"
        "Feature 2023 2026\n"
        "Driver Over-hiring Automation\n"
        "Magnitude About 10% Projected 12% or more\n\n"
        "Meta said nothing more.\n"
    )
    d = drafted(text)
    cells = {c.value: c for c in d.claims if "Magnitude" in c.quote}
    assert (cells[10].period, cells[10].bound, cells[10].metric) == ("2023", "approx", "workforce-cut-pct")
    assert (cells[12].period, cells[12].status, cells[12].bound) == ("2026", "projected", "at-least")


def test_a_row_s_figures_are_placed_in_no_column_when_their_count_is_not_the_columns_and_its_label_s_years_yield() -> None:
    text = (
        "Meta will spend $70 billion on capex in 2027. This outlay is tied to its plan to cut about 4,000 employees.\n\n"
        "Aspect Meta Microsoft\n"
        "Job Cuts (2026-2027) 4,000 employees cut in 2027. 9,000 employees cut in 2026. 1,000 more possible.\n\n"
        "Investors were not told more.\n"
    )
    d = drafted(text)
    [cut] = [c for c in d.claims if c.value == 4000]
    assert cut.period == "2027" and cut.quote.startswith("This outlay")  # the text's words; the row's label is weaker


# --- one claim per figure, quotes, summaries --------------------------------------------------


def test_a_figure_in_the_headline_and_the_body_is_one_claim_with_a_note() -> None:
    d = drafted("Meta To Cut 3,000 Jobs as AI Costs Rise\n\nMeta will cut 3,000 jobs in 2026, the company said.")
    assert len(d.claims) == 1
    c = d.claims[0]
    assert c.period == "2026" and c.quote.startswith("Meta will cut") and "headline" in (c.note or "")


def test_a_repeat_that_says_how_firmly_carries_the_claim_over_a_lead_that_states_it_flatly() -> None:
    d = drafted(
        "Meta Weighs Deeper Cuts\n\nMeta seeks layoffs of 20% or more in 2027.\n\n"
        "Reports indicate the company is preparing a round that could reduce its headcount by 20% or more.\n"
    )
    [c] = d.claims
    assert c.quote.startswith("Reports indicate") and c.status == "possible" and c.period == "2027"
    assert c.bound == "at-least" and c.entity == "meta"


def test_a_rounded_repeat_is_the_same_figure() -> None:
    d = drafted("Trackers counted 6,988 tech jobs cut in 2026. Nearly 7,000 tech workers have lost their jobs.")
    assert [c.value for c in d.claims] == [6988]


def test_a_quote_is_one_sentence_or_a_clause_carrying_its_subject() -> None:
    text = (
        "Amazon set its capex at about $200 billion for 2026, a figure far above what analysts had pencilled in for the year, "
        "while Microsoft said it would spend about $150 billion on capex over the same stretch of time, and both said more later."
    )
    d = drafted(text)
    quotes = {c.entity: c.quote for c in d.claims}
    assert quotes["amazon"].startswith("Amazon") and "Microsoft" not in quotes["amazon"]
    assert quotes["microsoft"].startswith("Microsoft") and len(quotes["microsoft"]) < len(text)
    assert all(q in text for q in quotes.values())


def test_summaries_are_sentences_of_their_own() -> None:
    assert only("Meta plans to cut about 3,000 jobs in 2026.").summary == "Meta Platforms plans to cut about 3,000 jobs in 2026."
    assert only("Amazon's Q4 revenue was $210 billion.").summary == "Amazon’s revenue was $210 billion in Q4."


def test_a_dated_lead_gives_as_of_where_no_date_is_printed() -> None:
    page = from_text("Meta Braces for More Cuts\n\nAs of mid-March 2026, reports say Meta may cut 5% of its staff.\n", "p.txt")
    assert (page.published, page.as_of) == (None, "2026-03")
    dated = from_text("Meta Braces for More Cuts\nPublished April 2, 2026\n\nAs of mid-March 2026, Meta may cut 5%.\n", "p.txt")
    assert (dated.published, dated.as_of) == ("2026-04-02", None)
    # an "As of" deep in the article dates one figure, not the article
    body = "".join(
        f"Paragraph {i} of the story says something about the companies and their plans for the year.\n\n" for i in range(4)
    )
    deep = from_text(f"Big Tech Spends More\n\n{body}As of January 2026 the job postings numbered 275,000 in all.\n", "p.txt")
    assert deep.as_of is None


# --- headlines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ["Skip to main content", "news · 4 min read", "Meta Cuts 3,000 Jobs to Fund Data Centers"],
            "Meta Cuts 3,000 Jobs to Fund Data Centers",
        ),
        (
            ["Home > Tech > AI", "TECH + AI", "Meta signals a bigger AI build-out after strong earnings"],
            "Meta signals a bigger AI build-out after strong earnings",
        ),
        (["significant · [2 sources] ·", "By Jo Park • May 2, 2026", "Why Meta Is Cutting Again"], "Why Meta Is Cutting Again"),
        (["#MetaLayoffs The Layoff Report: What Happened?"], "The Layoff Report: What Happened?"),
        (
            ["Tech Newstech newsnews5h ago", "Why Meta Is Cutting Again and What Comes Next"],
            "Why Meta Is Cutting Again and What Comes Next",
        ),
        (["Meta said on Tuesday that it will cut 3,000 jobs this year as it spends more on AI data centers."], None),
    ],
)
def test_the_title_is_the_page_s_headline(lines: list[str], title: str | None) -> None:
    assert headline(lines) == title


def test_the_first_of_a_run_of_section_headings_is_no_headline() -> None:
    body = "Meta said on Tuesday that it would cut about 3,000 jobs across its data infrastructure teams this spring."
    lines = ["Cutting in the Age of Growth", body, "The Shift to Products", body, "What Staff Were Told", body]
    assert headline(lines[:3], lines) is None
    titled = ["Why Meta Is Cutting Jobs While It Spends More on AI Than Ever", *lines]
    assert headline(titled[:3], titled) == titled[0]
