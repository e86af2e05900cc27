"""Statistics for briefings: pure functions of validated tables (see :mod:`briefpack.data.catalogue`).

NRM tables carry "Total" rows at every level of their hierarchy; each function here filters to
exactly one level so nothing is counted twice.
"""
from __future__ import annotations

import re

import pandas as pd

TOTAL = "Total"
ADULT = "Adult (18 or over)"
CHILD = "Child (17 or under)"
POLICE_TOTAL = "Police total"
AGE_LABELS = {ADULT: "Adults", CHILD: "Children", "Age not specified or unknown": "Age not known",
              "Not specified or unknown": "Age not known"}
MAIN_TYPES = ("Sexual", "Labour", "Criminal", "Domestic")
# Nationalities with fewer referrals than this in the period are not listed by name (stated on the page).
NATIONALITY_MIN_COUNT = 5
NATIONALITY_TOP = 5       # the nationalities table lists at most this many (and says so)


def quarter_label(year: int, quarter: str) -> str:
    return f"{int(year)} {quarter}"


def period_label(df: pd.DataFrame) -> str:
    """'2022 Q2 to 2023 Q4' for a table with year and quarter columns."""
    keys = {(int(y), q) for y, q in zip(df["year"].tolist(), df["quarter"].tolist()) if q != TOTAL}
    (y1, q1), (y2, q2) = min(keys), max(keys)
    return f"{y1} {q1} to {y2} {q2}"


_FIRST_MONTH = {"Q1": "January", "Q2": "April", "Q3": "July", "Q4": "October"}
_LAST_MONTH = {"Q1": "March", "Q2": "June", "Q3": "September", "Q4": "December"}
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
_QUARTERS = re.compile(r"(\d{4}) (Q[1-4]) to (\d{4}) (Q[1-4])")


def period_words(period) -> str:
    """A period in plain words, from its label or from a quarterly table (via :func:`period_label`):
    '2022 Q2 to 2023 Q4' -> 'the seven quarters from April 2022 to December 2023'; '2023' -> 'in 2023';
    '2010 and 2025' -> 'in 2010 and 2025'; anything else as it is."""
    text = " ".join(str(period_label(period) if isinstance(period, pd.DataFrame) else period).split())
    m = _QUARTERS.fullmatch(text)
    if m:
        y1, q1, y2, q2 = int(m[1]), m[2], int(m[3]), m[4]
        count = (y2 - y1) * 4 + int(q2[1]) - int(q1[1]) + 1
        span = f"{_FIRST_MONTH[q1]} {y1} to {_LAST_MONTH[q2]} {y2}"
        if count == 1:
            return f"the quarter from {span}"
        return f"the {_NUMBERS[count] if 0 <= count < len(_NUMBERS) else f'{count:,}'} quarters from {span}"
    if re.fullmatch(r"\d{4}( and \d{4})?", text):
        return f"in {text}"
    return text


# --- UK series -----------------------------------------------------------------------------------

def uk_referrals_by_year(nrm_uk: pd.DataFrame) -> pd.DataFrame:
    """UK NRM referrals per year by age at exploitation (location level 'Total' only).

    Columns: year, Adults, Children, Age not known, total, quarters (how many quarters the year has).
    """
    t = nrm_uk[nrm_uk.location_of_exploitation == TOTAL]
    wide = t.pivot_table(index="year", columns="age_at_exploitation", values="nrm_referrals",
                         aggfunc="sum", fill_value=0).rename(columns=AGE_LABELS)
    for col in ("Adults", "Children", "Age not known"):
        if col not in wide:
            wide[col] = 0
    wide = wide[["Adults", "Children", "Age not known"]].astype(int)
    wide["total"] = wide.sum(axis=1)
    wide["quarters"] = t.groupby("year")["quarter"].nunique()
    return wide.reset_index()


def uk_year(nrm_uk: pd.DataFrame, year: int | None = None) -> dict:
    """One year's UK totals (the latest full year by default)."""
    by_year = uk_referrals_by_year(nrm_uk)
    full = by_year[by_year.quarters == 4]
    row = full.iloc[-1] if year is None else by_year[by_year.year == year].iloc[0]
    total = int(row.total)
    return {"year": int(row.year), "total": total, "adults": int(row.Adults), "children": int(row.Children),
            "unknown": int(row["Age not known"]), "child_share": row.Children / total if total else 0.0}


# --- Police forces as first responders -----------------------------------------------------------

def _police_level(nrm_police: pd.DataFrame, exploitation=TOTAL, age=TOTAL, gender=TOTAL) -> pd.DataFrame:
    df = nrm_police
    for col, val in (("exploitation_type", exploitation), ("age_at_exploitation", age), ("gender", gender)):
        if val is None:
            df = df[df[col] != TOTAL]
        else:
            df = df[df[col] == val]
    return df


def _rows_for(df: pd.DataFrame, force: str) -> pd.DataFrame:
    """A force's rows; for ``POLICE_TOTAL``, every force's rows (the published 'Police total' rows
    carry no breakdown, and the forces add up to them at every level)."""
    if force == POLICE_TOTAL:
        return df[df.police_first_responder != POLICE_TOTAL]
    return df[df.police_first_responder == force]


def force_total(nrm_police: pd.DataFrame, force: str) -> int:
    """Referrals made by ``force`` as first responder over the whole period. For ``POLICE_TOTAL``, the
    published 'Police total' rows (equal to the forces' sum: tests/test_stats.py), so a briefing reads
    the rows of its own forces and of that total, not the whole table."""
    df = _police_level(nrm_police)
    rows = df[df.police_first_responder == force] if force == POLICE_TOTAL else _rows_for(df, force)
    return int(rows["people"].sum())


def exploitation_group(kind: str) -> str:
    """Collapse the published combinations into the four main types, 'More than one type' and the rest."""
    if kind in MAIN_TYPES:
        return kind
    if kind == "Not specified or unknown":
        return "Not specified"
    if kind == "Organ Harvesting":
        return "Organ harvesting"
    return "More than one type"


def force_by_quarter_and_type(nrm_police: pd.DataFrame, force: str) -> pd.DataFrame:
    """Referrals by quarter and (grouped) exploitation type: columns period, type, people."""
    df = _rows_for(_police_level(nrm_police, exploitation=None), force).copy()
    df["type"] = df.exploitation_type.map(exploitation_group)
    df["period"] = [quarter_label(y, q) for y, q in zip(df.year, df.quarter)]
    out = df.groupby(["period", "type"], as_index=False)["people"].sum()
    return out[out.people > 0].reset_index(drop=True)


def force_by_type(nrm_police: pd.DataFrame, force: str) -> pd.Series:
    """Referrals by grouped exploitation type over the period, largest first."""
    t = force_by_quarter_and_type(nrm_police, force)
    return t.groupby("type")["people"].sum().sort_values(ascending=False)


def force_by_age(nrm_police: pd.DataFrame, force: str) -> dict:
    """Referrals by age at exploitation over the period.

    The table nests force > exploitation type > age > gender, so ages are summed over the
    exploitation types (not over the type 'Total' row, which has no age breakdown).
    """
    df = _rows_for(_police_level(nrm_police, exploitation=None, age=None), force)
    sums = df.groupby("age_at_exploitation")["people"].sum()
    out = {"Adults": int(sums.get(ADULT, 0)), "Children": int(sums.get(CHILD, 0)),
           "Age not known": int(sums.get("Not specified or unknown", 0))}
    return out


def force_top_nationalities(nationality: pd.DataFrame, force: str, n: int = NATIONALITY_TOP,
                            min_count: int = NATIONALITY_MIN_COUNT) -> pd.DataFrame:
    """The force's most frequent nationalities over the period (only those with >= ``min_count``)."""
    df = nationality[(nationality.police_first_responder == force) & (nationality.nationality != TOTAL)]
    sums = df.groupby("nationality")["people"].sum().sort_values(ascending=False, kind="stable")
    sums = sums[sums >= min_count].reset_index()
    # ties are broken by name before the cap, so which nationality the cap leaves out never depends on the
    # input order (the page names those it leaves out)
    ranked = sums.sort_values(["people", "nationality"], ascending=[False, True]).reset_index(drop=True)
    return ranked.head(n).reset_index(drop=True)


# --- Population and fair comparison --------------------------------------------------------------

def force_populations(seat_councils: pd.DataFrame, council_forces: pd.DataFrame) -> pd.Series:
    """Population of each police force area (2019, mySociety overlap), keyed by NRM force name."""
    pop = seat_councils.groupby("lad23_code")["overlap_pop"].sum()
    forces = council_forces.set_index("lad23_code")["nrm_police_first_responder_name"]
    return pop.groupby(forces.reindex(pop.index)).sum()


def fair_comparison(nrm_police: pd.DataFrame, populations: pd.Series, force: str) -> dict:
    """The force's share of all police referrals vs its share of the UK population.

    Police referrals include non-territorial units (British Transport Police, regional organised
    crime units), which belong to no area; they stay in the UK total, as published.
    """
    referrals = force_total(nrm_police, force)
    police_total = force_total(nrm_police, POLICE_TOTAL)
    uk_pop = float(populations.sum())
    force_pop = float(populations.get(force, 0.0))
    ref_share = referrals / police_total if police_total else 0.0
    pop_share = force_pop / uk_pop if uk_pop else 0.0
    return {"force": force, "referrals": referrals, "police_total": police_total,
            "referral_share": ref_share, "population": force_pop, "uk_population": uk_pop,
            "population_share": pop_share, "ratio": (ref_share / pop_share) if pop_share else None}


# --- Responder types and decisions ---------------------------------------------------------------

def responder_type_shares(responder_type: pd.DataFrame) -> pd.DataFrame:
    """Referrals by first-responder type over the period, with shares."""
    df = responder_type[(responder_type.exploitation_type == TOTAL) & (responder_type.age_at_exploitation == TOTAL)
                        & (responder_type.gender == TOTAL)]
    sums = df.groupby("first_responder_type")["people"].sum().sort_values(ascending=False)
    out = sums.reset_index()
    out["share"] = out.people / out.people.sum()
    return out


def decisions(table: pd.DataFrame, year: int | None = None) -> dict:
    """Positive/negative decisions in a year (the year's 'Total' row) from the RG or CG table."""
    yearly = table[table.Quarter == TOTAL]
    row = yearly.iloc[-1] if year is None else yearly[yearly.Year == year].iloc[0]
    pos = sum(int(row[c]) for c in table.columns if c.endswith("- Positive reasonable grounds")
              or c.endswith("- Positive conclusive grounds"))
    neg = sum(int(row[c]) for c in table.columns if c.endswith("- Negative reasonable grounds")
              or c.endswith("- Negative conclusive grounds"))
    total = int(row["Total"])
    return {"year": int(row.Year), "positive": pos, "negative": neg, "total": total,
            "positive_share": pos / total if total else 0.0}


def dtn_year(dtn: pd.DataFrame, year: int | None = None) -> dict:
    yearly = dtn[dtn.quarter == TOTAL]
    row = yearly.iloc[-1] if year is None else yearly[yearly.year == year].iloc[0]
    return {"year": int(row.year), "reports": int(row.dtn_reports)}


def decisions_by_year(table: pd.DataFrame) -> pd.DataFrame:
    """Positive and negative decisions per year (the years' 'Total' rows), from the RG or CG table."""
    yearly = table[table.Quarter == TOTAL]
    pos_cols = [c for c in table.columns if "- Positive" in c]
    neg_cols = [c for c in table.columns if "- Negative" in c]
    return pd.DataFrame({"year": yearly.Year.astype(int).values,
                         "Positive": yearly[pos_cols].sum(axis=1).astype(int).values,
                         "Negative": yearly[neg_cols].sum(axis=1).astype(int).values,
                         "quarters": [int((table.Year == y).sum() - 1) for y in yearly.Year]})


def dtn_by_year(dtn: pd.DataFrame) -> pd.DataFrame:
    yearly = dtn[dtn.quarter == TOTAL]
    quarters = dtn[dtn.quarter != TOTAL].groupby("year").size()
    out = pd.DataFrame({"year": yearly.year.astype(int).values, "reports": yearly.dtn_reports.astype(int).values})
    out["quarters"] = out.year.map(quarters).fillna(0).astype(int)
    return out


def dtn_top_nationalities(dtn_nat: pd.DataFrame, n: int = 8) -> pd.DataFrame:
    df = dtn_nat[~dtn_nat.nationality.isin([TOTAL])]
    sums = df.groupby("nationality")["dtn_reports"].sum().reset_index()
    sums = sums[sums.dtn_reports >= NATIONALITY_MIN_COUNT]
    return sums.sort_values(["dtn_reports", "nationality"], ascending=[False, True]).head(n).reset_index(drop=True)
