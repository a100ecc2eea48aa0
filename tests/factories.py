"""factory_boy factories for the domain model."""

import factory
from django.contrib.auth import get_user_model

from claims import summaries
from claims.anchoring import make_anchor
from claims.models import Actor, Author, Claim, Proposition, Publisher, Source, Stance, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class PublisherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publisher

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Writer {n}")
    slug = factory.Sequence(lambda n: f"writer-{n}")


class PublicWriteFactory(factory.django.DjangoModelFactory):
    """A factory for rows the proposition summaries count: after each write it brings the
    summaries up to date, as the product's writes do once they commit (tests never commit)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created = super()._create(model_class, *args, **kwargs)
        summaries.refresh()
        return created


class SourceFactory(PublicWriteFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Dispatch {n}")
    slug = factory.Sequence(lambda n: f"dispatch-{n}")
    publisher = factory.SubFactory(PublisherFactory)
    body = (
        "Moscow and Tehran deepened their defence ties.\n\n"
        "The corridor remains a red line for Iran."
    )


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Subject {n}")
    slug = factory.Sequence(lambda n: f"subject-{n}")


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = Actor.Kind.STATE


class PropositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposition

    text = factory.Sequence(lambda n: f"Statement number {n} holds.")
    slug = factory.Sequence(lambda n: f"statement-{n}")


class ClaimFactory(PublicWriteFactory):
    """A claim over `span` = (start, end) of its source's body; quote and context follow."""

    class Meta:
        model = Claim
        exclude = ["span"]

    source = factory.SubFactory(SourceFactory)
    span = (0, 10)
    start = factory.LazyAttribute(lambda o: o.span[0])
    end = factory.LazyAttribute(lambda o: o.span[1])
    quote = factory.LazyAttribute(lambda o: make_anchor(o.source.body, *o.span).quote)
    prefix = factory.LazyAttribute(lambda o: make_anchor(o.source.body, *o.span).prefix)
    suffix = factory.LazyAttribute(lambda o: make_anchor(o.source.body, *o.span).suffix)
    kind = Claim.Kind.ANALYSIS


class StanceFactory(PublicWriteFactory):
    class Meta:
        model = Stance

    claim = factory.SubFactory(ClaimFactory)
    proposition = factory.SubFactory(PropositionFactory)
    annotator = factory.SubFactory(UserFactory)
    label = Stance.Label.SUPPORTS


def reviewer_user(username: str = "rita"):
    """A reviewer for tests that need someone who may publish (the `reviewer` fixture is Bob)."""
    from django.contrib.auth.models import Group, Permission

    user = UserFactory(username=username, is_staff=True)
    group = Group.objects.filter(name="Reviewers").first()
    if group is not None:
        user.groups.add(group)
    else:
        # A transactional test's flush took away the groups the migrations make (permissions
        # are made again after it): give the reviewer's permissions to the user directly.
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="claims"))
    return user
