-- one row per warning of a submission in force, with the form's explanation and the data manager's
-- latest decision on it: open, explained (the row's 备注 explains it), confirmed or queried
with in_force as (
    select submission_id, unit_code, year, month, messages
    from submissions
    where status = 'accepted' and len(messages) > 0
),

numbered as (
    select submission_id, unit_code, year, month, messages, unnest(range(1, len(messages) + 1)) as message_no
    from in_force
),

warnings as (
    select
        n.submission_id,
        n.unit_code,
        n.year,
        n.month,
        n.message_no,
        n.messages[n.message_no] as message
    from numbered as n
),

-- a warehouse made before notes were kept has none: its warnings find their indicator by name
located as (
    select
        w.*,
        coalesce(t.indicator_code, i.indicator_code) as indicator_code,
        t.remark
    from warnings as w
    left join staging.message_notes as t using (submission_id, message_no)
    left join staging.indicators as i on i.indicator_name = w.message.indicator
    where w.message.severity = 'warning'
),

latest_reviews as (
    select submission_id, indicator_code, rule, decision, note, reviewed_at
    from staging.reviews
    qualify row_number() over (partition by submission_id, indicator_code, rule order by reviewed_at desc) = 1
),

final as (
    select
        l.submission_id,
        l.unit_code,
        l.year,
        l.month,
        l.indicator_code,
        l.message.rule as rule,
        l.message.severity as severity,
        l.message.cell as cell,
        l.message.value as value,
        l.message.message_zh as message_zh,
        l.message.message_en as message_en,
        l.remark,
        case
            when r.decision is not null then r.decision
            when l.remark is not null then 'explained'
            else 'open'
        end as state,
        r.reviewed_at,
        r.note as review_note
    from located as l
    left join latest_reviews as r
        on r.submission_id = l.submission_id and r.indicator_code = l.indicator_code and r.rule = l.message.rule
)

select * from final
