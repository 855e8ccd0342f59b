"""The mid-year review in the analysts' views, over one night of it (conftest `midyear_night`):
unit_progress (targets, the calendar, rank on exact completions), city_totals' schedule columns,
revisions and coverage, each with its comments."""

import pytest
from support import published_rows


@pytest.fixture(scope="module")
def rows(midyear_night):
    root, _ = midyear_night
    return lambda sql, *params: published_rows(root, sql, params)


def test_ranks_are_decided_on_exact_completions_and_ties_share_a_rank(rows):
    ranked = rows("""select unit_code, value::varchar, target::varchar, completion_pct::varchar, rank
                     from unit_progress where year = 2017 and month = 6 and indicator_code = 'first_aid_trained'
                       and target is not null order by rank, unit_code""")
    # 柯桥区 and 越城区 both show 66.67%; 柯桥区's 6667/10000 is exactly more than 200/300, which
    # 上虞区's 100/150 equals: 2, 3, 3, then 5
    assert ranked == [
        ("shengzhou", "1260.00", "1718.00", "73.3410942957", 1),
        ("keqiao", "6667.00", "10000.00", "66.6700000000", 2),
        ("shangyu", "100.00", "150.00", "66.6666666667", 3),
        ("yuecheng", "200.00", "300.00", "66.6666666667", 3),
        ("zhuji", "1885.00", "2900.00", "65.0000000000", 5),
        ("city_office", "780.00", "1500.00", "52.0000000000", 6),
    ]


def test_completions_equal_to_ten_places_are_still_ranked_apart(rows):
    ranked = rows("""select unit_code, completion_pct::varchar, rank from unit_progress
                     where year = 2017 and month = 6 and indicator_code = 'donation_income' and target is not null
                     order by rank, unit_code""")
    # 834123.77 / 1500000.07 exceeds 644134.24 / 1158342.97 by about 6e-15 %; 上虞区 is exactly 越城区 x 2
    assert ranked == [("keqiao", "55.6082487383", 1), ("shangyu", "55.6082487383", 2),
                      ("yuecheng", "55.6082487383", 2)]


def test_every_unit_figure_in_force_has_a_row_and_no_target_means_no_rank(rows):
    assert rows("select count(*) from unit_progress") == rows("select count(*) from indicator_values")
    assert rows("""select target, completion_pct, schedule_gap_pts, rank, time_progress_pct::varchar
                   from unit_progress where year = 2017 and month = 6 and unit_code = 'keqiao'
                     and indicator_code = 'hsc_registered'""") == [(None, None, None, None, "50.0000000000")]
    # 新昌县 (only a rejected file) and 开发区 (nothing) have targets but no figures, so no rows
    assert rows("""select distinct unit_code from unit_progress where month = 6
                   and unit_code in ('xinchang', 'devzone')""") == []


@pytest.mark.parametrize("month, progress, completion, gap", [
    (5, "41.6666666667", "38.0149294996", "-3.6517371671"),  # shown -3.65, not 38.01 - 41.67 = -3.66
    (6, "50.0000000000", "75.2833840199", "25.2833840199"),
    (7, "58.3333333333", "58.7572573956", "0.4239240623"),  # shown +0.42, not 58.76 - 58.33 = 0.43
])
def test_city_totals_read_each_period_against_the_calendar(rows, month, progress, completion, gap):
    assert rows("""select time_progress_pct::varchar, completion_pct::varchar, schedule_gap_pts::varchar
                   from city_totals where year = 2017 and month = ? and indicator_code = 'first_aid_trained'""",
                month) == [(progress, completion, gap)]
    assert rows("""select count(*) from city_totals where year = 2017 and month = ?
                   and schedule_gap_pts is not null and target is null""", month) == [(0,)]


def test_a_resubmission_lists_each_figure_it_changed(rows):
    assert rows("""select r.unit_code, r.year, r.month, r.indicator_code, r.old_value::varchar, r.new_value::varchar,
                          o.file_name, n.file_name, r.revised_at::varchar
                   from revisions as r
                   join submissions as o on o.submission_id = r.old_submission_id
                   join submissions as n on n.submission_id = r.new_submission_id
                   order by r.indicator_code""") == [
        ("zhuji", 2017, 6, "first_aid_trained", "1835.00", "1885.00", "诸暨市-2017-h1.xlsx",
         "诸暨市-2017-h1（更正）.xlsx", "2017-07-17 02:30:00"),
        ("zhuji", 2017, 6, "hsc_registered", "48.00", "50.00", "诸暨市-2017-h1.xlsx",
         "诸暨市-2017-h1（更正）.xlsx", "2017-07-17 02:30:00"),
    ]


def test_coverage_marks_each_unit_accepted_rejected_or_missing_in_each_period_in_use(rows):
    grid = rows("""select c.month, string_agg(c.state, ' ' order by u.registry_order)
                   from coverage as c join staging.units as u using (unit_code)
                   where c.year = 2017 group by c.month order by c.month""")
    # units in registry order: 市本级 越城区 柯桥区 上虞区 新昌县 诸暨市 嵊州市 开发区
    assert grid == [
        (5, "missing missing accepted missing missing missing missing missing"),
        (6, "accepted accepted accepted accepted rejected accepted accepted missing"),
        (7, "missing missing accepted missing missing missing missing missing"),
    ]
    assert rows("select count(*) from coverage where year = 2016") == [(0,)]


def test_the_new_views_and_columns_carry_comments(rows):
    views = ("unit_progress", "revisions", "coverage")
    commented = rows("""select view_name from duckdb_views() where schema_name = 'main'
                        and view_name in ('unit_progress', 'revisions', 'coverage') and comment <> ''
                        order by view_name""")
    assert sorted(v for (v,) in commented) == sorted(views)
    assert rows("""select table_name, column_name from duckdb_columns()
                   where schema_name = 'main' and table_name in ('unit_progress', 'revisions', 'coverage', 'city_totals')
                   and (comment is null or comment = '')""") == []


def test_the_full_year_keeps_its_figures_and_gives_each_unit_its_own_growth(sample_night):
    root, _ = sample_night
    assert published_rows(root, """select total::varchar, completion_pct::varchar, time_progress_pct::varchar,
                                          schedule_gap_pts::varchar
                                   from city_totals where year = 2017 and month = 12
                                     and indicator_code = 'first_aid_trained'""") == [
        ("21810.00", "150.7464749793", "100.0000000000", "50.7464749793")]
    # no unit targets in this home: every unit figure is there, with its growth and without a rank
    assert published_rows(root, """select value::varchar, prior_value::varchar, yoy_growth_pct::varchar, target, rank
                                   from unit_progress where year = 2017 and month = 12 and unit_code = 'keqiao'
                                     and indicator_code = 'first_aid_trained'""") == [
        ("3951.00", "3141.00", "25.7879656160", None, None)]
    assert published_rows(root, "select count(*) from unit_progress where rank is not null") == [(0,)]
    assert published_rows(root, "select count(*) from revisions") == [(0,)]
