"""The admin's log-in tells no one which accounts exist: an unknown user, a
wrong password, an inactive or a non-staff account get the same page, the
same refusal once throttled, and cost the same password hashing."""

import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from .conftest import log_in
from .factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


# What differs between any two answers: the CSRF token and the CSP nonce.
PER_REQUEST = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')


def page_of(response, username):
    """The answer with what differs per request, and the username, removed."""
    return PER_REQUEST.sub(b"", response.content).replace(username.encode(), b"USER")


def test_unknown_users_and_wrong_passwords_get_the_same_answer(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    UserFactory(username="ina", is_staff=True, is_active=False)
    UserFactory(username="nina", is_staff=False)
    attempts = {
        "rita": "wrong",  # a desk user, the wrong password
        "nobody-here": "wrong",  # no such user
        "ina": PASSWORD,  # inactive, with the right password
        "nina": PASSWORD,  # not staff, with the right password
    }
    answers = [(name, log_in(name, password)) for name, password in attempts.items()]
    assert {response.status_code for _, response in answers} == {200}
    assert len({page_of(response, name) for name, response in answers}) == 1
    # And the refusal, once each is throttled.
    refusals = []
    for name, password in attempts.items():
        for _ in range(2):
            log_in(name, password)
        refusals.append((name, log_in(name, password)))
    assert {response.status_code for _, response in refusals} == {429}
    assert len({page_of(response, name) for name, response in refusals}) == 1


class CountingHasher(PBKDF2PasswordHasher):
    """Django's hasher with few rounds, recording the rounds of every hash it
    computes: the work a log-in does, whatever else the machine is doing."""

    iterations = 1_000
    rounds: list[int] = []

    def encode(self, password, salt, iterations=None):
        CountingHasher.rounds.append(iterations or self.iterations)
        return super().encode(password, salt, iterations)


def test_unknown_users_take_as_long_as_wrong_passwords(db, settings):
    """An unknown username must cost the same password hashing as a wrong
    password, or the answer's time tells which accounts exist. The hashing is
    what takes the time (Django's hasher is tuned to be slow; the rest of a
    log-in is a query or two), so the test compares the work done, not the
    wall clock, which failed on a busy machine (a ratio of 2.26 against 2).
    Without Django's dummy hash for unknown users the rounds differ (one hash
    against none) on any machine."""
    settings.PASSWORD_HASHERS = ["tests.test_user_enumeration.CountingHasher"]
    settings.CLAIMTRACK_LOGIN_FAILURES = 1000
    StaffFactory(username="rita")

    def work(username):
        CountingHasher.rounds.clear()
        assert log_in(username, "wrong").status_code == 200
        return list(CountingHasher.rounds)

    known = work("rita")
    assert known == [CountingHasher.iterations]  # the stored hash was checked
    assert work("nobody") == known
    assert work("rita") == known  # and it stays so, in any order
