"""Many waiting-list entries at once, in one INSERT ... SELECT (factory-built rows take a
minute for 100,000): for the query-count test and the board benchmark."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from ketacare.clinical.waitlist_priority import priority_key

COLUMNS = (
    "public_id, clinic_id, program_id, status, source, first_name, last_name, email, email_key, "
    "phone, date_of_birth, region, conditions, preferred_route, heard_from, phq2_answers, "
    "gad2_answers, phq2_total, gad2_total, prescreen_total, positive_screen, consent_at, "
    "in_region, waiting_since, priority_key, priority_override_reason, confirm_nonce, "
    "status_nonce, created_at, updated_at"
)


def insert_entries(program, count: int, *, now: dt.datetime) -> None:
    """`count` waiting people: pre-screen totals cycle 0–12, states NY/NJ/TX, one minute
    apart in the queue, each with the priority key the service would store. (A literal %
    in this SQL is written %%: the driver formats parameters.)"""
    weights = program.weights
    # The key is linear in the waiting start, so two reference keys give it for every row.
    base = {
        (total, region): priority_key(
            prescreen_total=total,
            in_region=region in program.region_codes,
            waiting_since=now,
            weights=weights,
        )
        for total in range(13)
        for region in ("NY", "NJ", "TX")
    }
    per_minute = weights.waiting_per_week / (7 * 24 * 60)
    cases = " ".join(
        f"WHEN {total} * 3 + {i} THEN {key!r}"
        for (total, region), key in base.items()
        for i, r in enumerate(("NY", "NJ", "TX"))
        if r == region
    )
    region_sql = "CASE s.i %% 3 WHEN 0 THEN 'NY' WHEN 1 THEN 'NJ' ELSE 'TX' END"
    total_sql = "(s.i %% 13)"
    key_sql = f"(CASE ({total_sql} * 3 + s.i %% 3) {cases} END) + {per_minute!r} * s.i"
    served = ", ".join(f"'{c}'" for c in sorted(program.region_codes)) or "''"
    common = (
        f"%s, %s, 'waiting', 'api', 'Person' || s.i, 'Lister', 'p' || s.i || '@example.org', "
        f"'p' || s.i || '@example.org', '+1 555 010 0199', '1990-01-01', {region_sql}, "
        f"'[\"depression\"]', 'home-troche', '', '[1, 1]', '[1, 1]', {total_sql} / 2, "
        f"{total_sql} - {total_sql} / 2, {total_sql}, {total_sql} >= 5, {{ts}}, "
        f"{region_sql} IN ({served}), {{ts}}, {key_sql}, '', '', 'n' || s.i, {{ts}}, {{ts}}"
    )
    if connection.vendor == "postgresql":
        ts = "(%s::timestamptz - make_interval(mins => s.i))"
        select = common.format(ts=ts).replace("'[\"depression\"]'", "'[\"depression\"]'::jsonb")
        select = select.replace("'[1, 1]'", "'[1, 1]'::jsonb").replace(
            "'1990-01-01'", "'1990-01-01'::date"
        )
        sql = (
            # S608: built from our constants and numbers only; values travel as parameters.
            f"INSERT INTO waitlist_waitlistentry ({COLUMNS}) SELECT gen_random_uuid(), {select} "  # noqa: S608
            f"FROM generate_series(0, %s - 1) AS s(i)"
        )
        params = [program.clinic_id, program.pk, *([now] * 4), count]
    else:
        ts = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '-' || s.i || ' minutes')"
        select = common.format(ts=ts)
        sql = (
            f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %s) "  # noqa: S608
            f"INSERT INTO waitlist_waitlistentry ({COLUMNS}) "
            f"SELECT lower(hex(randomblob(16))), {select} FROM s"
        )
        stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        params = [count, program.clinic_id, program.pk, *([stamp] * 4)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
