"""Two editors on the same record: the second save is refused, shows what changed, and loses
nothing."""

import pytest
from django.urls import reverse

from claims.models import Claim, Source

from .factories import ClaimFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The change form's fields as the browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for inline in response.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for subform in inline.formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value not in (None, ""):
                    data[subform.add_prefix(name)] = str(value)
    return data


@pytest.fixture
def bob(db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="bob-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_second_claim_save_is_refused_with_the_other_edit_shown(client, editor, bob):
    claim = ClaimFactory(span=(0, 6), note="original")
    url = reverse("admin:claims_claim_change", args=[claim.pk])

    client.force_login(editor)
    alice_form = form_data(client.get(url))

    client.force_login(bob)
    bob_form = form_data(client.get(url))
    bob_form["note"] = "Bob's reading"
    bob_response = client.post(url, bob_form)
    assert bob_response.status_code == 302, bob_response.context["adminform"].form.errors

    client.force_login(editor)
    alice_form["note"] = "Alice's reading"
    response = client.post(url, alice_form)
    assert response.status_code == 200
    error = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Someone else saved this claim" in error
    assert "original → Bob&#x27;s reading" in error or "original → Bob's reading" in error
    assert response.context["adminform"].form["note"].value() == "Alice's reading"
    claim.refresh_from_db()
    assert claim.note == "Bob's reading"

    # Saving again without saying whose note to keep is refused again: nothing is dropped
    # without someone choosing to.
    again = form_data(response)
    again["resolve_version"] = str(claim.version)
    assert client.post(url, again).status_code == 200
    claim.refresh_from_db()
    assert claim.note == "Bob's reading"

    # Having seen Bob's change, Alice keeps her note on purpose.
    again["resolve-note"] = "mine"
    assert client.post(url, again).status_code == 302
    claim.refresh_from_db()
    assert claim.note == "Alice's reading"


def test_second_source_save_is_refused(client, editor, bob):
    source = SourceFactory(title="First title")
    url = reverse("admin:claims_source_change", args=[source.pk])
    client.force_login(editor)
    alice_form = form_data(client.get(url))
    client.force_login(bob)
    bob_form = form_data(client.get(url))
    bob_form["title"] = "Bob's title"
    assert client.post(url, bob_form).status_code == 302

    client.force_login(editor)
    alice_form["title"] = "Alice's title"
    response = client.post(url, alice_form)
    assert response.status_code == 200
    assert "Someone else saved this source" in str(response.context["adminform"].form.errors)
    assert Source.objects.get(pk=source.pk).title == "Bob's title"


def test_version_rises_on_every_save():
    claim = ClaimFactory(span=(0, 6))
    assert claim.version == 1
    claim.note = "x"
    claim.save()
    assert Claim.objects.get(pk=claim.pk).version == 2


def test_reverting_to_an_old_version_from_the_history(client, editor):
    claim = ClaimFactory(span=(0, 6), note="first reading")
    for note in ["second reading", "third reading"]:
        claim.note = note
        claim.save()
    oldest = claim.history.order_by("history_date").first()
    url = reverse("admin:claims_claim_simple_history", args=[claim.pk, oldest.history_id])
    client.force_login(editor)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.note == "first reading"
    # The history list shows what each version changed.
    history = client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert "third reading" in history.content.decode()
