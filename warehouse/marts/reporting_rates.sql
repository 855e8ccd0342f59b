-- one row per year and period of coverage: how many units of the registry reported, and how many in time
with final as (
    select
        year,
        month,
        count(*) as expected,
        count(*) filter (where state = 'accepted') as reported,
        exact_percent(count(*) filter (where state = 'accepted'), count(*)) as rate_pct,
        count(*) filter (where timeliness = 'on_time') as on_time,
        exact_percent(count(*) filter (where timeliness = 'on_time'), count(*)) as on_time_pct
    from coverage
    group by year, month
    order by year, month
)

select * from final
