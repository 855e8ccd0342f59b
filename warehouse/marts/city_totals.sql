-- one row per year, month and indicator: the city total and how it compares
with totals as (
    select
        year,
        month,
        indicator_code,
        sum(value) as total,
        count(distinct unit_code) as units_reported
    from indicator_values
    group by year, month, indicator_code
),

final as (
    select
        t.year,
        t.month,
        t.indicator_code,
        t.total,
        t.units_reported,
        p.total as prior_total,
        exact_percent(t.total - p.total, p.total) as yoy_growth_pct,
        g.target,
        exact_percent(t.total, g.target) as completion_pct,
        exact_percent(t.month, 12) as time_progress_pct,
        schedule_gap(t.total, g.target, t.month) as schedule_gap_pts
    from totals as t
    left join totals as p
        on p.year = t.year - 1 and p.month = t.month and p.indicator_code = t.indicator_code
    left join staging.targets as g
        on g.year = t.year and g.indicator_code = t.indicator_code
)

select * from final
