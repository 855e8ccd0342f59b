-- one row per unit, period and indicator, from the unit's current submission
with current_submissions as (
    select submission_id, unit_code, year, month
    from submissions
    where status = 'accepted'
),

final as (
    select s.year, s.month, s.unit_code, v.indicator_code, v.value, v.submission_id
    from staging.form_values as v
    join current_submissions as s using (submission_id)
)

select * from final
