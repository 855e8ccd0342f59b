-- one row per unit figure in force (year, month, unit, indicator): the unit's target for the year,
-- its completion against the calendar (序时进度), its rank among the units with a target, and its growth
with figures as (
    select year, month, unit_code, indicator_code, value
    from indicator_values
),

targeted as (
    select f.year, f.month, f.unit_code, f.indicator_code, f.value, t.target
    from figures as f
    join staging.unit_targets as t using (year, unit_code, indicator_code)
    where t.target > 0
),

-- rank: 1 + the units whose completion is exactly higher; equal completions share a rank and the
-- next skips (1, 2, 2, 4), as rank() does, but on exact fractions rather than rounded percentages
ranked as (
    select a.year, a.month, a.unit_code, a.indicator_code, 1 + count(b.unit_code) as rank
    from targeted as a
    left join targeted as b
        on b.year = a.year and b.month = a.month and b.indicator_code = a.indicator_code
       and exactly_greater(b.value, b.target, a.value, a.target)
    group by a.year, a.month, a.unit_code, a.indicator_code
),

final as (
    select
        f.year,
        f.month,
        f.unit_code,
        f.indicator_code,
        f.value,
        t.target,
        exact_percent(f.value, t.target) as completion_pct,
        exact_percent(f.month, 12) as time_progress_pct,
        schedule_gap(f.value, t.target, f.month) as schedule_gap_pts,
        r.rank,
        p.value as prior_value,
        exact_percent(f.value - p.value, p.value) as yoy_growth_pct
    from figures as f
    left join staging.unit_targets as t using (year, unit_code, indicator_code)
    left join ranked as r using (year, month, unit_code, indicator_code)
    left join figures as p
        on p.unit_code = f.unit_code and p.indicator_code = f.indicator_code
       and p.year = f.year - 1 and p.month = f.month
)

select * from final
