"""The version every shared row carries: each write moves it on, writes only what it changed, and a write based
on an older version is refused with nothing saved."""

import pytest
from django.db import transaction

from campaigns.models import Deliverable
from partners.scoping.versions import VersionConflict, conflicts_of, parse_if_match
from tests.campaigns.factories import DeliverableFactory


@pytest.fixture
def deliverable(shared_campaign):
    return DeliverableFactory(campaign=shared_campaign, title="Landing page", link="https://a.example/")


def test_a_new_row_is_at_version_one_and_each_save_moves_it_on(deliverable):
    assert deliverable.version == 1
    deliverable.title = "Landing page v2"
    deliverable.save()
    assert deliverable.version == 2
    assert Deliverable.objects.get(pk=deliverable.pk).version == 2


def test_a_save_that_changes_nothing_writes_nothing(deliverable, django_assert_num_queries):
    loaded = Deliverable.objects.get(pk=deliverable.pk)
    with django_assert_num_queries(0):
        loaded.save()
    assert Deliverable.objects.get(pk=deliverable.pk).version == 1


def test_two_writers_of_different_fields_both_keep_their_change(deliverable):
    maria = Deliverable.objects.get(pk=deliverable.pk)
    jonas = Deliverable.objects.get(pk=deliverable.pk)
    maria.title = "Maria's title"
    maria.save()
    jonas.link = "https://jonas.example/"
    jonas.save()
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.title, stored.link, stored.version) == ("Maria's title", "https://jonas.example/", 3)


def test_a_write_based_on_an_older_version_is_refused_and_saves_nothing(deliverable):
    maria = Deliverable.objects.get(pk=deliverable.pk)
    jonas = Deliverable.objects.get(pk=deliverable.pk)
    maria.title = "Maria's title"
    maria.save()
    jonas.title = "Jonas's title"
    jonas.expect_version(1)
    with pytest.raises(VersionConflict) as refused, transaction.atomic():
        jonas.save()
    assert "changed since you opened it" in str(refused.value)
    assert refused.value.current.title == "Maria's title"
    assert Deliverable.objects.get(pk=deliverable.pk).title == "Maria's title"


def test_a_bulk_change_moves_the_version_on_too(deliverable):
    Deliverable.objects.filter(pk=deliverable.pk).update(status="in_progress")
    assert Deliverable.objects.get(pk=deliverable.pk).version == 2


def test_conflicts_name_each_field_with_their_value_and_yours(deliverable):
    maria = Deliverable.objects.get(pk=deliverable.pk)
    maria.title = "Maria's title"
    maria.save()
    found = conflicts_of(deliverable, 1, {"title": "Jonas's title", "link": "https://a.example/"})
    assert [(c.name, c.theirs, c.yours, c.also_changed_by_you) for c in found] == [
        ("title", "Maria's title", "Jonas's title", True)
    ]


@pytest.mark.parametrize(
    ("header", "version"), [('"3"', 3), ('W/"3"', 3), ("3", 3), ('"x"', None), ('"99999999999"', None), ("", None)]
)
def test_if_match_names_a_version_or_none(header, version):
    assert parse_if_match(header) == version
