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

-- the units that reported the indicator for this period and for the same month a year earlier:
-- growth over them compares like with like (可比口径), whoever else reported one of the two
comparable as (
    select
        c.year,
        c.month,
        c.indicator_code,
        count(*) as comparable_units,
        sum(c.value) as comparable_total,
        sum(p.value) as comparable_prior_total
    from indicator_values as c
    join indicator_values as p
        on p.unit_code = c.unit_code
        and p.indicator_code = c.indicator_code
        and p.year = c.year - 1
        and p.month = c.month
    group by c.year, c.month, c.indicator_code
),

registry as (
    select count(*) as units from staging.units
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
        schedule_gap(t.total, g.target, t.month) as schedule_gap_pts,
        coalesce(k.comparable_units, 0) as comparable_units,
        k.comparable_total,
        k.comparable_prior_total,
        exact_percent(k.comparable_total - k.comparable_prior_total, k.comparable_prior_total)
            as comparable_growth_pct,
        -- every unit of the registry reported both periods: the totals themselves compare
        coalesce(k.comparable_units, 0) = r.units as complete
    from totals as t
    cross join registry as r
    left join totals as p
        on p.year = t.year - 1 and p.month = t.month and p.indicator_code = t.indicator_code
    left join comparable as k
        on k.year = t.year and k.month = t.month and k.indicator_code = t.indicator_code
    left join staging.targets as g
        on g.year = t.year and g.indicator_code = t.indicator_code
)

select * from final
