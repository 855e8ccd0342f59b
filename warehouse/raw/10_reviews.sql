-- Explanations and review. Added to warehouses made before without touching what they
-- hold: a new column on raw.form_values, and tables of their own (raw.submissions' messages are a
-- struct list, which cannot gain a field in place).

-- the form's 备注 for the indicator's row, trimmed, masked (phone and ID numbers) and at most 200 characters
alter table raw.form_values add column if not exists remark varchar;

-- what the messages of raw.submissions do not say: the indicator's code and the row's remark, per message
create table if not exists raw.message_notes (
    submission_id  varchar not null,
    message_no     integer not null,       -- the message's place in raw.submissions.messages, from 1
    indicator_code varchar,                -- the indicator the message concerns, where it concerns one
    remark         varchar,                -- the 备注 on the row the message concerns (masked), where it has one
    primary key (submission_id, message_no)
);

-- the data manager's decisions on warnings (`redcross review`). Never deleted by a run or a backfill:
-- a decision holds for its submission, and a later accepted form for the unit and period is another
-- submission, whose warnings start afresh. Of several decisions on one warning the latest counts.
create table if not exists raw.reviews (
    submission_id  varchar not null,
    indicator_code varchar not null,
    rule           varchar not null,
    decision       varchar not null check (decision in ('confirmed', 'queried')),
    note           varchar not null,
    reviewed_at    timestamp not null      -- UTC
);
