"""The day and time an email tells (order placed, cycle closing): in the shop's timezone, in the
reader's words, one table of weekday and month names for every email."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from hubcycle.enterprises import Language
from hubcycle.notifications import date_text

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("language, year, text", [
    (Language.en, False, "Saturday 5 December, 09:30"),
    (Language.fr, True, "samedi 5 décembre 2026, 09:30"),
    ("es", False, "sábado 5 diciembre, 09:30"),
])
def test_a_moment_is_told_in_the_shops_time_and_the_readers_words(language, year, text):
    assert date_text(datetime(2026, 12, 5, 8, 30, tzinfo=timezone.utc), PARIS, language, year=year) == text


def test_the_local_day_is_the_one_told_across_midnight_and_summer_time():
    assert date_text(datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc), PARIS, Language.en) == "Sunday 29 March, 00:30"
    assert date_text(datetime(2026, 3, 29, 9, 0, tzinfo=timezone.utc), PARIS, Language.fr) == "dimanche 29 mars, 11:00"
