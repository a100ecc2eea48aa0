"""The admin index's link to the review queue, with how many sources wait."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from claims.models import Source

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queue_link(context) -> str:
    request = context.get("request")
    if request is None or not request.user.has_perm("claims.view_source"):
        return ""
    waiting = Source.objects.in_review().count()
    return format_html(
        '<p class="review-queue-link"><a href="{}">Review queue</a>: {} source{} waiting.</p>',
        reverse("admin:claims_source_review_queue"),
        waiting,
        "" if waiting == 1 else "s",
    )
