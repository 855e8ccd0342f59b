-- one row per year, period in use and unit of the registry: whether the unit's figures for the
-- period are in (accepted), only rejected files came (rejected), or nothing did (missing)
with periods as (
    -- the periods in use: the months of a year for which any unit has an accepted submission
    select distinct year, month
    from submissions
    where status = 'accepted'
),

received as (
    select
        unit_code,
        year,
        month,
        bool_or(status in ('accepted', 'superseded')) as any_accepted
    from submissions
    where unit_code is not null and year is not null and month is not null
    group by unit_code, year, month
),

final as (
    select
        p.year,
        p.month,
        u.unit_code,
        case
            when r.any_accepted then 'accepted'
            when r.unit_code is not null then 'rejected'
            else 'missing'
        end as state
    from periods as p
    cross join staging.units as u
    left join received as r
        on r.unit_code = u.unit_code and r.year = p.year and r.month = p.month
    order by p.year, p.month, u.registry_order
)

select * from final
