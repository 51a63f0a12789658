"""Loss and theft deadlines: DEA notified by the end of the next business day, Form 106 in 45
days; business days skip weekends and US federal holidays."""

import datetime as dt

from ketacare.ledger.dea import is_valid_dea_number
from ketacare.ledger.deadlines import dea_notification_due, form_106_due, next_business_day


def test_a_loss_found_on_a_tuesday_is_notified_by_wednesday_night():
    due = dea_notification_due(dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC))
    assert due == dt.datetime(2026, 3, 4, 23, 59, 59, tzinfo=dt.UTC)


def test_a_loss_found_on_friday_is_notified_by_monday():
    assert next_business_day(dt.date(2026, 3, 6)) == dt.date(2026, 3, 9)


def test_the_day_before_thanksgiving_skips_the_holiday():
    assert next_business_day(dt.date(2026, 11, 25)) == dt.date(2026, 11, 27)


def test_a_saturday_holiday_is_observed_on_friday():
    # 2026-07-04 is a Saturday: Friday the 3rd is the holiday.
    assert next_business_day(dt.date(2026, 7, 2)) == dt.date(2026, 7, 6)


def test_form_106_is_due_45_days_after_discovery():
    assert form_106_due(dt.datetime(2026, 1, 10, 8, tzinfo=dt.UTC)) == dt.date(2026, 2, 24)


def test_dea_numbers_are_checked_by_their_check_digit():
    assert is_valid_dea_number("AB1234563")
    assert not is_valid_dea_number("AB1234567")
    assert not is_valid_dea_number("A11234563")
    assert not is_valid_dea_number("")
